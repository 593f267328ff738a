package markdown

import "github.com/kbops/kbops/sources"

// The markdown extractor reads no extract settings; declaring so lets
// kbops.yaml refuse them when it is loaded.
func init() {
	sources.Default.RegisterExtractOptions("markdown")
}
