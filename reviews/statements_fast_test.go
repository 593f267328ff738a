package reviews

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources/sourcetest"
)

// Statements skips lines without a digit and runs rangeStart only on
// prefixes ending in a range word. Both shortcuts must skip only what the
// regexps could not match: checked on every line and line prefix of the
// corpus's text manuals and of crafted edge cases.
func TestStatementShortcutsSkipOnlyWhatCannotMatch(t *testing.T) {
	lines := []string{
		"0 – 40 °C", "-20 to 60 °C", "5 bis 10 kW", "0～5 V", "1 a 3 bar", "10 à 20 mm", "2 até 4 h",
		"0 –\t40 °C", "0 —  \r40 °C", "range 3\f-\n5 V", "0\u00a0–\u00a040 °C", "x – 40 °C", "total 40 °C",
		"１０ °C", "٣ V", "no digits here", "",
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
	checked := 0
	for _, line := range lines {
		if quantity.MatchString(line) && !strings.ContainsAny(line, "0123456789") {
			t.Errorf("a quantity in a line without an ASCII digit: %q", line)
		}
		for i := range line {
			// Statements asks about the text before a number.
			if c := line[i]; (c < '0' || c > '9') && c != '-' {
				continue
			}
			before := line[:i]
			if rangeStart.MatchString(before) && !endsWithRangeWord(before) {
				t.Errorf("rangeStart matches %q, which endsWithRangeWord skips", before)
			}
			checked++
		}
	}
	if checked < 10000 {
		t.Errorf("only %d prefixes checked: is the corpus there?", checked)
	}
}
