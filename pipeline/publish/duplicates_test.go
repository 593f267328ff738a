package publish_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
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

// What NearDuplicates pairs: copies of one text in one language, access
// level and market set; never a translation, another market or level, a
// unit and its adaptation, a unit that lost a conflict, or a short text.
// A thousand copies of one text, and their copies in another order, are
// one group each.
func TestNearDuplicatesPairsOnlyOneAnswerTwice(t *testing.T) {
	body := "Replace the fan filter of the inverter every six months. Clean the heatsink with dry compressed air and never use water on the housing."
	pdf := mkUnit("m/en/pdf/maintenance", "en", "6 Maintenance", body)
	html := mkUnit("m/en/html/maintenance", "en", "6 Maintenance", strings.ReplaceAll(body, ". ", ".\n\n"))
	us := mkUnit("m/en/us/maintenance", "en", "6 Maintenance", body)
	us.Markets = []string{"US"}
	internal := mkUnit("m/en/internal/maintenance", "en", "6 Maintenance", body)
	internal.Access = knowledge.AccessInternal
	adapted := mkUnit("m/en/adapted/maintenance", "en", "6 Maintenance", body)
	adapted.Adapts = pdf.ID
	lost := mkUnit("m/en/lost/maintenance", "en", "6 Maintenance", body)
	de := mkUnit("m/de/pdf/wartung", "de", "6 Maintenance", body)
	short1, short2 := mkUnit("m/en/a/see", "en", "", "See chapter 3."), mkUnit("m/en/b/see", "en", "", "See chapter 3.")
	got := publish.NearDuplicates([]*knowledge.Unit{pdf, html, us, internal, adapted, lost, de, short1, short2}, map[string]string{lost.ID: pdf.ID})
	// The adaptation is not paired with what it adapts, but with the HTML
	// copy, which is in the PDF's group: the group is closed.
	want := map[string]string{adapted.ID: adapted.ID, html.ID: adapted.ID, pdf.ID: adapted.ID}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("near-duplicates %v, want %v", got, want)
	}

	var many []*knowledge.Unit
	for i := range 1000 {
		many = append(many, mkUnit(fmt.Sprintf("m/en/copy%04d/maintenance", i), "en", "6 Maintenance", body))
	}
	groups := publish.NearDuplicates(many, nil)
	for _, u := range many {
		if groups[u.ID] != many[0].ID {
			t.Fatalf("%s is in group %q, want all thousand copies in %s's", u.ID, groups[u.ID], many[0].ID)
		}
	}
}
