package glossary

import (
	"slices"
	"strings"
	"testing"
)

func TestCrossLanguageTerms(t *testing.T) {
	tb := fixture(t)
	got := tb.CrossLanguageTerms([]string{"frequency-inverter", "nope"}, []string{"es", "zh", "en"})
	want := []string{
		"convertidor de frecuencia", "variador de frecuencia", // es-ES and es-MX
		"变频器", "變頻器", // zh-CN and zh-TW
		"frequency inverter", "variable frequency drive", "VFD", // not the forbidden one
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
	// A regional target takes its own region and the bare language only.
	if got := tb.CrossLanguageTerms([]string{"overcurrent-fault", "braking-resistor"}, []string{"es-MX"}); !slices.Equal(got, []string{"falla por sobrecorriente", "resistencia de frenado"}) {
		t.Errorf("es-MX: %q", got)
	}
	// Every default target language of a fully translated concept.
	if got := tb.CrossLanguageTerms([]string{"parameter"}, DefaultTargets()); len(got) != 9 {
		t.Errorf("parameter in %d languages: %q", len(got), got)
	}
}

// A question asked in Spanish finds a unit written in Chinese: the unit is
// published with the terms of its concepts in all target languages, and the
// query is expanded with the terms of the concepts it mentions.
func TestSpanishQuestionFindsChineseUnit(t *testing.T) {
	m := fixtureMatcher(t)
	zh := unit("zh-1", "zh-CN", "变频器报过流故障时，请检查制动电阻。")
	keys := m.CrossLanguageTerms(m.Map(zh).Concepts, DefaultTargets())
	index := strings.ToLower(zh.Body + "\n" + strings.Join(keys, "\n"))

	q := m.ExpandQuery("¿Qué hago si el variador de frecuencia muestra una falla por sobrecorriente?", "es-MX", DefaultTargets())
	if q[0] != "¿Qué hago si el variador de frecuencia muestra una falla por sobrecorriente?" {
		t.Errorf("expansion does not start with the query: %q", q)
	}
	if !slices.Contains(q, "变频器") || !slices.Contains(q, "过流故障") {
		t.Errorf("expansion lacks the Chinese terms: %q", q)
	}
	if slices.Contains(q, "variador de frecuencia") {
		t.Errorf("expansion repeats a term the query contains: %q", q)
	}
	found := false
	for _, s := range q[1:] {
		if strings.Contains(index, strings.ToLower(s)) {
			found = true
		}
	}
	if !found {
		t.Errorf("no expansion of %q hits the Chinese unit", q)
	}
	// A query with a deprecated term is expanded with the preferred one.
	if q := m.ExpandQuery("馬達 noise", "zh", []string{"zh"}); len(q) != 1 {
		t.Errorf("traditional 馬達 is not a term, got %q", q)
	}
	if q := m.ExpandQuery("马达噪音", "zh", []string{"en"}); !slices.Contains(q, "电机") || !slices.Contains(q, "motor") {
		t.Errorf("deprecated term not expanded: %q", q)
	}
	if q := fixture(t).ExpandQuery("nothing to see", "en", DefaultTargets()); !slices.Equal(q, []string{"nothing to see"}) {
		t.Errorf("query without concepts: %q", q)
	}
}
