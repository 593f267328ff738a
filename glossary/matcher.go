package glossary

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/kbops/kbops/glossary/internal/ac"
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
	concept, lang, term int32
	form                int32  // -1 for the term itself, else the match form's index
	exact               string // NFKC form for case-sensitive terms, else ""
}

// Matcher finds the terms of a termbase in texts. Build it once with
// NewMatcher; it is immutable and safe for concurrent use.
type Matcher struct {
	concepts []*Concept
	byID     map[string]int32
	locs     [][]locale // per concept, per language section
	ac       *ac.Automaton
	refs     [][]ref // per pattern
	exactAll []bool  // per pattern: every ref is case-sensitive
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
		locs:     make([][]locale, tb.Len()),
		targets:  opts.Targets,
		sameLang: opts.SameLanguageOnly,
	}
	if m.targets == nil {
		m.targets = DefaultTargets()
	}
	m.scratch.New = func() any { return new(scratch) }
	index := map[string]int32{}
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
		m.locs[ci] = make([]locale, len(c.Langs))
		for li, l := range c.Langs {
			m.locs[ci][li] = parseLocale(l.Locale)
			for ti, t := range l.Terms {
				r := ref{concept: int32(ci), lang: int32(li), term: int32(ti), form: -1}
				add(r, t.Text, t.CaseSensitive)
				for fi, f := range t.MatchForms {
					r.form = int32(fi)
					add(r, f, t.CaseSensitive)
				}
			}
		}
	}
	a, err := ac.Build(patterns)
	if err != nil {
		return nil, fmt.Errorf("build matcher: %w", err)
	}
	m.ac = a
	return m, nil
}

// Patterns is the number of distinct term spellings the matcher looks for.
func (m *Matcher) Patterns() int { return len(m.refs) }

// States is the size of the matching automaton, for capacity planning.
func (m *Matcher) States() int { return m.ac.States() }

func (m *Matcher) term(r ref) *Term { return &m.concepts[r.concept].Langs[r.lang].Terms[r.term] }

func (m *Matcher) locale(r ref) locale { return m.locs[r.concept][r.lang] }

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
	var out []Match
	for _, h := range hits {
		out = append(out, m.matches(h, text)...)
	}
	return out
}

func (m *Matcher) matches(h hit, text string) []Match {
	out := make([]Match, 0, len(h.refs))
	for _, r := range h.refs {
		t := m.term(r)
		out = append(out, Match{
			Concept: m.concepts[r.concept].ID,
			Locale:  m.concepts[r.concept].Langs[r.lang].Locale,
			Term:    t.Text,
			Status:  t.Status,
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
	norm  []byte
	offs  []int32
	cands []cand
	sel   []cand
}

// find runs the automaton over text and returns the accepted occurrences
// in order of position.
func (m *Matcher) find(sc *scratch, text string, loc locale) []hit {
	if text == "" || len(m.refs) == 0 {
		return nil
	}
	sc.offs = sc.offs[:0]
	sc.norm = appendFold(sc.norm[:0], &sc.offs, text, true)
	sc.offs = append(sc.offs, int32(len(text)))
	nf, offs := sc.norm, sc.offs
	sc.cands = sc.cands[:0]
	m.ac.Scan(nf, func(p, end int) {
		start := end - m.ac.PatternLen(p)
		// A term must start and end where a character of the original text
		// does, not inside the expansion of one (ß → ss, ﬁ → fi).
		if offs[start] < 0 || offs[end] < 0 {
			return
		}
		if !boundaryOK(nf, start, end) {
			return
		}
		if m.exactAll[p] && !m.anyExact(p, text[offs[start]:offs[end]]) {
			return
		}
		sc.cands = append(sc.cands, cand{int32(start), int32(end), int32(p)})
	})
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
	hits := make([]hit, 0, len(sel))
	line, at := 1, 0
	for _, c := range sel {
		s, e := int(offs[c.start]), int(offs[c.end])
		line += strings.Count(text[at:s], "\n")
		at = s
		h := hit{start: s, end: e, line: line}
		h.class, h.refs = m.classify(c.pat, text[s:e], loc)
		hits = append(hits, h)
	}
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
func (m *Matcher) classify(p int32, span string, loc locale) (int, []ref) {
	best := 3
	var out []ref
	var nfkc string
	for _, r := range m.refs[p] {
		if r.exact != "" {
			if nfkc == "" {
				nfkc = norm.NFKC.String(span)
			}
			if r.exact != nfkc {
				continue
			}
		}
		class := 0
		if loc.base != "" && loc.base != "und" {
			switch f := fit(m.locale(r), loc); {
			case f == fitWrongVariant:
				class = 1
			case f == fitOtherLanguage:
				class = 2
			}
		}
		switch {
		case class < best:
			best, out = class, append(out[:0], r)
		case class == best:
			out = append(out, r)
		}
	}
	return best, out
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
