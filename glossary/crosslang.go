package glossary

import "strings"

// CrossLanguageTerms returns the preferred and admitted terms (and those
// without a status) of the given concepts in every target language,
// without repeats: for each concept in the order given, for each target in
// the order given, the terms of the sections that suit the target — "zh"
// takes zh, zh-CN and zh-TW terms, "es-MX" takes es-MX and es terms.
// Unknown ids are skipped. The publish step stores these with a unit, so
// that a question asked in Spanish finds a unit written in Chinese.
func (tb *Termbase) CrossLanguageTerms(conceptIDs []string, targets []string) []string {
	return crossTerms(func(id string) *Concept { return tb.Concept(id) }, conceptIDs, targets, nil)
}

// CrossLanguageTerms is Termbase.CrossLanguageTerms on the matcher's copy
// of the termbase.
func (m *Matcher) CrossLanguageTerms(conceptIDs []string, targets []string) []string {
	return crossTerms(m.concept, conceptIDs, targets, m.lc)
}

func (m *Matcher) concept(id string) *Concept {
	if i, ok := m.byID[id]; ok {
		return m.concepts[i]
	}
	return nil
}

func crossTerms(get func(string) *Concept, ids, targets []string, lc locCache) []string {
	var out []string
	seen := map[string]bool{}
	want := make([]locale, len(targets))
	for i, t := range targets {
		want[i] = parseLocale(t)
	}
	for _, id := range ids {
		c := get(id)
		if c == nil {
			continue
		}
		for _, tg := range want {
			for _, t := range c.usableTerms(tg, lc) {
				if !seen[t.Text] {
					seen[t.Text] = true
					out = append(out, t.Text)
				}
			}
		}
	}
	return out
}

// ExpandQuery returns search strings for a query in language lang: the
// query itself first, then the usable terms, in lang and every target
// language, of the concepts the query mentions, except those the query
// already contains (by any of their terms,
// deprecated ones included, since people search with old words). A query
// that mentions no concept gives just the query.
func (m *Matcher) ExpandQuery(query, lang string, targets []string) []string {
	out := []string{query}
	sc := m.scratch.Get().(*scratch)
	hits := m.find(sc, query, parseLocale(lang))
	m.scratch.Put(sc)
	var ids []string
	seen := map[string]bool{}
	for _, h := range hits {
		for _, r := range h.refs {
			if id := m.concepts[r.concept].ID; !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	q := foldKey(query)
	for _, t := range m.CrossLanguageTerms(ids, append([]string{lang}, targets...)) {
		// Terms the query already contains add nothing to a search.
		if !strings.Contains(q, foldKey(t)) {
			out = append(out, t)
		}
	}
	return out
}

// ExpandQuery is Matcher.ExpandQuery with a matcher built for this call;
// build a Matcher once when expanding many queries.
func (tb *Termbase) ExpandQuery(query, lang string, targets []string) []string {
	m, err := NewMatcher(tb, MatcherOptions{})
	if err != nil {
		return []string{query}
	}
	return m.ExpandQuery(query, lang, targets)
}
