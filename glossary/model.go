package glossary

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Status is the normative status of a term: whether writers should use it.
type Status string

// Term statuses. The zero value means the source did not say; such terms
// count as admitted everywhere a status matters.
const (
	StatusUnspecified Status = ""
	StatusPreferred   Status = "preferred"
	StatusAdmitted    Status = "admitted"
	StatusDeprecated  Status = "deprecated"
	StatusForbidden   Status = "forbidden"
)

// Usable reports whether writers may use a term of this status: preferred,
// admitted or unspecified.
func (s Status) Usable() bool {
	return s == StatusPreferred || s == StatusAdmitted || s == StatusUnspecified
}

// Valid reports whether s is one of the statuses above.
func (s Status) Valid() bool {
	switch s {
	case StatusUnspecified, StatusPreferred, StatusAdmitted, StatusDeprecated, StatusForbidden:
		return true
	}
	return false
}

// rank orders terms within a language section: preferred first, forbidden last.
func (s Status) rank() int {
	switch s {
	case StatusPreferred:
		return 0
	case StatusAdmitted:
		return 1
	case StatusUnspecified:
		return 2
	case StatusDeprecated:
		return 3
	}
	return 4
}

// Term is one designation of a concept in one locale.
type Term struct {
	// Text is the term as it should be written.
	Text   string
	Status Status
	// Type is the TBX termType: fullForm, acronym, abbreviation, shortForm,
	// variant, phrase, synonym... Acronyms, abbreviations, initialisms and
	// short forms are not counted when checking a unit for inconsistent terms,
	// since introducing an acronym next to its full form is good practice.
	Type string
	// PartOfSpeech is the TBX partOfSpeech: noun, verb, adjective...
	PartOfSpeech string
	// CaseSensitive terms match only text with the same letter case (after
	// Unicode compatibility normalisation); others ignore case.
	CaseSensitive bool
	// MatchForms are further spellings the matcher accepts for this term,
	// typically inflections ("Frequenzumrichters"). Findings and suggestions
	// always name Text.
	MatchForms []string
	// Context is a sample sentence showing the term in use.
	Context string
	Notes   []string
}

// LangSec holds what a concept has in one locale.
type LangSec struct {
	// Locale is a BCP 47 tag in canonical form: "de", "es-MX", "zh-Hant-TW".
	// A tag without region applies to every region of its language.
	Locale     string
	Definition string
	Notes      []string
	// Terms come preferred first, then admitted, unspecified, deprecated,
	// forbidden; within a status in the order they were given.
	Terms []Term
}

// Concept is one thing the terms of all languages designate.
type Concept struct {
	// ID is stable and unique within the termbase; units refer to it.
	ID           string
	SubjectField string
	// Definition is a definition given without a language (TBX v2 files
	// often define at entry level); definitions per language are in Langs.
	Definition string
	// Owner is who is accountable for the concept, e.g. an e-mail address.
	Owner string
	Notes []string
	// Langs are sorted by Locale, one per locale.
	Langs []LangSec
}

// Lang returns the section of locale loc (exact tag match), or nil.
func (c *Concept) Lang(loc string) *LangSec {
	for i := range c.Langs {
		if c.Langs[i].Locale == loc {
			return &c.Langs[i]
		}
	}
	return nil
}

// TermCount is the number of terms in all languages.
func (c *Concept) TermCount() int {
	n := 0
	for _, l := range c.Langs {
		n += len(l.Terms)
	}
	return n
}

// Clone returns a deep copy of c.
func (c *Concept) Clone() *Concept {
	d := *c
	d.Notes = slices.Clone(c.Notes)
	d.Langs = make([]LangSec, len(c.Langs))
	for i, l := range c.Langs {
		l.Notes = slices.Clone(l.Notes)
		terms := make([]Term, len(l.Terms))
		for j, t := range l.Terms {
			t.MatchForms = slices.Clone(t.MatchForms)
			t.Notes = slices.Clone(t.Notes)
			terms[j] = t
		}
		l.Terms = terms
		d.Langs[i] = l
	}
	return &d
}

// Termbase is a set of concepts kept sorted by id. The zero value is an
// empty termbase ready to use. A Termbase is not safe for concurrent
// modification; build a Matcher to share it between goroutines.
type Termbase struct {
	concepts []*Concept
	byID     map[string]*Concept
}

// New returns an empty termbase.
func New() *Termbase { return &Termbase{} }

// Concepts returns the concepts in id order. The slice is the termbase's
// own: do not modify it; change concepts through Put.
func (tb *Termbase) Concepts() []*Concept { return tb.concepts }

// Len is the number of concepts.
func (tb *Termbase) Len() int { return len(tb.concepts) }

// Concept returns the concept with this id, or nil.
func (tb *Termbase) Concept(id string) *Concept { return tb.byID[id] }

// Put normalises c (see Normalize) and adds it, replacing any concept with
// the same id. It fails for an empty or malformed id.
func (tb *Termbase) Put(c *Concept) error {
	if err := validID(c.ID); err != nil {
		return err
	}
	Normalize(c)
	if tb.byID == nil {
		tb.byID = map[string]*Concept{}
	}
	i, found := slices.BinarySearchFunc(tb.concepts, c.ID, func(x *Concept, id string) int { return CompareIDs(x.ID, id) })
	if found {
		tb.concepts[i] = c
	} else {
		tb.concepts = slices.Insert(tb.concepts, i, c)
	}
	tb.byID[c.ID] = c
	return nil
}

// Remove deletes the concept with this id, if any.
func (tb *Termbase) Remove(id string) {
	if _, ok := tb.byID[id]; !ok {
		return
	}
	delete(tb.byID, id)
	tb.concepts = slices.DeleteFunc(tb.concepts, func(c *Concept) bool { return c.ID == id })
}

// Clone returns a deep copy of tb.
func (tb *Termbase) Clone() *Termbase {
	out := &Termbase{concepts: make([]*Concept, len(tb.concepts)), byID: make(map[string]*Concept, len(tb.concepts))}
	for i, c := range tb.concepts {
		d := c.Clone()
		out.concepts[i] = d
		out.byID[d.ID] = d
	}
	return out
}

// Equal reports whether tb and other hold the same concepts with the same
// content.
func (tb *Termbase) Equal(other *Termbase) bool {
	if tb.Len() != other.Len() {
		return false
	}
	for i, c := range tb.concepts {
		if !reflect.DeepEqual(normalForm(c), normalForm(other.concepts[i])) {
			return false
		}
	}
	return true
}

// normalForm makes nil and empty slices compare equal.
func normalForm(c *Concept) *Concept {
	d := c.Clone()
	if len(d.Notes) == 0 {
		d.Notes = nil
	}
	for i := range d.Langs {
		l := &d.Langs[i]
		if len(l.Notes) == 0 {
			l.Notes = nil
		}
		for j := range l.Terms {
			t := &l.Terms[j]
			if len(t.Notes) == 0 {
				t.Notes = nil
			}
			if len(t.MatchForms) == 0 {
				t.MatchForms = nil
			}
		}
	}
	return d
}

// Normalize gives c its canonical form, the form Put stores and the TBX
// export writes: text fields with white space collapsed and in Unicode NFC,
// locales canonical, one section per locale sorted by locale, duplicate
// terms and empty notes dropped, terms ordered by status, match forms
// sorted. Import(Export(tb)) == tb holds for normalised termbases.
func Normalize(c *Concept) {
	c.ID = strings.TrimSpace(c.ID)
	c.SubjectField = CleanText(c.SubjectField)
	c.Definition = CleanText(c.Definition)
	c.Owner = CleanText(c.Owner)
	c.Notes = cleanList(c.Notes)
	var langs []LangSec
	for _, l := range c.Langs {
		l.Locale = CanonicalLocale(l.Locale)
		l.Definition = CleanText(l.Definition)
		l.Notes = cleanList(l.Notes)
		i := slices.IndexFunc(langs, func(x LangSec) bool { return x.Locale == l.Locale })
		if i < 0 {
			langs = append(langs, l)
			continue
		}
		// Two sections for one locale (TBX v2 files have them) become one.
		m := &langs[i]
		if m.Definition == "" {
			m.Definition = l.Definition
		} else if l.Definition != "" && l.Definition != m.Definition {
			m.Definition += " " + l.Definition
		}
		m.Notes = append(m.Notes, l.Notes...)
		m.Terms = append(m.Terms, l.Terms...)
	}
	for i := range langs {
		l := &langs[i]
		var terms []Term
		for _, t := range l.Terms {
			t.Text = CleanText(t.Text)
			if t.Text == "" {
				continue
			}
			t.Type = CleanText(t.Type)
			t.PartOfSpeech = CleanText(t.PartOfSpeech)
			t.Context = CleanText(t.Context)
			t.Notes = cleanList(t.Notes)
			forms := cleanList(t.MatchForms)
			forms = slices.DeleteFunc(forms, func(f string) bool { return f == t.Text })
			slices.Sort(forms)
			t.MatchForms = slices.Compact(forms)
			if j := slices.IndexFunc(terms, func(x Term) bool { return x.Text == t.Text }); j >= 0 {
				mergeTerm(&terms[j], t)
				continue
			}
			terms = append(terms, t)
		}
		slices.SortStableFunc(terms, func(a, b Term) int { return cmp.Compare(a.Status.rank(), b.Status.rank()) })
		l.Terms = terms
	}
	slices.SortFunc(langs, func(a, b LangSec) int { return strings.Compare(a.Locale, b.Locale) })
	c.Langs = langs
}

// mergeTerm folds a repeated term into the first occurrence, filling what
// the first left empty.
func mergeTerm(dst *Term, src Term) {
	if dst.Status == StatusUnspecified {
		dst.Status = src.Status
	}
	if dst.Type == "" {
		dst.Type = src.Type
	}
	if dst.PartOfSpeech == "" {
		dst.PartOfSpeech = src.PartOfSpeech
	}
	if dst.Context == "" {
		dst.Context = src.Context
	}
	dst.CaseSensitive = dst.CaseSensitive || src.CaseSensitive
	for _, n := range src.Notes {
		if !slices.Contains(dst.Notes, n) {
			dst.Notes = append(dst.Notes, n)
		}
	}
	forms := append(dst.MatchForms, src.MatchForms...)
	slices.Sort(forms)
	dst.MatchForms = slices.Compact(forms)
}

func cleanList(in []string) []string {
	var out []string
	for _, s := range in {
		if s = CleanText(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// CleanText collapses every run of white space to one space, trims the
// ends, drops control characters and puts the text in Unicode NFC. TBX
// files are pretty-printed, so line breaks inside their text carry no
// meaning.
func CleanText(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == utf8.RuneError || r == '\uFEFF':
			continue
		case unicode.IsSpace(r):
			space = true
			continue
		case unicode.IsControl(r):
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return norm.NFC.String(b.String())
}

// validID accepts ids without white space or control characters, of at most
// 200 bytes.
func validID(id string) error {
	if id == "" {
		return fmt.Errorf("concept without an id")
	}
	if len(id) > 200 {
		return fmt.Errorf("concept id %.40q… is longer than 200 bytes", id)
	}
	for _, r := range id {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("concept id %q contains white space or a control character", id)
		}
	}
	return nil
}

// CompareIDs orders concept ids naturally: runs of digits compare by value,
// so "c2" sorts before "c10". Ties fall back to byte order, so the order is
// total.
func CompareIDs(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if isDigit(ca) && isDigit(cb) {
			si, sj := i, j
			for i < len(a) && isDigit(a[i]) {
				i++
			}
			for j < len(b) && isDigit(b[j]) {
				j++
			}
			na := strings.TrimLeft(a[si:i], "0")
			nb := strings.TrimLeft(b[sj:j], "0")
			if c := cmp.Compare(len(na), len(nb)); c != 0 {
				return c
			}
			if c := strings.Compare(na, nb); c != 0 {
				return c
			}
			continue
		}
		if c := cmp.Compare(ca, cb); c != 0 {
			return c
		}
		i++
		j++
	}
	if c := cmp.Compare(len(a)-i, len(b)-j); c != 0 {
		return c
	}
	return strings.Compare(a, b)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
