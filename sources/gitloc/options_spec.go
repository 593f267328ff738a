package gitloc

import (
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/cfgspec"
)

func init() {
	sources.Default.RegisterLocationOptions("git", OptionFields...)
}

// OptionFields declare Options, the keys a git source reads under
// `options:`; kbops.yaml is checked against them when it is loaded.
var OptionFields = []cfgspec.Field{
	{Key: "branch", Type: cfgspec.String, DefaultDoc: "the remote's HEAD",
		Description: "the branch to read", Example: "main"},
	{Key: "path", Type: cfgspec.String, DefaultDoc: "all",
		Description: "read only below this folder of the repository; keys are relative to it", Example: "docs/en"},
	{Key: "max_file_size", Type: cfgspec.Int, Default: "268435456", DefaultDoc: "256 MiB",
		Description: "files larger than this many bytes are reported instead of read"},
	{Key: "token_env", Type: cfgspec.String, DefaultDoc: "none",
		Description: "the name (in capitals) of the environment variable holding this source's token; the variable must be set. Without it a git source gets `" + TokenEnv + "` only when its host:port is `git.remote`'s, else no token. A token is sent only over https, or plain http to a loopback host",
		Example:     "VENDOR_GIT_TOKEN"},
}
