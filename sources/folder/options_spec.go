package folder

import (
	"strconv"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/cfgspec"
)

func init() {
	sources.Default.RegisterLocationOptions("folder", OptionFields...)
}

// OptionFields declare Options, the keys a folder source reads under
// `options:`; kbops.yaml is checked against them when it is loaded.
var OptionFields = []cfgspec.Field{
	{Key: "max_file_size", Type: cfgspec.Int, Default: strconv.Itoa(DefaultMaxFileSize), DefaultDoc: "256 MiB",
		Description: "files larger than this many bytes are skipped and reported, so a stray disk image does not stall a nightly run",
		Example:     "67108864"},
	{Key: "follow_symlinks", Type: cfgspec.Bool, Default: "false",
		Description: "follow symbolic links to files; off by default because a link out of the folder could pull in files nobody meant to publish"},
}
