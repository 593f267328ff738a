package glossary

import (
	"fmt"
	"slices"
	"strings"

	"github.com/kbops/kbops/knowledge"
)

// Code names a kind of finding. The codes are stable: scripts and the
// review tooling may rely on them.
type Code string

// Finding codes.
const (
	// CodeForbidden: a forbidden term is used.
	CodeForbidden Code = "forbidden-term"
	// CodeDeprecated: a deprecated (or superseded) term is used.
	CodeDeprecated Code = "deprecated-term"
	// CodeWrongVariant: a term of another regional variant of the unit's
	// language is used (an es-ES term in an es-MX unit).
	CodeWrongVariant Code = "wrong-variant"
	// CodeInconsistent: one concept is written with different terms in one
	// unit.
	CodeInconsistent Code = "inconsistent-term"
	// CodeMissingTranslation: a concept the unit mentions has no term in a
	// target language.
	CodeMissingTranslation Code = "missing-translation"
	// CodeInconsistentProduct: one concept is written with different terms
	// across the units of one product and language.
	CodeInconsistentProduct Code = "inconsistent-term-product"
)

// Severity says how much a finding matters.
type Severity string

// Severities, gravest first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Finding is one terminology issue in a unit.
type Finding struct {
	Code     Code
	Severity Severity
	Concept  string
	// Term is the occurrence as written in the unit.
	Term string
	// Suggestion is the term to write instead: the concept's preferred term
	// for the unit's locale; empty when the termbase has none.
	Suggestion string
	// Field is "title" or "body".
	Field string
	// Line is the 1-based line in the body; 0 in the title.
	Line int
	// Offset is the byte offset of Term in its field.
	Offset  int
	Message string
}

// Result is what the mapping pass found in one unit.
type Result struct {
	// Concepts are the ids of the concepts the unit mentions, sorted and
	// without repeats: what the pipeline stores in Unit.Concepts.
	Concepts []string
	// Matches are the term occurrences in the body, in order.
	Matches []Match
	// TitleMatches are the term occurrences in the title.
	TitleMatches []Match
	// Findings are sorted by field (title first), line and offset.
	Findings []Finding
	// Gaps lists, per target language, the mentioned concepts that have no
	// usable term in it.
	Gaps map[string][]string
}

// Map is the mapping pass of the ingestion pipeline for one unit: it finds
// the concepts the unit's title and body mention and checks the terms used
// against the unit's language (Unit.Language):
//
//   - forbidden-term (error) and deprecated-term (warning): a term with
//     that status in the unit's locale, unless the same spelling is also a
//     usable term of a concept there;
//   - wrong-variant (warning): a term that only another regional variant of
//     the unit's language has (es-ES "ordenador" in an es-MX unit);
//   - inconsistent-term (warning): one concept written with two or more
//     usable terms of the unit's locale (acronyms, abbreviations and short
//     forms excepted);
//   - missing-translation (info): a mentioned concept without a term in a
//     target language.
//
// Suggestions are the concept's preferred term for the unit's locale. Map
// does not modify u.
func (m *Matcher) Map(u *knowledge.Unit) Result {
	loc := parseLocale(u.Language)
	sc := m.scratch.Get().(*scratch)
	defer m.scratch.Put(sc)
	// seen[c] == gen marks concepts already mentioned in this unit, without
	// clearing an array as long as the termbase for every unit.
	if len(sc.seen) != len(m.concepts) {
		sc.seen = make([]uint32, len(m.concepts))
		sc.firstGen = make([]uint32, len(m.concepts))
		sc.firstUse = make([]int32, len(m.concepts))
	}
	sc.gen++
	if sc.gen == 0 {
		clear(sc.seen)
		clear(sc.firstGen)
		sc.gen = 1
	}
	uses := sc.uses[:0]
	first := sc.first[:0] // first mention of each concept, in order

	var res Result
	visit := func(hits []hit, field, text string) {
		for _, h := range hits {
			line := h.line
			if field == "title" {
				line = 0
				res.TitleMatches = m.appendMatches(res.TitleMatches, h, text)
			} else {
				res.Matches = m.appendMatches(res.Matches, h, text)
			}
			written := text[h.start:h.end]
			if !(m.sameLang && h.class == 2) {
				for _, r := range h.refs {
					if sc.seen[r.concept] != sc.gen {
						sc.seen[r.concept] = sc.gen
						first = append(first, mapUse{concept: r.concept, text: written, field: field, line: line, offset: h.start})
					}
				}
			}
			switch h.class {
			case 0:
				usable := false
				for _, r := range h.refs {
					usable = usable || r.t.Status.Usable()
				}
				if usable {
					for _, r := range h.refs {
						if r.t.Status.Usable() && !shortForm(r.t.Type) {
							uses = append(uses, mapUse{concept: r.concept, term: r.t, text: written, field: field, line: line, offset: h.start})
						}
					}
					continue
				}
				for _, r := range uniqueConcepts(h.refs) {
					f := Finding{Code: CodeDeprecated, Severity: SeverityWarning, Concept: m.concepts[r.concept].ID, Term: written, Field: field, Line: line, Offset: h.start}
					status := "deprecated"
					if r.t.Status == StatusForbidden {
						f.Code, f.Severity, status = CodeForbidden, SeverityError, "forbidden"
					}
					f.Suggestion = m.suggest(r, loc, written)
					f.Message = fmt.Sprintf("%q is %s (concept %s)", written, status, f.Concept)
					if f.Suggestion != "" {
						f.Message += fmt.Sprintf("; use %q", f.Suggestion)
					} else {
						f.Message += fmt.Sprintf("; the termbase has no usable term for %s", localeName(loc, m.locale(r)))
					}
					res.Findings = append(res.Findings, f)
				}
			case 1:
				for _, r := range uniqueConcepts(h.refs) {
					f := Finding{Code: CodeWrongVariant, Severity: SeverityWarning, Concept: m.concepts[r.concept].ID, Term: written, Field: field, Line: line, Offset: h.start}
					f.Suggestion = m.suggest(r, loc, written)
					f.Message = fmt.Sprintf("%q is the %s term (concept %s)", written, m.concepts[r.concept].Langs[r.lang].Locale, f.Concept)
					if f.Suggestion != "" {
						f.Message += fmt.Sprintf("; in %s write %q", loc.tag, f.Suggestion)
					} else {
						f.Message += fmt.Sprintf("; the termbase has no term for %s yet", loc.tag)
					}
					res.Findings = append(res.Findings, f)
				}
			}
		}
	}
	// find reuses its result slice: the title is done before the body.
	hits := m.find(sc, u.Title, loc)
	res.TitleMatches = make([]Match, 0, countRefs(hits))
	visit(hits, "title", u.Title)
	hits = m.find(sc, u.Body, loc)
	res.Matches = make([]Match, 0, countRefs(hits))
	visit(hits, "body", u.Body)
	defer func() { sc.uses, sc.first = uses[:0], first[:0] }()

	// One concept written with different terms. A concept's first use is
	// remembered; a use of another term marks the concept, and only marked
	// concepts (rare) have their uses collected.
	var marked []int32
	for i := range uses {
		c := uses[i].concept
		if sc.firstGen[c] != sc.gen {
			sc.firstGen[c], sc.firstUse[c] = sc.gen, int32(i)
			continue
		}
		if first := &uses[sc.firstUse[c]]; first.term != uses[i].term && first.line >= 0 {
			marked = append(marked, c)
			first.line = -1 - first.line // marked: counted once
		}
	}
	for _, c := range marked {
		fu := &uses[sc.firstUse[c]]
		fu.line = -1 - fu.line
		var distinct []mapUse
		for _, x := range uses {
			if x.concept == c && !slices.ContainsFunc(distinct, func(d mapUse) bool { return d.term == x.term }) {
				distinct = append(distinct, x)
			}
		}
		con := m.concepts[c]
		f := Finding{Code: CodeInconsistent, Severity: SeverityWarning, Concept: con.ID, Term: distinct[1].text, Field: distinct[1].field, Line: distinct[1].line, Offset: distinct[1].offset}
		if t, _, ok := con.preferredTerm(loc, m.lc); ok {
			f.Suggestion = t.Text
		}
		var parts []string
		for _, d := range distinct {
			parts = append(parts, fmt.Sprintf("%q (%s)", d.term.Text, where(d.field, d.line)))
		}
		f.Message = fmt.Sprintf("concept %s is written %d ways in this unit: %s", con.ID, len(distinct), strings.Join(parts, ", "))
		if f.Suggestion != "" {
			f.Message += fmt.Sprintf("; keep to %q", f.Suggestion)
		}
		res.Findings = append(res.Findings, f)
	}

	if len(first) > 0 {
		res.Concepts = make([]string, 0, len(first))
	}
	for _, fm := range first {
		c := m.concepts[fm.concept]
		res.Concepts = append(res.Concepts, c.ID)
		missing := m.gaps[fm.concept]
		if len(missing) == 0 {
			continue
		}
		if res.Gaps == nil {
			res.Gaps = map[string][]string{}
		}
		for _, t := range missing {
			res.Gaps[t] = append(res.Gaps[t], c.ID)
		}
		res.Findings = append(res.Findings, Finding{
			Code: CodeMissingTranslation, Severity: SeverityInfo, Concept: c.ID, Term: fm.text,
			Field: fm.field, Line: fm.line, Offset: fm.offset,
			Message: fmt.Sprintf("concept %s has no term in %s", c.ID, strings.Join(missing, ", ")),
		})
	}
	slices.Sort(res.Concepts)
	for _, ids := range res.Gaps {
		slices.Sort(ids)
	}
	slices.SortStableFunc(res.Findings, func(a, b Finding) int {
		if a.Field != b.Field {
			if a.Field == "title" {
				return -1
			}
			return 1
		}
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Offset - b.Offset
	})
	return res
}

func countRefs(hits []hit) int {
	n := 0
	for _, h := range hits {
		n += len(h.refs)
	}
	return n
}

// mapUse is a mention of a concept in a unit.
type mapUse struct {
	concept int32
	term    *Term
	text    string // as written
	field   string
	line    int
	offset  int
}

// suggest returns the preferred term of r's concept for the text's locale
// (or the term's own locale when the text's is unknown), unless that is
// what was written.
func (m *Matcher) suggest(r ref, loc locale, written string) string {
	want := loc
	if loc.base == "" || loc.base == "und" {
		want = m.locale(r)
	}
	t, _, ok := m.concepts[r.concept].preferredTerm(want, m.lc)
	if !ok || foldKey(t.Text) == foldKey(written) {
		return ""
	}
	return t.Text
}

func localeName(text, term locale) string {
	if text.base == "" || text.base == "und" {
		return term.tag
	}
	return text.tag
}

func where(field string, line int) string {
	if field == "title" {
		return "title"
	}
	return fmt.Sprintf("line %d", line)
}

// uniqueConcepts keeps the first ref of each concept.
func uniqueConcepts(refs []ref) []ref {
	var out []ref
	for _, r := range refs {
		if !slices.ContainsFunc(out, func(x ref) bool { return x.concept == r.concept }) {
			out = append(out, r)
		}
	}
	return out
}

// shortForm reports term types that may stand next to their full form
// without making the text inconsistent.
func shortForm(termType string) bool {
	switch strings.ToLower(termType) {
	case "acronym", "abbreviation", "abbreviatedform", "initialism", "shortform", "short form", "clippedterm":
		return true
	}
	return false
}

// TermUse is one term used for a concept across units.
type TermUse struct {
	Term  string
	Units []string // ids of the units using it, sorted
}

// ProductFinding is a concept written with different terms across the
// units of one product in one language.
type ProductFinding struct {
	Code       Code // CodeInconsistentProduct
	Severity   Severity
	Product    string
	Language   string
	Concept    string
	Suggestion string
	// Uses are the terms used, most units first.
	Uses    []TermUse
	Message string
}

// ProductConsistency looks across the units of each product and language
// for concepts written with different usable terms (acronyms and short
// forms excepted). results[i] must be the Map result of units[i]. Units
// without a product are grouped under product "".
func (m *Matcher) ProductConsistency(units []*knowledge.Unit, results []Result) []ProductFinding {
	type key struct{ product, lang, concept string }
	used := map[key]map[string][]string{}
	for i, u := range units {
		if i >= len(results) {
			break
		}
		loc := parseLocale(u.Language)
		for _, mt := range append(slices.Clone(results[i].TitleMatches), results[i].Matches...) {
			ci, ok := m.byID[mt.Concept]
			if !ok {
				continue
			}
			t, li := m.findTerm(ci, mt.Locale, mt.Term)
			if t == nil || !t.Status.Usable() || shortForm(t.Type) || fit(m.lc.get(m.concepts[ci].Langs[li].Locale), loc) <= 0 {
				continue
			}
			k := key{u.Product, loc.tag, mt.Concept}
			if used[k] == nil {
				used[k] = map[string][]string{}
			}
			if !slices.Contains(used[k][t.Text], u.ID) {
				used[k][t.Text] = append(used[k][t.Text], u.ID)
			}
		}
	}
	var out []ProductFinding
	for k, terms := range used {
		if len(terms) < 2 {
			continue
		}
		f := ProductFinding{Code: CodeInconsistentProduct, Severity: SeverityWarning, Product: k.product, Language: k.lang, Concept: k.concept}
		for t, ids := range terms {
			slices.Sort(ids)
			f.Uses = append(f.Uses, TermUse{Term: t, Units: ids})
		}
		slices.SortFunc(f.Uses, func(a, b TermUse) int {
			if len(a.Units) != len(b.Units) {
				return len(b.Units) - len(a.Units)
			}
			return strings.Compare(a.Term, b.Term)
		})
		if t, _, ok := m.concepts[m.byID[k.concept]].preferredTerm(parseLocale(k.lang), m.lc); ok {
			f.Suggestion = t.Text
		}
		var parts []string
		for _, u := range f.Uses {
			parts = append(parts, fmt.Sprintf("%q in %d unit(s)", u.Term, len(u.Units)))
		}
		f.Message = fmt.Sprintf("concept %s is written %d ways in the %s units of product %q: %s", k.concept, len(f.Uses), k.lang, k.product, strings.Join(parts, ", "))
		if f.Suggestion != "" {
			f.Message += fmt.Sprintf("; keep to %q", f.Suggestion)
		}
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b ProductFinding) int {
		return strings.Compare(a.Product+"\x00"+a.Language+"\x00"+a.Concept, b.Product+"\x00"+b.Language+"\x00"+b.Concept)
	})
	return out
}

// CheckProduct maps every unit and returns ProductConsistency of the results.
func (m *Matcher) CheckProduct(units []*knowledge.Unit) []ProductFinding {
	results := make([]Result, len(units))
	for i, u := range units {
		results[i] = m.Map(u)
	}
	return m.ProductConsistency(units, results)
}

func (m *Matcher) findTerm(ci int32, loc, text string) (*Term, int) {
	c := m.concepts[ci]
	for li := range c.Langs {
		if c.Langs[li].Locale != loc {
			continue
		}
		for ti := range c.Langs[li].Terms {
			if c.Langs[li].Terms[ti].Text == text {
				return &c.Langs[li].Terms[ti], li
			}
		}
	}
	return nil, -1
}
