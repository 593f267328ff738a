package pdf

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kbops/kbops/sources"
)

// A manual edition in one language keeps that language in every section:
// a delivery list, a table of service addresses or a title page says too
// little to be labelled on its own, and a wrong label hides the section
// from a search filtered to its language. On the corpus editions these
// sections were labelled "" (then guessed from the heading at ingest) or
// "pt" before sections took the document's language.
func TestEditionSectionsKeepTheDocumentsLanguage(t *testing.T) {
	dir := corpusDir(t)
	for name, want := range map[string]string{
		"teqsas_LAP-TEQ-PLUS_Bedienungsanleitung_de.pdf": "de",
		"teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf":         "en",
		"wch_CH32V00x_EVB_manual_zh.pdf":                 "zh",
		"wch_CH32V00x_Evaluation_Board_Reference_en.pdf": "en",
	} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(context.Background(), name, data, nil)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		err = d.Sections(context.Background(), "", func(s sources.Section) error {
			n++
			if s.Language != want {
				t.Errorf("%s: section %q (%s) labelled %q, want %q", name, s.Title, s.Locator, s.Language, want)
			}
			return nil
		})
		if err != nil || n < 5 {
			t.Fatalf("%s: %d sections, %v", name, n, err)
		}
	}
}
