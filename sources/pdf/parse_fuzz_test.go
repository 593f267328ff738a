package pdf

import (
	"context"
	"testing"
	"time"

	"github.com/kbops/kbops/sources/pdf/pdftest"
)

// FuzzParse feeds arbitrary bytes to Parse: a PDF is opened or refused
// with an error, never a panic or a hang.
func FuzzParse(f *testing.F) {
	f.Add(minimalPDF([]string{"BT /F1 12 Tf 72 720 Td (Hello page one) Tj ET"}))
	f.Add(minimalPDF([]string{"BT /F1 12 Tf 72 720 Td (one) Tj ET", "BT /F1 9 Tf 72 700 Td [(t) -250 (wo)] TJ ET"}))
	f.Add([]byte("%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF"))
	f.Add([]byte("%PDF-1.7\nxref\n0 1\n0000000000 65535 f \ntrailer<</Size 1>>\nstartxref\n9\n%%EOF"))
	for _, data := range loopPDFs() {
		f.Add(data)
	}
	// Slow but finite: each of the two draws inflates 16 MiB.
	f.Add(pdftest.Slow(2))
	f.Add(pdftest.FormBomb())
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		doc, err := Parse(ctx, "fuzz.pdf", data, func(error) {})
		if err != nil || doc == nil {
			return
		}
	})
}
