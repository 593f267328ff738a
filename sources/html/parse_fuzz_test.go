package html

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary pages to Parse: it must return a page or an
// error in any charset, never panic or hang.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.html")
	for _, p := range seeds {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, "")
		}
	}
	f.Add([]byte("<html><head><meta charset=gbk><title>t</title></head><body><nav>x</nav><h1>A</h1><p>b</p><table><tr><td>1</td></tr></table></body></html>"), "text/html; charset=utf-8")
	f.Add([]byte("<h1><h2><h3>"), "text/html; charset=x-unknown")
	f.Add(slowPage(2000, 240), "") // slow to score; see budget_test.go
	f.Fuzz(func(t *testing.T, data []byte, contentType string) {
		if len(data) > 1<<20 {
			return
		}
		_, _ = Parse(context.Background(), data, contentType)
	})
}
