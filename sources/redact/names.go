package redact

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Names finds the names of known people (a ticket's requester) in text:
// each full name and its parts, case-insensitively, on word boundaries
// (without boundaries for CJK scripts, which do not separate words). Build
// one per ticket with NewNames; the zero or nil value finds nothing.
type Names struct {
	byFirst map[rune][]nameTerm // terms by their first (lower-case) rune, longest first
	ascii   [128]bool           // ASCII bytes (either case) that start a term
}

// nameStop are parts of names too common to redact on their own: titles,
// particles and salutations, which would otherwise blank out ordinary
// words ("de", "van", "Mr").
var nameStop = map[string]bool{
	"mr": true, "mrs": true, "ms": true, "miss": true, "dr": true, "prof": true, "sir": true, "herr": true, "frau": true,
	"sr": true, "sra": true, "srta": true, "don": true, "doña": true, "m": true, "mme": true, "mlle": true,
	"de": true, "del": true, "della": true, "der": true, "den": true, "van": true, "von": true, "da": true, "das": true,
	"dos": true, "di": true, "du": true, "la": true, "le": true, "el": true, "y": true, "e": true, "bin": true, "ibn": true,
	"al": true, "jr": true, "sr.": true, "ii": true, "iii": true, "customer": true, "support": true, "team": true,
	"admin": true, "info": true, "user": true, "kunde": true, "cliente": true, "client": true, "name": true,
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// NewNames returns a matcher for the given values: person names ("Jean-Luc
// Picard", "王小明") and e-mail addresses, whose local part is often the
// person's name ("j.picard" finds "Picard"). Empty values are ignored.
func NewNames(values ...string) *Names {
	seen := map[string]bool{}
	var terms []string
	addTerm := func(t string) {
		t = strings.TrimSpace(strings.Trim(t, ".,;:'\"()"))
		if t == "" {
			return
		}
		l := strings.ToLower(t)
		n := utf8.RuneCountInString(t)
		r, _ := utf8.DecodeRuneInString(t)
		if seen[l] || nameStop[l] || n < 2 || !isCJK(r) && n < 2 {
			return
		}
		if !strings.ContainsFunc(t, unicode.IsLetter) {
			return
		}
		seen[l] = true
		terms = append(terms, t)
	}
	for _, v := range values {
		v = strings.TrimSpace(v)
		if v == "" {
			continue
		}
		if at := strings.IndexByte(v, '@'); at > 0 {
			local := v[:at]
			if utf8.RuneCountInString(local) >= 4 {
				addTerm(local)
			}
			for _, p := range strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) }) {
				if utf8.RuneCountInString(p) >= 3 {
					addTerm(p)
				}
			}
			continue
		}
		addTerm(v)
		// "Picard, Jean-Luc" and "Jean-Luc Picard": parts, and the parts of
		// hyphenated parts.
		for _, p := range strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '/' }) {
			addTerm(p)
			if strings.ContainsRune(p, '-') {
				for _, q := range strings.Split(p, "-") {
					addTerm(q)
				}
			}
			rs := []rune(p)
			if len(rs) >= 3 && isCJK(rs[0]) {
				addTerm(string(rs[1:])) // given name without the family name
			}
		}
	}
	if len(terms) == 0 {
		return &Names{}
	}
	// Longest first, so "Jean-Luc Picard" wins over "Jean".
	sort.Slice(terms, func(i, j int) bool {
		if len(terms[i]) != len(terms[j]) {
			return len(terms[i]) > len(terms[j])
		}
		return terms[i] < terms[j]
	})
	n := &Names{byFirst: map[rune][]nameTerm{}}
	for _, t := range terms {
		// Whitespace inside a full name matches any run of whitespace
		// ("Jean  Luc\nPicard").
		var rs []rune
		for i, f := range strings.Fields(t) {
			if i > 0 {
				rs = append(rs, ' ')
			}
			for _, r := range f {
				rs = append(rs, unicode.ToLower(r))
			}
		}
		n.byFirst[rs[0]] = append(n.byFirst[rs[0]], nameTerm{rs})
		if rs[0] < utf8.RuneSelf {
			n.ascii[rs[0]] = true
			n.ascii[unicode.ToUpper(rs[0])] = true
		}
	}
	return n
}

type nameTerm struct {
	runes []rune // lower-cased; ' ' stands for any whitespace run
}

// matchAt returns the end of t at text[i:], if it is there.
func (t nameTerm) matchAt(text string, i int) (int, bool) {
	j := i
	for _, want := range t.runes {
		if want == ' ' {
			k := j
			for k < len(text) {
				r, size := utf8.DecodeRuneInString(text[k:])
				if !unicode.IsSpace(r) {
					break
				}
				k += size
			}
			if k == j {
				return 0, false
			}
			j = k
			continue
		}
		if j >= len(text) {
			return 0, false
		}
		r, size := rune(text[j]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[j:])
		}
		if toLower(r) != want {
			return 0, false
		}
		j += size
	}
	return j, true
}

func toLower(r rune) rune {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	return unicode.ToLower(r)
}

func (n *Names) find(text string, add func(Kind, int, int)) {
	if n == nil || len(n.byFirst) == 0 {
		return
	}
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r < utf8.RuneSelf {
			if !n.ascii[r] {
				i++
				continue
			}
		} else {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		ts, ok := n.byFirst[toLower(r)]
		if ok && (isCJK(r) || !isAlnum(prevRune(text, i))) {
			matched := false
			for _, t := range ts {
				e, ok := t.matchAt(text, i)
				if !ok {
					continue
				}
				last, _ := utf8.DecodeLastRuneInString(text[:e])
				if isCJK(last) || !isAlnum(nextRune(text, e)) {
					add(Name, i, e)
					i = e
					matched = true
					break
				}
			}
			if matched {
				continue
			}
		}
		i += size
	}
}
