package stem

import (
	"strings"
	"testing"
)

// A question and the heading that answers it share stems although they
// share no word: the reason the stems are published.
func TestQueryMeetsTextAcrossInflections(t *testing.T) {
	for _, c := range []struct{ query, text, lang string }{
		{"Neigungsmesser neu kalibrieren", "Kalibrierung des Neigungsmessers", "de"},
		{"how do I calibrate the inclinometer", "Calibration of 2 axes of the inclinometers", "en"},
		{"cargar la batería", "Carga de las baterias", "es"},
		{"Anzeige zeigt no sensor", "Display-Anzeigen", "de"},
		// Cognates meet across languages once diacritics are folded.
		{"calibración del inclinómetro", "Calibration of the inclinometer", "en"},
	} {
		q := strings.Fields(Query(c.query))
		text := strings.Fields(Text(c.text, c.lang))
		if !sharesAny(q, text) {
			t.Errorf("query %q → %v and %s text %q → %v share no stem", c.query, q, c.lang, c.text, text)
		}
	}
}

// Function words are not published, so "what does it mean" cannot rank
// a unit; words of scripts without a stemmer are left to their own
// properties.
func TestTextLeavesOutFunctionWordsAndOtherScripts(t *testing.T) {
	if got := Text("What does it mean? The display", "en"); got != "mean display" {
		t.Errorf("Text = %q, want %q", got, "mean display")
	}
	if got := Text("Die Anzeige zeigt NO SENSOR", "de"); got != "anzeig zeigt no sensor" {
		t.Errorf("Text = %q", got)
	}
	if got := Text("主控 MCU 的 I/O 引出接口", "zh"); got != "" {
		t.Errorf("Chinese has no stemmer, Text = %q, want empty", got)
	}
	if got := Text("CH32V003 引脚", "en"); got != "ch32v003" {
		t.Errorf("Text = %q, want the part number only", got)
	}
	if got := Query("xyzzy 接地排"); strings.ContainsFunc(got, func(r rune) bool { return r > 0x7f }) || !strings.Contains(got, "xyzzy") {
		t.Errorf("Query = %q, want the stems of the Latin word only", got)
	}
}

func sharesAny(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}
