package glossary

import (
	"slices"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
)

func TestMapGivesSortedConceptIDs(t *testing.T) {
	m := fixtureMatcher(t)
	u := unit("u1", "zh-CN", "变频器报过流故障时，请检查制动电阻。\n更换变频器前先断电。")
	u.Title = "变频器参数"
	res := m.Map(u)
	want := []string{"braking-resistor", "frequency-inverter", "overcurrent-fault", "parameter"}
	if !slices.Equal(res.Concepts, want) {
		t.Errorf("concepts %v, want %v", res.Concepts, want)
	}
	if len(res.TitleMatches) != 2 {
		t.Errorf("title matches %q", texts(res.TitleMatches))
	}
	if u.Concepts != nil {
		t.Error("Map modified the unit")
	}
}

func TestMapFlagsDeprecatedAndForbiddenTerms(t *testing.T) {
	m := fixtureMatcher(t)
	res := m.Map(unit("u1", "en-US", "Do not open the frequency changer.\nMeasure the intermediate circuit voltage."))
	forb := findingsWith(res, CodeForbidden)
	if len(forb) != 1 {
		t.Fatalf("forbidden findings: %+v", res.Findings)
	}
	f := forb[0]
	if f.Severity != SeverityError || f.Term != "frequency changer" || f.Suggestion != "frequency inverter" || f.Line != 1 || f.Concept != "frequency-inverter" {
		t.Errorf("forbidden finding %+v", f)
	}
	dep := findingsWith(res, CodeDeprecated)
	if len(dep) != 1 || dep[0].Term != "intermediate circuit" || dep[0].Suggestion != "DC link" || dep[0].Line != 2 || dep[0].Severity != SeverityWarning {
		t.Errorf("deprecated findings %+v", dep)
	}
	if !strings.Contains(dep[0].Message, `use "DC link"`) {
		t.Errorf("message %q does not say what to write", dep[0].Message)
	}

	// The same checks in Russian and Chinese, matched without word spaces.
	res = m.Map(unit("u2", "ru", "Частотник отключился."))
	if f := findingsWith(res, CodeForbidden); len(f) != 1 || f[0].Suggestion != "преобразователь частоты" {
		t.Errorf("ru: %+v", res.Findings)
	}
	res = m.Map(unit("u3", "zh-CN", "更换马达前先断电。"))
	if f := findingsWith(res, CodeDeprecated); len(f) != 1 || f[0].Term != "马达" || f[0].Suggestion != "电机" {
		t.Errorf("zh: %+v", res.Findings)
	}
}

func TestMapFlagsWrongRegionalVariant(t *testing.T) {
	m := fixtureMatcher(t)
	cases := []struct {
		lang, body, term, suggestion string
	}{
		{"es-MX", "El convertidor de frecuencia muestra una falla por sobrecorriente.", "convertidor de frecuencia", "variador de frecuencia"},
		{"es-ES", "El variador de frecuencia muestra un fallo por sobrecorriente.", "variador de frecuencia", "convertidor de frecuencia"},
		{"es-MX", "Apareció un fallo por sobrecorriente.", "fallo por sobrecorriente", "falla por sobrecorriente"},
		{"zh-TW", "請檢查变频器。", "变频器", "變頻器"},
		{"pt-PT", "O inversor de frequência está desligado.", "inversor de frequência", "variador de frequência"},
	}
	for _, c := range cases {
		res := m.Map(unit("u", c.lang, c.body))
		wv := findingsWith(res, CodeWrongVariant)
		if len(wv) != 1 || wv[0].Term != c.term || wv[0].Suggestion != c.suggestion {
			t.Errorf("%s %q: wrong-variant findings %+v", c.lang, c.body, wv)
			continue
		}
		if !strings.Contains(wv[0].Message, c.lang) {
			t.Errorf("message %q does not name %s", wv[0].Message, c.lang)
		}
	}
	// The right variant, and a unit whose region is unknown, are fine.
	for _, c := range []struct{ lang, body string }{
		{"es-MX", "El variador de frecuencia muestra una falla por sobrecorriente."},
		{"es", "El convertidor de frecuencia y el variador de frecuencia."},
	} {
		if wv := findingsWith(m.Map(unit("u", c.lang, c.body)), CodeWrongVariant); len(wv) != 0 {
			t.Errorf("%s %q: unexpected %+v", c.lang, c.body, wv)
		}
	}
}

func TestMapFlagsOneConceptWrittenSeveralWays(t *testing.T) {
	m := fixtureMatcher(t)
	res := m.Map(unit("u1", "ja", "インバータの設定を確認します。\nインバーターを再起動してください。"))
	inc := findingsWith(res, CodeInconsistent)
	if len(inc) != 1 {
		t.Fatalf("findings %+v", res.Findings)
	}
	f := inc[0]
	if f.Term != "インバーター" || f.Line != 2 || f.Suggestion != "インバータ" || f.Concept != "frequency-inverter" {
		t.Errorf("finding %+v", f)
	}
	if !strings.Contains(f.Message, "line 1") || !strings.Contains(f.Message, "line 2") {
		t.Errorf("message %q does not say where", f.Message)
	}

	// An acronym next to its full form, and inflected forms of one term, are
	// not inconsistent; two full terms are.
	res = m.Map(unit("u2", "en", "The frequency inverter (VFD) drives the motors. Two frequency inverters drive the motor."))
	if inc := findingsWith(res, CodeInconsistent); len(inc) != 0 {
		t.Errorf("acronym or inflection flagged: %+v", inc)
	}
	res = m.Map(unit("u3", "en", "The frequency inverter is also called a variable frequency drive."))
	if inc := findingsWith(res, CodeInconsistent); len(inc) != 1 || inc[0].Term != "variable frequency drive" {
		t.Errorf("synonyms not flagged: %+v", res.Findings)
	}
}

func TestMapReportsMissingTranslations(t *testing.T) {
	m := fixtureMatcher(t)
	res := m.Map(unit("u1", "de", "Der Bremswiderstand ist heiß. Der Motor läuft."))
	// braking-resistor lacks ar and ru (its generic zh term covers zh);
	// motor has all nine default target languages.
	if got := res.Gaps["ar"]; !slices.Equal(got, []string{"braking-resistor"}) {
		t.Errorf("ar gaps %v", got)
	}
	if got := res.Gaps["ru"]; !slices.Equal(got, []string{"braking-resistor"}) {
		t.Errorf("ru gaps %v", got)
	}
	if _, ok := res.Gaps["zh"]; ok {
		t.Errorf("zh reported missing: %v", res.Gaps)
	}
	mt := findingsWith(res, CodeMissingTranslation)
	if len(mt) != 1 || mt[0].Concept != "braking-resistor" || mt[0].Severity != SeverityInfo || !strings.Contains(mt[0].Message, "ar, ru") {
		t.Errorf("missing-translation findings %+v", mt)
	}

	// Gaps of the whole termbase, per language.
	gaps := fixture(t).Gaps(DefaultTargets())
	if !slices.Equal(gaps["ar"], []string{"braking-resistor", "dc-link", "overcurrent-fault"}) {
		t.Errorf("termbase ar gaps %v", gaps["ar"])
	}
	if _, ok := gaps["en"]; ok {
		t.Errorf("en gaps %v", gaps["en"])
	}
}

func TestMapFindingsInTitleAndSameSpellingElsewhere(t *testing.T) {
	m := fixtureMatcher(t)
	u := unit("u1", "en", "Nothing here.")
	u.Title = "Replacing the frequency changer"
	res := m.Map(u)
	if f := findingsWith(res, CodeForbidden); len(f) != 1 || f[0].Field != "title" || f[0].Line != 0 {
		t.Errorf("title finding %+v", res.Findings)
	}
	// A deprecated spelling that is also a usable term of another concept in
	// the unit's language is not flagged.
	tb := fixture(t)
	c := &Concept{ID: "zz-other", Langs: []LangSec{{Locale: "en", Terms: []Term{{Text: "intermediate circuit", Status: StatusPreferred}}}}}
	if err := tb.Put(c); err != nil {
		t.Fatal(err)
	}
	m2, err := NewMatcher(tb, MatcherOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res = m2.Map(unit("u2", "en", "the intermediate circuit"))
	if f := findingsWith(res, CodeDeprecated); len(f) != 0 {
		t.Errorf("homonym flagged: %+v", f)
	}
	if !slices.Equal(res.Concepts, []string{"dc-link", "zz-other"}) {
		t.Errorf("concepts %v", res.Concepts)
	}
}

func TestMapSameLanguageOnly(t *testing.T) {
	m, err := NewMatcher(fixture(t), MatcherOptions{SameLanguageOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	res := m.Map(unit("u1", "zh-CN", "使用VFD控制电机。"))
	if !slices.Equal(res.Concepts, []string{"motor"}) {
		t.Errorf("concepts %v: the English VFD should not count", res.Concepts)
	}
	res = fixtureMatcher(t).Map(unit("u1", "zh-CN", "使用VFD控制电机。"))
	if !slices.Equal(res.Concepts, []string{"frequency-inverter", "motor"}) {
		t.Errorf("concepts %v", res.Concepts)
	}
}

func TestProductConsistencyAcrossUnits(t *testing.T) {
	m := fixtureMatcher(t)
	units := []*knowledge.Unit{
		unit("a", "en", "Mount the frequency inverter vertically."),
		unit("b", "en", "The frequency inverter needs 400 V."),
		unit("c", "en", "Reset the variable frequency drive after a fault."),
		unit("d", "de", "Der Frequenzumrichter ist montiert."),
		{ID: "e", Language: "en", Product: "other", Body: "The variable frequency drive."},
	}
	got := m.CheckProduct(units)
	if len(got) != 1 {
		t.Fatalf("findings %+v", got)
	}
	f := got[0]
	if f.Product != "vf-200" || f.Language != "en" || f.Concept != "frequency-inverter" || f.Suggestion != "frequency inverter" {
		t.Errorf("finding %+v", f)
	}
	if len(f.Uses) != 2 || f.Uses[0].Term != "frequency inverter" || !slices.Equal(f.Uses[0].Units, []string{"a", "b"}) || !slices.Equal(f.Uses[1].Units, []string{"c"}) {
		t.Errorf("uses %+v", f.Uses)
	}
}
