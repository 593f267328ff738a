package glossary

import (
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// DefaultTargets returns the languages kbops serves unless configured
// otherwise: en, zh, es, de, fr, pt, ar, ru, ja.
func DefaultTargets() []string {
	return []string{"en", "zh", "es", "de", "fr", "pt", "ar", "ru", "ja"}
}

// MatcherOptions tune a Matcher. The zero value is ready to use.
type MatcherOptions struct {
	// Targets are the languages Map reports missing terms for; nil means
	// DefaultTargets.
	Targets []string
	// SameLanguageOnly makes only terms of the text's own language count as
	// mentions. By default a term of any language does, since product
	// manuals mix languages (English terms in Chinese text).
	SameLanguageOnly bool
}

// ref is one term (or match form) a pattern stands for.
type ref struct {
	t       *Term
	concept int32
	lang    int32  // index of the language section in the concept
	loc     int32  // index into Matcher.locales
	exact   string // NFKC form for case-sensitive terms, else ""
}

// Matcher finds the terms of a termbase in texts. Build it once with
// NewMatcher; it is immutable and safe for concurrent use. It finds every
// term of every locale in one pass over a text (see startIndex).
type Matcher struct {
	concepts []*Concept
	byID     map[string]int32
	locales  []locale   // distinct term locales
	lc       locCache   // the same by tag; read only once built
	gaps     [][]string // per concept: the targets it has no usable term for
	index    startIndex
	pats     [][]byte // matching form of each pattern
	refs     [][]ref  // per pattern
	exactAll []bool   // per pattern: every ref is case-sensitive
	targets  []string
	sameLang bool
	scratch  sync.Pool
}

// NewMatcher builds a matcher for every term and match form of every locale
// of tb. It works on a copy: later changes to tb do not affect it.
func NewMatcher(tb *Termbase, opts MatcherOptions) (*Matcher, error) {
	tb = tb.Clone()
	m := &Matcher{
		concepts: tb.Concepts(),
		byID:     make(map[string]int32, tb.Len()),
		targets:  opts.Targets,
		sameLang: opts.SameLanguageOnly,
	}
	if m.targets == nil {
		m.targets = DefaultTargets()
	}
	m.scratch.New = func() any { return new(scratch) }
	index := map[string]int32{}
	locIndex := map[string]int32{}
	var patterns [][]byte
	add := func(r ref, text string, caseSensitive bool) {
		key := foldKey(text)
		if strings.TrimSpace(key) == "" {
			return
		}
		if caseSensitive {
			r.exact = norm.NFKC.String(text)
		}
		p, ok := index[key]
		if !ok {
			p = int32(len(patterns))
			index[key] = p
			patterns = append(patterns, []byte(key))
			m.refs = append(m.refs, nil)
			m.exactAll = append(m.exactAll, true)
		}
		m.refs[p] = append(m.refs[p], r)
		m.exactAll[p] = m.exactAll[p] && caseSensitive
	}
	for ci, c := range m.concepts {
		m.byID[c.ID] = int32(ci)
		for li := range c.Langs {
			l := &c.Langs[li]
			loc, ok := locIndex[l.Locale]
			if !ok {
				loc = int32(len(m.locales))
				locIndex[l.Locale] = loc
				m.locales = append(m.locales, parseLocale(l.Locale))
			}
			for ti := range l.Terms {
				t := &l.Terms[ti]
				r := ref{t: t, concept: int32(ci), lang: int32(li), loc: loc}
				add(r, t.Text, t.CaseSensitive)
				for _, f := range t.MatchForms {
					add(r, f, t.CaseSensitive)
				}
			}
		}
	}
	m.pats = patterns
	m.index.build(patterns)
	m.lc = locCache{}
	for _, l := range m.locales {
		m.lc[l.tag] = l
	}
	for _, c := range m.concepts {
		for _, l := range c.Langs {
			m.lc.remember(l.Locale)
		}
	}
	targets := make([]locale, len(m.targets))
	for i, t := range m.targets {
		targets[i] = parseLocale(t)
	}
	m.gaps = make([][]string, len(m.concepts))
	for ci, c := range m.concepts {
		for i, t := range targets {
			if !c.hasTermIn(t, m.lc) {
				m.gaps[ci] = append(m.gaps[ci], m.targets[i])
			}
		}
	}
	return m, nil
}

// asciiWord marks the ASCII bytes wordChar accepts.
var asciiWord = func() (t [256]bool) {
	for c := 0; c < utf8.RuneSelf; c++ {
		t[c] = wordChar(rune(c))
	}
	return t
}()

// firstWordLen is the length of the run of word characters (see wordChar)
// at the start of b.
func firstWordLen(b []byte) int {
	f := foldData()
	i := 0
	for i < len(b) {
		if c := b[i]; c < utf8.RuneSelf {
			if !asciiWord[c] {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if !f.isWord(r) {
			break
		}
		i += size
	}
	return i
}

// Patterns is the number of distinct term spellings the matcher looks for.
func (m *Matcher) Patterns() int { return len(m.refs) }

// Keys is the number of distinct start keys (first words, first two
// characters) in the matcher's index, for capacity planning.
func (m *Matcher) Keys() int {
	n := 0
	for _, s := range m.index.slots {
		if s.key != 0 {
			n++
		}
	}
	return n
}

func (m *Matcher) term(r ref) *Term { return r.t }

func (m *Matcher) locale(r ref) locale { return m.locales[r.loc] }

// Match is one occurrence of a term in a text.
type Match struct {
	Concept string
	// Locale is the locale of the term's language section.
	Locale string
	// Term is the term as the termbase writes it, also when one of its
	// match forms was found.
	Term   string
	Status Status
	// Text is the occurrence as written in the text.
	Text string
	// Start and End are byte offsets of the occurrence in the text.
	Start, End int
	// Line is the 1-based line of Start.
	Line int
}

// Match returns the occurrences of terms in text, in order of position.
// lang is the text's locale ("" when unknown): when a spelling is a term in
// several locales, the terms that suit lang are preferred (see Map). Where
// occurrences overlap the longest wins, and one spelling shared by several
// concepts gives one Match per concept.
func (m *Matcher) Match(text, lang string) []Match {
	sc := m.scratch.Get().(*scratch)
	defer m.scratch.Put(sc)
	hits := m.find(sc, text, parseLocale(lang))
	out := make([]Match, 0, countRefs(hits))
	for _, h := range hits {
		out = m.appendMatches(out, h, text)
	}
	return out
}

func (m *Matcher) appendMatches(out []Match, h hit, text string) []Match {
	for _, r := range h.refs {
		c := m.concepts[r.concept]
		out = append(out, Match{
			Concept: c.ID,
			Locale:  c.Langs[r.lang].Locale,
			Term:    r.t.Text,
			Status:  r.t.Status,
			Text:    text[h.start:h.end],
			Start:   h.start,
			End:     h.end,
			Line:    h.line,
		})
	}
	return out
}

// hit is an accepted occurrence with the refs that suit the text best.
type hit struct {
	start, end int // in the original text
	line       int
	class      int // 0: a term of the text's locale; 1: of another regional variant; 2: of another language
	refs       []ref
}

type cand struct {
	start, end int32 // in the matching form
	pat        int32
}

type scratch struct {
	norm     []byte
	offs     []int32
	cands    []cand
	sel      []cand
	fits     []int8   // per locale: fit class for the current text, or -1 if not computed
	hits     []hit    // the result of find, valid until the next call
	seen     []uint32 // Map: per concept, the generation that last saw it
	firstGen []uint32 // Map: per concept, the generation of firstUse
	firstUse []int32  // Map: per concept, its first entry in uses
	gen      uint32
	uses     []mapUse // Map: uses of terms, reused between units
	first    []mapUse // Map: first mention of each concept
	raw      []rawCand
}

// find returns the accepted occurrences of terms in text, in order of
// position. The slice lives in sc and is overwritten by the next call.
func (m *Matcher) find(sc *scratch, text string, loc locale) []hit {
	if text == "" || len(m.refs) == 0 {
		return nil
	}
	sc.offs = sc.offs[:0]
	sc.norm = appendFold(sc.norm[:0], &sc.offs, text, true)
	sc.offs = append(sc.offs, int32(len(text)))
	nf, offs := sc.norm, sc.offs
	sc.cands = sc.cands[:0]
	sc.raw = m.index.scan(nf, m.pats, sc.raw[:0])
	for _, rc := range sc.raw {
		p, start := int(rc.p), int(rc.start)
		end := start + len(m.pats[p])
		// A term must start and end where a character of the original text
		// does, not inside the expansion of one (ß → ss, ﬁ → fi).
		if offs[start] < 0 || offs[end] < 0 || !boundaryOK(nf, start, end) {
			continue
		}
		if m.exactAll[p] && !m.anyExact(p, text[offs[start]:offs[end]]) {
			continue
		}
		sc.cands = append(sc.cands, cand{int32(start), int32(end), int32(p)})
	}
	if len(sc.cands) == 0 {
		return nil
	}
	// Longest first; among equals, the leftmost. An occurrence overlapping
	// one already accepted is dropped.
	slices.SortFunc(sc.cands, func(a, b cand) int {
		if la, lb := a.end-a.start, b.end-b.start; la != lb {
			return int(lb - la)
		}
		return int(a.start - b.start)
	})
	sel := sc.sel[:0]
	for _, c := range sc.cands {
		i := sort.Search(len(sel), func(i int) bool { return sel[i].end > c.start })
		if i < len(sel) && sel[i].start < c.end {
			continue
		}
		sel = slices.Insert(sel, i, c)
	}
	sc.sel = sel
	hits := sc.hits[:0]
	if cap(sc.fits) < len(m.locales) {
		sc.fits = make([]int8, len(m.locales))
	}
	sc.fits = sc.fits[:len(m.locales)]
	for i := range sc.fits {
		sc.fits[i] = -1
	}
	line, at := 1, 0
	for _, c := range sel {
		s, e := int(offs[c.start]), int(offs[c.end])
		line += strings.Count(text[at:s], "\n")
		at = s
		h := hit{start: s, end: e, line: line}
		h.class, h.refs = m.classify(sc, c.pat, text[s:e], loc)
		hits = append(hits, h)
	}
	sc.hits = hits
	return hits
}

// anyExact reports whether a case-sensitive ref of pattern p is written
// exactly (up to NFKC) as span.
func (m *Matcher) anyExact(p int, span string) bool {
	n := norm.NFKC.String(span)
	for _, r := range m.refs[p] {
		if r.exact == "" || r.exact == n {
			return true
		}
	}
	return false
}

// classify keeps the refs of pattern p that suit a text of locale loc
// best: terms of the text's locale (class 0) over terms of another regional
// variant of its language (class 1) over terms of other languages (class
// 2). Case-sensitive refs not written exactly as span are dropped. A text
// of unknown language takes every term as its own.
func (m *Matcher) classify(sc *scratch, p int32, span string, loc locale) (int, []ref) {
	refs := m.refs[p]
	if len(refs) == 1 && refs[0].exact == "" {
		// The common case, one spelling of one term: no copy.
		return m.fitClass(sc, refs[0].loc, loc), refs
	}
	var nfkc string
	best := 3
	for _, r := range refs {
		if r.exact != "" {
			if nfkc == "" {
				nfkc = norm.NFKC.String(span)
			}
			if r.exact != nfkc {
				continue
			}
		}
		best = min(best, m.fitClass(sc, r.loc, loc))
	}
	var out []ref
	for _, r := range refs {
		if (r.exact == "" || r.exact == nfkc) && m.fitClass(sc, r.loc, loc) == best {
			out = append(out, r)
		}
	}
	return best, out
}

// fitClass is 0 when a term of locale index li suits a text of locale loc,
// 1 when it belongs to another regional variant of the text's language and
// 2 when it is of another language; a text of unknown language takes every
// term as its own. Results are cached per text in sc.
func (m *Matcher) fitClass(sc *scratch, li int32, loc locale) int {
	if c := sc.fits[li]; c >= 0 {
		return int(c)
	}
	class := 0
	if loc.base != "" && loc.base != "und" {
		switch f := fit(m.locales[li], loc); {
		case f == fitWrongVariant:
			class = 1
		case f == fitOtherLanguage:
			class = 2
		}
	}
	sc.fits[li] = int8(class)
	return class
}

// boundaryOK reports whether the occurrence nf[start:end] stands as whole
// words: where the term begins (ends) with a letter or digit of a script
// written with spaces, the character before (after) it must not be one.
// Terms in Chinese, Japanese, Korean and other scripts without spaces match
// anywhere.
func boundaryOK(nf []byte, start, end int) bool {
	if start > 0 {
		first, _ := utf8.DecodeRune(nf[start:end])
		if wordChar(first) {
			if prev, _ := utf8.DecodeLastRune(nf[:start]); wordChar(prev) {
				return false
			}
		}
	}
	if end < len(nf) {
		last, _ := utf8.DecodeLastRune(nf[start:end])
		if wordChar(last) {
			if next, _ := utf8.DecodeRune(nf[end:]); wordChar(next) {
				return false
			}
		}
	}
	return true
}
