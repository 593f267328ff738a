package glossary

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestMatchChineseWithoutSpaces(t *testing.T) {
	m := fixtureMatcher(t)
	body := "变频器报过流故障时，请检查制动电阻。\n然后测量直流母线电压。"
	ms := m.Match(body, "zh-CN")
	if got, want := texts(ms), []string{"变频器", "过流故障", "制动电阻", "直流母线"}; !slices.Equal(got, want) {
		t.Fatalf("matched %q, want %q", got, want)
	}
	if got, want := conceptsOf(ms), []string{"braking-resistor", "dc-link", "frequency-inverter", "overcurrent-fault"}; !slices.Equal(got, want) {
		t.Errorf("concepts %v, want %v", got, want)
	}
	for _, mt := range ms {
		if body[mt.Start:mt.End] != mt.Text {
			t.Errorf("offsets %d:%d give %q, not %q", mt.Start, mt.End, body[mt.Start:mt.End], mt.Text)
		}
	}
	if ms[3].Line != 2 || ms[0].Line != 1 {
		t.Errorf("lines: %q on %d, %q on %d; want 1 and 2", ms[0].Text, ms[0].Line, ms[3].Text, ms[3].Line)
	}
}

func TestMatchJapaneseLongestWins(t *testing.T) {
	m := fixtureMatcher(t)
	// インバータ and インバーター are both terms, and the first is a prefix
	// of the second: where the longer is written it must win, and モーター
	// must not also yield モータ.
	body := "インバーターの過電流エラーを確認し、モーターを停止してください。"
	ms := m.Match(body, "ja")
	if got, want := texts(ms), []string{"インバーター", "過電流エラー", "モーター"}; !slices.Equal(got, want) {
		t.Fatalf("matched %q, want %q", got, want)
	}
	if ms[0].Term != "インバーター" || ms[2].Term != "モーター" {
		t.Errorf("terms %q, %q", ms[0].Term, ms[2].Term)
	}
}

func TestMatchGermanCompoundsAsWholeWords(t *testing.T) {
	m := fixtureMatcher(t)
	body := strings.Join([]string{
		"Der Frequenzumrichter meldet einen Überstromfehler.",
		"Prüfen Sie den Bremswiderstand des Frequenzumrichters und den Gleichspannungszwischenkreis.",
		"Die Zwischenkreisspannung, das Umrichtergehäuse und der Motorschutzschalter sind keine Begriffe der Liste.",
	}, "\n")
	ms := m.Match(body, "de")
	want := []string{"Frequenzumrichter", "Überstromfehler", "Bremswiderstand", "Frequenzumrichters", "Gleichspannungszwischenkreis"}
	if got := texts(ms); !slices.Equal(got, want) {
		t.Fatalf("matched %q, want %q", got, want)
	}
	// The inflected form is reported under its term.
	if ms[3].Term != "Frequenzumrichter" || ms[3].Concept != "frequency-inverter" {
		t.Errorf("match form reported as %q of %s", ms[3].Term, ms[3].Concept)
	}
	// The compound listed as a term is one match of dc-link, not
	// "Zwischenkreis" found inside it.
	if ms[4].Concept != "dc-link" || ms[4].Term != "Gleichspannungszwischenkreis" {
		t.Errorf("compound matched as %q of %s", ms[4].Term, ms[4].Concept)
	}
}

func TestMatchNormalisesWidthCaseAndComposition(t *testing.T) {
	m := fixtureMatcher(t)
	cases := []struct {
		lang, text, want string
	}{
		{"en", "Check the ＶＦＤ first.", "ＶＦＤ"},                                  // full-width, case-sensitive term
		{"en", "THE FREQUENCY INVERTER TRIPPED", "FREQUENCY INVERTER"},         // case-insensitive term
		{"de", "UBERSTROM und U\u0308berstromfehler", "U\u0308berstromfehler"}, // decomposed umlaut
		{"ja", "ｲﾝﾊﾞｰﾀを再起動", "ｲﾝﾊﾞｰﾀ"},                                         // half-width katakana
		{"zh-CN", "使用VFD控制电机", "VFD"},                                          // Latin term between Han characters
	}
	for _, c := range cases {
		ms := m.Match(c.text, c.lang)
		if len(ms) == 0 || ms[0].Text != c.want {
			t.Errorf("%q: matched %q, want %q first", c.text, texts(ms), c.want)
			continue
		}
		if c.text[ms[0].Start:ms[0].End] != c.want {
			t.Errorf("%q: offsets %d:%d do not cover %q", c.text, ms[0].Start, ms[0].End, c.want)
		}
	}
}

func TestMatchRespectsCaseSensitiveTerms(t *testing.T) {
	m := fixtureMatcher(t)
	if ms := m.Match("the vfd and the fu", "en"); len(ms) != 0 {
		t.Errorf("case-sensitive VFD/FU matched lower case: %q", texts(ms))
	}
	if ms := m.Match("Der FU ist aus.", "de"); len(ms) != 1 || ms[0].Term != "FU" {
		t.Errorf("FU not matched: %q", texts(ms))
	}
}

func TestMatchWordBoundariesInSpacedScripts(t *testing.T) {
	m := fixtureMatcher(t)
	body := "motorway, motors, motor-driven, parameterless, DC links, the DC link."
	got := texts(m.Match(body, "en"))
	want := []string{"motors", "motor", "DC link"}
	if !slices.Equal(got, want) {
		t.Errorf("matched %q, want %q", got, want)
	}
}

func TestMatchOfSharedSpellingPrefersTextLanguage(t *testing.T) {
	m := fixtureMatcher(t)
	// "motor" is a term in en, es and pt (and "Motor" in de): a Spanish
	// text reports the Spanish one; a text in an unlisted language reports
	// all four.
	ms := m.Match("El motor se detiene.", "es-MX")
	if len(ms) != 1 || ms[0].Locale != "es" {
		t.Fatalf("es-MX text: %+v", ms)
	}
	ms = m.Match("Il motor è fermo.", "it")
	var locs []string
	for _, mt := range ms {
		locs = append(locs, mt.Locale)
	}
	if !slices.Equal(locs, []string{"de", "en", "es", "pt"}) {
		t.Errorf("it text: locales %v", locs)
	}
}

func TestMatchAcrossLineBreaksAndSpecialSpaces(t *testing.T) {
	m := fixtureMatcher(t)
	body := "Check the frequency\ninverter and the DC\u00a0link.\nThe braking  re\u00adsistor is hot."
	ms := m.Match(body, "en")
	if got, want := texts(ms), []string{"frequency\ninverter", "DC\u00a0link", "braking  re\u00adsistor"}; !slices.Equal(got, want) {
		t.Fatalf("matched %q, want %q", got, want)
	}
	if ms[0].Line != 1 || ms[1].Line != 2 || ms[2].Line != 3 {
		t.Errorf("lines %d %d %d", ms[0].Line, ms[1].Line, ms[2].Line)
	}
	// Ideographic space between Latin words counts as a space too.
	if ms := m.Match("variable\u3000frequency drive", "en"); len(ms) != 1 {
		t.Errorf("ideographic space: %q", texts(ms))
	}
}

func TestMatcherIsSafeForConcurrentUse(t *testing.T) {
	m := fixtureMatcher(t)
	units := []struct{ lang, body string }{
		{"zh-CN", "变频器报过流故障时，请检查制动电阻。更换马达前先断电。"},
		{"en", "Do not open the frequency changer. The frequency inverter and the variable frequency drive."},
		{"es-MX", "El convertidor de frecuencia muestra una falla por sobrecorriente."},
		{"ja", "インバータの設定を確認します。インバーターを再起動してください。"},
		{"de", "Der Frequenzumrichter meldet einen Überstromfehler im Zwischenkreis."},
	}
	want := make([]string, len(units))
	for i, u := range units {
		want[i] = fmt.Sprintf("%+v", m.Map(unit("u", u.lang, u.body)))
	}
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for n := 0; n < 200; n++ {
				i := (g + n) % len(units)
				if got := fmt.Sprintf("%+v", m.Map(unit("u", units[i].lang, units[i].body))); got != want[i] {
					errs <- got
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent result differs: %s", e)
	}
}
