package glossary

import "slices"

// LangStats counts the terms of one locale.
type LangStats struct {
	Locale string `json:"locale"`
	// Concepts with a section in this locale.
	Concepts    int `json:"concepts"`
	Terms       int `json:"terms"`
	Preferred   int `json:"preferred"`
	Admitted    int `json:"admitted"`
	Unspecified int `json:"unspecified"`
	Deprecated  int `json:"deprecated"`
	Forbidden   int `json:"forbidden"`
}

// Stats summarises a termbase.
type Stats struct {
	Concepts  int         `json:"concepts"`
	Terms     int         `json:"terms"`
	Languages []LangStats `json:"languages"`
	// Gaps counts, per target language, the concepts without a usable term
	// there.
	Gaps map[string]int `json:"gaps"`
}

// Stats counts concepts and terms per locale, and the gaps for targets
// (DefaultTargets when nil).
func (tb *Termbase) Stats(targets []string) Stats {
	if targets == nil {
		targets = DefaultTargets()
	}
	st := Stats{Concepts: tb.Len(), Gaps: map[string]int{}}
	per := map[string]*LangStats{}
	for _, c := range tb.Concepts() {
		for _, l := range c.Langs {
			ls := per[l.Locale]
			if ls == nil {
				ls = &LangStats{Locale: l.Locale}
				per[l.Locale] = ls
			}
			ls.Concepts++
			for _, t := range l.Terms {
				st.Terms++
				ls.Terms++
				switch t.Status {
				case StatusPreferred:
					ls.Preferred++
				case StatusAdmitted:
					ls.Admitted++
				case StatusDeprecated:
					ls.Deprecated++
				case StatusForbidden:
					ls.Forbidden++
				default:
					ls.Unspecified++
				}
			}
		}
	}
	for _, ls := range per {
		st.Languages = append(st.Languages, *ls)
	}
	slices.SortFunc(st.Languages, func(a, b LangStats) int {
		switch {
		case a.Locale < b.Locale:
			return -1
		case a.Locale > b.Locale:
			return 1
		}
		return 0
	})
	for lang, ids := range tb.Gaps(targets) {
		st.Gaps[lang] = len(ids)
	}
	for _, t := range targets {
		if _, ok := st.Gaps[t]; !ok {
			st.Gaps[t] = 0
		}
	}
	return st
}

// Gaps returns, per target language, the ids of the concepts that have no
// usable (preferred, admitted or unspecified) term for it. Languages
// without gaps are absent.
func (tb *Termbase) Gaps(targets []string) map[string][]string {
	out := map[string][]string{}
	lc := locCacheOf(tb)
	want := make([]locale, len(targets))
	for i, t := range targets {
		want[i] = parseLocale(t)
	}
	for _, c := range tb.Concepts() {
		for i, t := range targets {
			if !c.hasTermIn(want[i], lc) {
				out[t] = append(out[t], c.ID)
			}
		}
	}
	return out
}
