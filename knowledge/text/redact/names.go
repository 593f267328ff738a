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
// The names match in any letter case.
func NewNames(values ...string) *Names {
	var b namesBuilder
	for _, v := range values {
		b.add(v, false)
	}
	return b.build()
}

// Learn returns a matcher for the known values (as NewNames: a
// requester's name and address, matched in any letter case) and for the
// people that texts name on their own: the Introduced names, and the
// names in addresses written first.last@… . Learned names match only
// where they are written with a capital, as names are, so that a learned
// "Will" leaves "will" alone.
func Learn(known []string, texts ...string) *Names {
	var b namesBuilder
	for _, v := range known {
		b.add(v, false)
	}
	for _, n := range Introduced(texts...) {
		b.add(n, true)
	}
	for _, t := range texts {
		if strings.IndexByte(t, '@') < 0 {
			continue
		}
		findEmails(t, func(_ Kind, s, e int) {
			local, _, _ := strings.Cut(t[s:e], "@")
			parts := strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' })
			if len(parts) < 2 || len(parts) > 3 {
				return
			}
			var words []string
			for _, p := range parts {
				rs := []rune(p)
				if len(rs) == 1 {
					continue // an initial: "r.kowalczyk"
				}
				if len(rs) < 2 || nameStop[strings.ToLower(p)] || notNames[strings.ToLower(p)] || strings.ContainsFunc(p, func(r rune) bool { return !unicode.IsLetter(r) }) {
					return
				}
				words = append(words, string(unicode.ToUpper(rs[0]))+strings.ToLower(string(rs[1:])))
			}
			if len(words) > 0 && len(strings.Join(words, "")) >= 3 {
				b.add(strings.Join(words, " "), true)
			}
		})
	}
	return b.build()
}

type namesBuilder struct {
	seen  map[string]bool
	terms []nameTerm
}

func (b *namesBuilder) addTerm(t string, capital bool) {
	t = strings.TrimSpace(strings.Trim(t, ".,;:'\"()"))
	if t == "" {
		return
	}
	l := strings.ToLower(t)
	n := utf8.RuneCountInString(t)
	if b.seen[l] || nameStop[l] || n < 2 {
		return
	}
	if !strings.ContainsFunc(t, unicode.IsLetter) {
		return
	}
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	b.seen[l] = true
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
	b.terms = append(b.terms, nameTerm{runes: rs, capital: capital, text: t})
}

func (b *namesBuilder) add(v string, capital bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	if at := strings.IndexByte(v, '@'); at > 0 {
		local := v[:at]
		if utf8.RuneCountInString(local) >= 4 {
			b.addTerm(local, capital)
		}
		for _, p := range strings.FieldsFunc(local, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if utf8.RuneCountInString(p) >= 3 {
				b.addTerm(p, capital)
			}
		}
		return
	}
	b.addTerm(v, capital)
	// "Picard, Jean-Luc" and "Jean-Luc Picard": parts, and the parts of
	// hyphenated parts.
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return unicode.IsSpace(r) || r == ',' || r == '/' }) {
		b.addTerm(p, capital)
		if strings.ContainsRune(p, '-') {
			for _, q := range strings.Split(p, "-") {
				b.addTerm(q, capital)
			}
		}
		rs := []rune(p)
		if len(rs) >= 3 && isCJK(rs[0]) {
			b.addTerm(string(rs[1:]), capital) // given name without the family name
		}
	}
}

func (b *namesBuilder) build() *Names {
	if len(b.terms) == 0 {
		return &Names{}
	}
	terms := b.terms
	// Longest first, so "Jean-Luc Picard" wins over "Jean".
	sort.Slice(terms, func(i, j int) bool {
		if len(terms[i].text) != len(terms[j].text) {
			return len(terms[i].text) > len(terms[j].text)
		}
		return terms[i].text < terms[j].text
	})
	n := &Names{byFirst: map[rune][]nameTerm{}}
	for _, t := range terms {
		rs := t.runes
		n.byFirst[rs[0]] = append(n.byFirst[rs[0]], t)
		if rs[0] < utf8.RuneSelf {
			n.ascii[rs[0]] = true
			n.ascii[unicode.ToUpper(rs[0])] = true
		}
	}
	return n
}

type nameTerm struct {
	runes   []rune // lower-cased; ' ' stands for any whitespace run
	capital bool   // matches only with an upper-case first letter
	text    string // as given, for ordering
}

// matchAt returns the end of t at text[i:], if it is there.
func (t nameTerm) matchAt(text string, i int) (int, bool) {
	if t.capital {
		if r, _ := utf8.DecodeRuneInString(text[i:]); !unicode.IsUpper(r) {
			return 0, false
		}
	}
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
