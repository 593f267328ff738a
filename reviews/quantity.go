package reviews

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// quantityUnits are the unit symbols of the quantity regexp, in its
// alternation order: longer symbols first, so that "mm²" is not read as
// "m".
var quantityUnits = []string{"°C", "℃", "°F", "℉", "mm²", "mm2", "mm", "cm", "kW", "kVA", "W", "kV", "mV", "V", "mA", "A",
	"kHz", "Hz", "%", "MPa", "kPa", "bar", "kg", "g", "ms", "min", "rpm", "dB", "m", "s", "h"}

// findQuantities returns what quantity.FindAllStringSubmatchIndex(line,
// -1) returns, without the regexp: the regexp's backtracking was most of
// the conflict check's time (9 of 36 s of an approve of 40,000 units).
// Each match is [start, end, number start, number end, unit start, unit
// end]. It is checked against the regexp on
// every line of the corpus and on random lines (TestQuantityMatchersAreTheRegexps).
func findQuantities(line string) [][]int {
	var out [][]int
	for p := 0; p < len(line); {
		if m := quantityAt(line, p); m != nil {
			out = append(out, m)
			p = m[1]
			continue
		}
		p++
	}
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }

// quantityAt matches the quantity regexp at p exactly (leftmost-first):
// `(-?\d+(?:[.,]\d+)?)\s*(unit)(?:[^\p{L}\d]|$)`. The number is maximal —
// a shorter one is followed by a digit, a '.' or a ',', where no unit
// starts — so only the unit alternatives are tried in turn.
func quantityAt(line string, p int) []int {
	i := p
	if i < len(line) && line[i] == '-' {
		i++
	}
	d := i
	for i < len(line) && isDigit(line[i]) {
		i++
	}
	if i == d {
		return nil
	}
	if i+1 < len(line) && (line[i] == '.' || line[i] == ',') && isDigit(line[i+1]) {
		i += 2
		for i < len(line) && isDigit(line[i]) {
			i++
		}
	}
	numEnd := i
	for i < len(line) && isSpace(line[i]) {
		i++
	}
	u := i
	for _, sym := range quantityUnits {
		for _, end := range unitEnds(line, u, sym) {
			if end == len(line) {
				return []int{p, end, p, numEnd, u, end}
			}
			r, size := utf8.DecodeRuneInString(line[end:])
			if !unicode.IsLetter(r) && !isDigit(line[end]) {
				return []int{p, end + size, p, numEnd, u, end}
			}
		}
	}
	return nil
}

// unitEnds returns where sym can end when it starts at u, in the regexp's
// order: "°C" and "°F" are `°\s?C`, one optional white-space character
// tried first.
func unitEnds(line string, u int, sym string) []int {
	if strings.HasPrefix(sym, "°") {
		rest := line[u:]
		if !strings.HasPrefix(rest, "°") {
			return nil
		}
		k := u + len("°")
		var ends []int
		if k < len(line) && isSpace(line[k]) && k+1 < len(line) && line[k+1] == sym[len(sym)-1] {
			ends = append(ends, k+2)
		}
		if k < len(line) && line[k] == sym[len(sym)-1] {
			ends = append(ends, k+1)
		}
		return ends
	}
	if strings.HasPrefix(line[u:], sym) {
		return []int{u + len(sym)}
	}
	return nil
}

// findRangeStart returns what rangeStart.FindStringSubmatchIndex(s)
// returns, without the regexp (which, anchored at the end, tried every
// start in s: 4 of 8 s of Statements on text where every value follows
// "to"): [start, len(s), number start, number end], or nil.
// `([-−]?\d+(?:[.,]\d+)?)\s*(?:range word)\s*$` matches only where s ends
// in white space, a range word, white space and a number; the leftmost
// start is the whole number with its sign.
func findRangeStart(s string) []int {
	t := strings.TrimRight(s, "\t\n\f\r ")
	best := -1
	var m []int
	for _, w := range rangeWords {
		if !strings.HasSuffix(t, w) {
			continue
		}
		n := len(strings.TrimRight(t[:len(t)-len(w)], "\t\n\f\r "))
		i := n
		for i > 0 && isDigit(s[i-1]) {
			i--
		}
		if i == n {
			continue
		}
		if i >= 2 && (s[i-1] == '.' || s[i-1] == ',') && isDigit(s[i-2]) {
			i--
			for i > 0 && isDigit(s[i-1]) {
				i--
			}
		}
		switch {
		case i > 0 && s[i-1] == '-':
			i--
		case strings.HasSuffix(s[:i], "−"):
			i -= len("−")
		}
		if best < 0 || i < best {
			best, m = i, []int{i, len(s), i, n}
		}
	}
	return m
}
