package reviews

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources/sourcetest"
)

// The hand-written matchers find what the quantity and rangeStart regexps
// find, with the same group positions: on every line of the corpus, on lines written to
// hit its corners, and on a million random lines of digits, unit symbols,
// separators and letters.
func TestQuantityMatchersAreTheRegexps(t *testing.T) {
	lines := []string{
		"0 – 40 °C", "-20 to 60 °C", "5 bis 10 kW", "25° C", "25°\tC", "25°  C", "25°CX", "25 °Cé", "5 mins", "5 min.", "5 min",
		"1.5.3 mm", "1,5 mm²", "2mm2", "3 mm2x", "4 kVA", "4 kVAr", "4 kV", "6 V6 V", "7 V,8 V", "--5 V", "-.5 V", "5.V", "5. V",
		"12%", "12 %%", "3 dBm", "10 m/s", "10 ms", "1 h", "1 hh", "100 rpm", "2 bar", "2 barg", "7 A\xff", "7 A\u00a0", "٣ V", "１０ °C",
		"9 MPa", "9 kPa,", "1 kg", "1 g", "1 s", "", "-", "5", "5 ", "℃5 ℃", "5℉", "5 °F", "5 ° F",
		"1.2.5 to 7 V", "a.5 to 7 V", "−5 – 5 V", "--5 - 5 V", "5 à 6 V", "5 a 6 V", "5 bisa 6 V", "5 até\t 7 h", "5,5～6 V", "5 to\u00a07 V",
	}
	for _, name := range []string{"manuals", "tickets", "glossary"} {
		dir := sourcetest.Corpus(t, name)
		files, _ := filepath.Glob(filepath.Join(dir, "*"))
		for _, f := range files {
			if ext := filepath.Ext(f); ext != ".md" && ext != ".html" && ext != ".csv" && ext != ".tbx" {
				continue
			}
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			lines = append(lines, strings.Split(string(b), "\n")...)
		}
	}
	parts := append([]string{"0", "1", "23", "-", "−", ".", ",", " ", "\t", "\u00a0", "°", "x", "é", "中", "/", "|", "\xff", "²"}, quantityUnits...)
	parts = append(parts, rangeWords...)
	r := rand.New(rand.NewPCG(7, 11))
	for range 1000000 {
		var b strings.Builder
		for range 1 + r.IntN(8) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		lines = append(lines, b.String())
	}
	ranges := 0
	for _, line := range lines {
		// Statements asks about the text before each number.
		for i := 0; i <= len(line); i++ {
			if i < len(line) && !isDigit(line[i]) && line[i] != '-' {
				continue
			}
			before := line[:i]
			want := rangeStart.FindStringSubmatchIndex(before)
			if got := findRangeStart(before); !reflect.DeepEqual(got, want) {
				t.Fatalf("%q: range matcher %v, regexp %v", before, got, want)
			}
			if want != nil {
				ranges++
			}
		}
	}
	if ranges < 100 {
		t.Errorf("only %d range starts: is the corpus there?", ranges)
	}
	found := 0
	for _, line := range lines {
		want := quantity.FindAllStringSubmatchIndex(line, -1)
		got := findQuantities(line)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: matcher %v, regexp %v", line, got, want)
		}
		found += len(want)
	}
	if found < 10000 {
		t.Errorf("only %d quantities in %d lines: is the corpus there?", found, len(lines))
	}
}
