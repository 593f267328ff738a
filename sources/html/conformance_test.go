package html

import (
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

func TestExtractorConformance(t *testing.T) {
	sourcetest.RunExtractor(t, Extractor{}, sourcetest.ExtractorCases{
		Name: "manual.html",
		Valid: []byte(`<html lang="en"><head><title>VF-200</title></head><body><main>` +
			`<h1>Installation</h1><p>Mount the unit vertically on a wall, away from heat.</p>` +
			`<h2>Grounding</h2><p>Use 4 mm² copper wire for the ground connection.</p></main></body></html>`),
		Hostile: []byte(`<html><body><main><h1>Setup</h1><p>` + sourcetest.Hostile + `</p></main></body></html>`),
		// Script elements are dropped whole, so alert(2) is not shown.
		Visible: []string{"Wire PE first.", "the wiring guide", "diagram", "Done."},
		Garbage: [][]byte{
			[]byte("\x00\x01\x02\x00\x00\x00 binary \x00\x00\x00\x00 noise"),
			[]byte("   \n\t  "),
		},
		WithLimit: func(n int64) sources.Extractor { return Extractor{MaxSize: n} },
	})
}
