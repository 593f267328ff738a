package pdf

import (
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

func TestExtractorConformance(t *testing.T) {
	esc := strings.NewReplacer("(", `\(`, ")", `\)`).Replace
	sourcetest.RunExtractor(t, Extractor{}, sourcetest.ExtractorCases{
		Name: "manual.pdf",
		Valid: minimalPDF([]string{
			"BT /F1 24 Tf 72 720 Td (1 Installation) Tj ET BT /F1 12 Tf 72 690 Td (Mount the unit vertically on a wall.) Tj ET",
			"BT /F1 24 Tf 72 720 Td (2 Grounding) Tj ET BT /F1 12 Tf 72 690 Td (Use 4 mm copper wire for the ground.) Tj ET",
		}),
		Hostile: minimalPDF([]string{"BT /F1 24 Tf 72 720 Td (Setup) Tj ET BT /F1 12 Tf 72 680 Td (" + esc(sourcetest.Hostile) + ") Tj ET"}),
		Garbage: [][]byte{
			[]byte("\x00\x01\x02 binary noise \xff\xfe"),
			[]byte("<html><body>not a PDF</body></html>"),
			[]byte("%PDF-1.4\n1 0 obj"),
		},
		WithLimit: func(n int64) sources.Extractor { return Extractor{MaxSize: n} },
	})
}
