package html

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkExtract reports MB/s on each corpus HTML page.
func BenchmarkExtract(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "manuals", "*.html"))
	if len(files) == 0 {
		b.Skip("corpus not present")
	}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		b.Run(strings.TrimSuffix(filepath.Base(f), ".html"), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for i := 0; i < b.N; i++ {
				if r := extract(b, Extractor{}, f, "", data); r.err != nil {
					b.Fatal(r.err)
				}
			}
		})
	}
}
