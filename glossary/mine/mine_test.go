package mine

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/align"
)

// Four aligned section pairs of an English and a German manual: the terms
// that stand together in them are proposed, one translation each, with
// their evidence; a part number written the same in both is not; a word
// that only occurs inside a longer term is not proposed on its own; and a
// term the termbase knows is left out.
func TestSuggestFromAlignedSections(t *testing.T) {
	en := []string{
		"Charge the battery with the charging cable. Pin SWIO.",
		"Remove the battery before disposal. Pin SWIO.",
		"The battery lasts 5 hours. Connect the charging cable. Pin SWIO.",
		"Store the battery dry. Pin SWIO.",
	}
	de := []string{
		"Laden Sie den Akku mit dem Ladekabel. Pin SWIO.",
		"Entnehmen Sie den Akku vor der Entsorgung. Pin SWIO.",
		"Der Akku hält 5 Stunden. Schließen Sie das Ladekabel an. Pin SWIO.",
		"Lagern Sie den Akku trocken. Pin SWIO.",
	}
	var units []*knowledge.Unit
	var pairs []align.Pair
	for i := range en {
		a := &knowledge.Unit{ID: fmt.Sprintf("m/en/%d", i), Language: "en", Body: en[i]}
		b := &knowledge.Unit{ID: fmt.Sprintf("m/de/%d", i), Language: "de", Body: de[i]}
		units = append(units, a, b)
		pairs = append(pairs, align.Pair{A: a.ID, B: b.ID, Score: 5})
	}
	got := map[string]Suggestion{}
	for _, s := range Suggest(units, pairs, nil, Options{MinPairs: 2}) {
		got[s.Terms[0]+"="+s.Terms[1]] = s
	}
	s, ok := got["Akku=battery"]
	if !ok {
		t.Fatalf("no Akku=battery among %v", keys(got))
	}
	if s.Langs != [2]string{"de", "en"} || s.Together != 4 || s.Counts != [2]int{4, 4} || s.Score < 0.6 || len(s.Evidence) != 3 {
		t.Errorf("Akku=battery: %+v, want de/en, together 4 of 4 and 4, three unit pairs of evidence", s)
	}
	if _, ok := got["Ladekabel=charging cable"]; !ok {
		t.Errorf("no Ladekabel=charging cable among %v", keys(got))
	}
	battery := 0
	for k, s := range got {
		if strings.EqualFold(s.Terms[0], s.Terms[1]) || strings.Contains(s.Terms[1], "SWIO") {
			t.Errorf("proposed %s: written the same in both, it is a code, not a translation", k)
		}
		switch s.Terms[1] {
		case "SWIO", "Pin", "cable", "charging":
			t.Errorf("proposed %s: a code written the same in both, or a fragment of a longer term", k)
		case "battery":
			battery++
		}
	}
	if battery != 1 {
		t.Errorf("battery proposed with %d translations, want one: %v", battery, keys(got))
	}
	known := func(lang, term string) bool { return lang == "en" && term == "battery" }
	for _, s := range Suggest(units, pairs, known, Options{MinPairs: 2}) {
		if s.Terms[1] == "battery" {
			t.Errorf("proposed %v although the termbase has battery", s.Terms)
		}
	}
}

func keys(m map[string]Suggestion) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A candidate found only inside one longer candidate, as often as it, is
// a fragment; one found more often stands on its own.
func TestFragments(t *testing.T) {
	got := fragments(map[string]int{"charging cable": 2, "charging": 2, "cable": 3, "调试接口": 2, "调试接": 2, "试接口": 2, "调试": 3})
	want := map[string]bool{"charging": true, "调试接": true, "试接口": true}
	if len(got) != len(want) {
		t.Fatalf("fragments %v, want %v", got, want)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("fragments %v, want %v", got, want)
		}
	}
}
