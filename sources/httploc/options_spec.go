package httploc

import (
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/cfgspec"
)

func init() {
	sources.Default.RegisterLocationOptions("http", OptionFields...)
}

// OptionFields declare Options, the keys an http source reads under
// `options:`; kbops.yaml is checked against them when it is loaded.
var OptionFields = []cfgspec.Field{
	{Key: "base", Type: cfgspec.String, DefaultDoc: "none: keys are host/path",
		Description: "the URL prefix item keys are relative to; set it so keys, which are part of unit ids, stay short and stable",
		Example:     "https://teqsas.github.io/Docs/"},
	{Key: "timeout", Type: cfgspec.Duration, Default: "60s",
		Description: "bounds one request, headers and body"},
	{Key: "retries", Type: cfgspec.Int, Default: "3",
		Description: "how often a 5xx, 429 or timeout is retried"},
	{Key: "retry_delay", Type: cfgspec.Duration, Default: "1s",
		Description: "the first backoff; it doubles with each retry"},
	{Key: "max_size", Type: cfgspec.Int, Default: "268435456", DefaultDoc: "256 MiB",
		Description: "documents larger than this many bytes are refused and reported"},
	{Key: "user_agent", Type: cfgspec.String, Default: "kbops",
		Description: "the User-Agent header sent with each request"},
}
