package html

import "github.com/kbops/kbops/sources"

// The html extractor reads no extract settings; declaring so lets
// kbops.yaml refuse them when it is loaded.
func init() {
	sources.Default.RegisterExtractOptions("html")
}
