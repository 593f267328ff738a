package markdown

import (
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

func TestExtractorConformance(t *testing.T) {
	sourcetest.RunExtractor(t, Extractor{}, sourcetest.ExtractorCases{
		Name: "manual.md",
		Valid: []byte("---\ntitle: VF-200 manual\nlanguage: en\n---\n# Installation\n\nMount the unit vertically.\n\n" +
			"## Grounding\n\nUse 4 mm² copper wire.\n\n```sh\n# not a heading\n```\n"),
		Hostile: []byte("# Setup\n\n" + sourcetest.Hostile + "\n"),
		Garbage: [][]byte{
			[]byte("\x00\x01\x02 binary noise"),
			[]byte("\xff\xfe\xfd not UTF-8"),
		},
		WithLimit: func(n int64) sources.Extractor { return Extractor{MaxSize: n} },
	})
}
