package pdf

import "github.com/kbops/kbops/sources"

// The pdf extractor reads no extract settings; declaring so lets
// kbops.yaml refuse them when it is loaded.
func init() {
	sources.Default.RegisterExtractOptions("pdf")
}
