package redact

import (
	"regexp"
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
	re *regexp.Regexp
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
	quoted := make([]string, len(terms))
	for i, t := range terms {
		// Flexible whitespace inside a full name: "Jean  Luc\nPicard".
		quoted[i] = strings.Join(strings.Fields(regexp.QuoteMeta(t)), `\s+`)
	}
	re := regexp.MustCompile(`(?i)(?:` + strings.Join(quoted, "|") + `)`)
	return &Names{re: re}
}

func (n *Names) find(text string, add func(Kind, int, int)) {
	if n == nil || n.re == nil {
		return
	}
	for at := 0; at < len(text); {
		loc := n.re.FindStringIndex(text[at:])
		if loc == nil {
			return
		}
		s, e := at+loc[0], at+loc[1]
		first, _ := utf8.DecodeRuneInString(text[s:])
		last, _ := utf8.DecodeLastRuneInString(text[:e])
		okStart := isCJK(first) || !isAlnum(prevRune(text, s))
		okEnd := isCJK(last) || !isAlnum(nextRune(text, e))
		if okStart && okEnd {
			add(Name, s, e)
			at = e
			continue
		}
		// Not on a word boundary ("Ann" in "Annual"): retry one rune on.
		_, size := utf8.DecodeRuneInString(text[s:])
		at = s + size
	}
}
