package tickets

import (
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

func TestExtractorConformance(t *testing.T) {
	sourcetest.RunExtractor(t, New(Options{}), sourcetest.ExtractorCases{
		Name: "export.csv",
		Valid: makeCSV([][3]string{
			{"Login fails", "Login fails with error 403 since Monday.", "Clear the browser cache and sign in again."},
			{"Printer offline", "The network printer shows offline after the update.", "Set a static IP on the printer."},
		}),
		Hostile: makeCSV([][3]string{{"Printer offline", "The printer shows offline. " + sourcetest.Hostile, "Set a static IP."}}),
		Garbage: [][]byte{
			[]byte("\x00\x01\x02\x00 binary \x00 noise"),
		},
		WithLimit: func(n int64) sources.Extractor { return New(Options{MaxSize: n}) },
	})
}
