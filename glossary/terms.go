package glossary

import "slices"

// locCache holds parsed locales by tag. Parsing a BCP 47 tag costs about a
// microsecond, and the same few tags recur on every concept.
type locCache map[string]locale

// get returns the parsed tag, from the cache when it is there. It never
// writes, so a cache filled beforehand may be shared between goroutines.
func (lc locCache) get(tag string) locale {
	if l, ok := lc[tag]; ok {
		return l
	}
	return parseLocale(tag)
}

// remember parses tag into the cache.
func (lc locCache) remember(tag string) locale {
	l, ok := lc[tag]
	if !ok {
		l = parseLocale(tag)
		lc[tag] = l
	}
	return l
}

// locCacheOf returns a cache filled with every locale of tb.
func locCacheOf(tb *Termbase) locCache {
	lc := locCache{}
	for _, c := range tb.concepts {
		for _, l := range c.Langs {
			lc.remember(l.Locale)
		}
	}
	return lc
}

// PreferredTerm returns the term writers should use for this concept in a
// text of locale loc, and the locale of the section it comes from. It looks
// at the sections that suit loc (see the fit rules in docs/glossary.md),
// the most specific first: the text's own region, then its script, then the
// bare language, then — for a text without region — any regional section.
// Within a section the first usable term wins, which is the preferred one
// when there is one. ok is false when no section has a usable term.
func (c *Concept) PreferredTerm(loc string) (t Term, from string, ok bool) {
	return c.preferredTerm(parseLocale(loc), nil)
}

func (c *Concept) preferredTerm(text locale, lc locCache) (t Term, from string, ok bool) {
	for _, ls := range c.fitting(text, lc) {
		for _, term := range ls.Terms {
			if term.Status.Usable() {
				return term, ls.Locale, true
			}
		}
	}
	return Term{}, "", false
}

// UsableTerms returns the preferred, admitted and unspecified terms of the
// sections that suit loc, most specific section first.
func (c *Concept) UsableTerms(loc string) []Term {
	return c.usableTerms(parseLocale(loc), nil)
}

func (c *Concept) usableTerms(text locale, lc locCache) []Term {
	var out []Term
	for _, ls := range c.fitting(text, lc) {
		for _, t := range ls.Terms {
			if t.Status.Usable() {
				out = append(out, t)
			}
		}
	}
	return out
}

// HasTermIn reports whether the concept has a usable term for locale loc.
func (c *Concept) HasTermIn(loc string) bool {
	_, _, ok := c.preferredTerm(parseLocale(loc), nil)
	return ok
}

func (c *Concept) hasTermIn(text locale, lc locCache) bool {
	_, _, ok := c.preferredTerm(text, lc)
	return ok
}

// fitting returns the language sections that suit a text of locale text,
// best first; ties keep locale order. lc may be nil.
func (c *Concept) fitting(text locale, lc locCache) []*LangSec {
	type scored struct {
		ls    *LangSec
		score int
	}
	var buf [16]scored
	out := buf[:0]
	for i := range c.Langs {
		if s := fit(lc.get(c.Langs[i].Locale), text); s > 0 {
			out = append(out, scored{&c.Langs[i], s})
		}
	}
	slices.SortStableFunc(out, func(a, b scored) int { return b.score - a.score })
	ls := make([]*LangSec, len(out))
	for i, s := range out {
		ls[i] = s.ls
	}
	return ls
}

// Locales returns every locale used in tb, sorted.
func (tb *Termbase) Locales() []string {
	seen := map[string]bool{}
	for _, c := range tb.concepts {
		for _, l := range c.Langs {
			seen[l.Locale] = true
		}
	}
	out := make([]string, 0, len(seen))
	for l := range seen {
		out = append(out, l)
	}
	slices.Sort(out)
	return out
}

// Subset returns a copy of tb with only the language sections that suit one
// of locales (by the same fit rules as PreferredTerm, so "es" keeps es,
// es-ES and es-MX, and "es-MX" keeps es and es-MX). Concepts left without
// any section are dropped.
func (tb *Termbase) Subset(locales []string) *Termbase {
	lc := locCacheOf(tb)
	want := make([]locale, len(locales))
	for i, l := range locales {
		want[i] = parseLocale(l)
	}
	out := New()
	for _, c := range tb.concepts {
		d := c.Clone()
		d.Langs = slices.DeleteFunc(d.Langs, func(ls LangSec) bool {
			l := lc.get(ls.Locale)
			return !slices.ContainsFunc(want, func(w locale) bool { return fit(l, w) > 0 })
		})
		if len(d.Langs) > 0 {
			_ = out.Put(d)
		}
	}
	return out
}
