package markdown

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
)

// BenchmarkExtract reports MB/s over the corpus Markdown files.
func BenchmarkExtract(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "manuals", "*.md"))
	if len(files) == 0 {
		b.Skip("corpus not present")
	}
	var docs [][]byte
	total := 0
	for _, f := range files {
		d, _ := os.ReadFile(f)
		docs = append(docs, d)
		total += len(d)
	}
	b.SetBytes(int64(total))
	for i := 0; i < b.N; i++ {
		for _, d := range docs {
			err := Extractor{}.Extract(context.Background(), sources.Document{Name: "x.md", Body: strings.NewReader(string(d))},
				func(sources.Section) error { return nil }, func(error) {})
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}
