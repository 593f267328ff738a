package publish_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/publish"
)

// A chapter kept twice (a PDF and its HTML copy) is one answer: the lower
// copy is listed in the better one's Duplicates and leaves its place in
// the top five to another answer. The same text for another market, and
// a translation, stay separate hits.
func TestSearchCollapsesNearDuplicates(t *testing.T) {
	tg := target(t)
	body := "Replace the fan filter of the inverter every six months. Clean the heatsink with dry compressed air and never use water on the housing."
	pdf := mkUnit("m/en/manual-pdf/maintenance", "en", "6 Maintenance", body)
	// The HTML copy: the same sentences, laid out in paragraphs.
	html := mkUnit("m/en/manual-html/maintenance", "en", "6 Maintenance", strings.ReplaceAll(body, ". ", ".\n\n"))
	us := mkUnit("m/en/manual-us/maintenance", "en", "6 Maintenance", body)
	us.Markets = []string{"US"}
	de := mkUnit("m/de/manual/wartung", "de", "6 Wartung", "Wechseln Sie den Lüfterfilter des Umrichters alle sechs Monate. Reinigen Sie den Kühlkörper mit trockener Druckluft (fan filter).")
	units := append(corpus(3), pdf, html, us, de)
	pub(t, tg, units, publish.Options{})

	hs, err := publish.Search(context.Background(), tg, publish.Query{Text: "fan filter heatsink maintenance", Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	var dups []string
	for _, h := range hs {
		ids = append(ids, h.UnitID)
		dups = append(dups, h.Duplicates...)
	}
	inTop := func(id string) bool { return slices.Contains(ids, id) }
	if inTop(pdf.ID) == inTop(html.ID) || !slices.Contains(dups, pdf.ID) && !slices.Contains(dups, html.ID) {
		t.Errorf("hits %v, duplicates %v: want one of the two copies, standing for the other", ids, dups)
	}
	if !inTop(us.ID) || !inTop(de.ID) {
		t.Errorf("hits %v: want the US market's unit and the German translation kept", ids)
	}
}
