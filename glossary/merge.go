package glossary

import (
	"fmt"
	"slices"
	"strings"
)

// MergeOptions say how to merge another termbase into this one.
type MergeOptions struct {
	// Source names where the incoming concepts come from, for messages.
	Source string
	// ByTerm holds incoming concept ids that were made up by an importer
	// (CSV rows have no ids). Such concepts are matched to existing ones by
	// shared terms instead of by id.
	ByTerm map[string]bool
	// Lines gives the line of each incoming concept in Source.
	Lines map[string]int
}

// Conflict is an incoming concept that was not merged.
type Conflict struct {
	ID     string // incoming concept id
	Source string
	Line   int
	Msg    string
}

func (c Conflict) String() string {
	if c.Line > 0 {
		return fmt.Sprintf("%s:%d: concept %s: %s", c.Source, c.Line, c.ID, c.Msg)
	}
	return fmt.Sprintf("%s: concept %s: %s", c.Source, c.ID, c.Msg)
}

// MergeReport says what a merge did. Ids are those in the merged termbase.
type MergeReport struct {
	Added, Changed, Unchanged []string
	Conflicts                 []Conflict
}

// Merge brings the concepts of src into tb and reports which concepts were
// added, which changed and which were already up to date.
//
// A concept with an id tb already has updates that concept, provided the
// two share at least one term (or one of them has none): every language
// section src has replaces tb's section for that locale, sections of other
// locales stay, and non-empty concept fields of src overwrite tb's. When
// the two share no term, the ids are taken to collide by accident (many
// files number their concepts c1, c2...) and the concept is reported as a
// conflict, not merged.
//
// A concept whose id is in opts.ByTerm joins the existing concept it shares
// the most terms with (same locale, same text ignoring case and width): its terms and
// fields are added to what that concept has, nothing is removed. Without a
// shared term it is added; when two concepts tie it is a conflict.
func (tb *Termbase) Merge(src *Termbase, opts MergeOptions) MergeReport {
	var rep MergeReport
	index := newTermIndex(tb)
	conflict := func(id, format string, args ...any) {
		rep.Conflicts = append(rep.Conflicts, Conflict{ID: id, Source: opts.Source, Line: opts.Lines[id], Msg: fmt.Sprintf(format, args...)})
	}
	for _, s := range src.Concepts() {
		var target *Concept
		switch {
		case opts.ByTerm[s.ID]:
			best, tie := index.best(s)
			if tie != "" {
				conflict(s.ID, "its terms are shared by concepts %s and %s; not merged, edit the termbase by hand", best, tie)
				continue
			}
			if best != "" {
				target = tb.Concept(best)
				merged := unionConcept(target, s)
				rep.record(tb, target, merged)
				index.add(merged)
				continue
			}
			c := s.Clone()
			c.ID = freeID(tb, s.ID)
			if err := tb.Put(c); err != nil {
				conflict(s.ID, "%v", err)
				continue
			}
			index.add(c)
			rep.Added = append(rep.Added, c.ID)
		case tb.Concept(s.ID) != nil:
			target = tb.Concept(s.ID)
			if target.TermCount() > 0 && s.TermCount() > 0 && !sharesTerm(target, s) {
				conflict(s.ID, "an existing concept has this id but no term in common with it (existing %s, incoming %s); not merged: import with an id prefix (--id-prefix) to keep both, or fix the id", quoteTerms(target, 3), quoteTerms(s, 3))
				continue
			}
			merged := replaceConcept(target, s)
			rep.record(tb, target, merged)
			index.add(merged)
		default:
			c := s.Clone()
			if err := tb.Put(c); err != nil {
				conflict(s.ID, "%v", err)
				continue
			}
			index.add(c)
			rep.Added = append(rep.Added, c.ID)
		}
	}
	slices.SortFunc(rep.Added, CompareIDs)
	slices.SortFunc(rep.Changed, CompareIDs)
	slices.SortFunc(rep.Unchanged, CompareIDs)
	rep.Changed = slices.Compact(rep.Changed)
	rep.Unchanged = slices.DeleteFunc(slices.Compact(rep.Unchanged), func(id string) bool {
		_, changed := slices.BinarySearchFunc(rep.Changed, id, CompareIDs)
		return changed || slices.Contains(rep.Added, id)
	})
	return rep
}

func (rep *MergeReport) record(tb *Termbase, old, merged *Concept) {
	Normalize(merged)
	if conceptEqual(old, merged) {
		rep.Unchanged = append(rep.Unchanged, old.ID)
		return
	}
	_ = tb.Put(merged)
	rep.Changed = append(rep.Changed, merged.ID)
}

func conceptEqual(a, b *Concept) bool {
	x, y := &Termbase{concepts: []*Concept{a}}, &Termbase{concepts: []*Concept{b}}
	return x.Equal(y)
}

// replaceConcept returns old updated with src: src's language sections
// replace old's of the same locale; non-empty fields overwrite.
func replaceConcept(old, src *Concept) *Concept {
	c := old.Clone()
	if src.SubjectField != "" {
		c.SubjectField = src.SubjectField
	}
	if src.Definition != "" {
		c.Definition = src.Definition
	}
	if src.Owner != "" {
		c.Owner = src.Owner
	}
	if len(src.Notes) > 0 {
		c.Notes = slices.Clone(src.Notes)
	}
	for _, l := range src.Clone().Langs {
		if i := slices.IndexFunc(c.Langs, func(x LangSec) bool { return x.Locale == l.Locale }); i >= 0 {
			c.Langs[i] = l
		} else {
			c.Langs = append(c.Langs, l)
		}
	}
	return c
}

// unionConcept returns old with what src adds: missing terms, and fields
// old leaves empty.
func unionConcept(old, src *Concept) *Concept {
	c := old.Clone()
	if c.SubjectField == "" {
		c.SubjectField = src.SubjectField
	}
	if c.Definition == "" {
		c.Definition = src.Definition
	}
	if c.Owner == "" {
		c.Owner = src.Owner
	}
	for _, n := range src.Notes {
		if !slices.Contains(c.Notes, n) {
			c.Notes = append(c.Notes, n)
		}
	}
	for _, l := range src.Clone().Langs {
		i := slices.IndexFunc(c.Langs, func(x LangSec) bool { return x.Locale == l.Locale })
		if i < 0 {
			c.Langs = append(c.Langs, l)
			continue
		}
		dst := &c.Langs[i]
		if dst.Definition == "" {
			dst.Definition = l.Definition
		}
		for _, t := range l.Terms {
			// A term that differs only in case or width is the same term.
			k := foldKey(t.Text)
			if !slices.ContainsFunc(dst.Terms, func(x Term) bool { return foldKey(x.Text) == k }) {
				dst.Terms = append(dst.Terms, t)
			}
		}
	}
	return c
}

func freeID(tb *Termbase, id string) string {
	out := id
	for n := 2; tb.Concept(out) != nil; n++ {
		out = fmt.Sprintf("%s-%d", id, n)
	}
	return out
}

func termKey(loc, text string) string { return loc + "\x00" + foldKey(text) }

func sharesTerm(a, b *Concept) bool {
	keys := map[string]bool{}
	for _, l := range a.Langs {
		for _, t := range l.Terms {
			keys[termKey(l.Locale, t.Text)] = true
		}
	}
	for _, l := range b.Langs {
		for _, t := range l.Terms {
			if keys[termKey(l.Locale, t.Text)] {
				return true
			}
		}
	}
	return false
}

func quoteTerms(c *Concept, max int) string {
	var out []string
	for _, l := range c.Langs {
		for _, t := range l.Terms {
			if len(out) == max {
				return strings.Join(out, ", ") + "…"
			}
			out = append(out, fmt.Sprintf("%q (%s)", t.Text, l.Locale))
		}
	}
	return strings.Join(out, ", ")
}

// termIndex finds the concepts a term belongs to.
type termIndex map[string][]string

func newTermIndex(tb *Termbase) termIndex {
	ix := termIndex{}
	for _, c := range tb.Concepts() {
		ix.add(c)
	}
	return ix
}

func (ix termIndex) add(c *Concept) {
	for _, l := range c.Langs {
		for _, t := range l.Terms {
			k := termKey(l.Locale, t.Text)
			if !slices.Contains(ix[k], c.ID) {
				ix[k] = append(ix[k], c.ID)
			}
		}
	}
}

// best returns the concept sharing the most terms with c, and a second one
// when two share equally many.
func (ix termIndex) best(c *Concept) (best, tie string) {
	count := map[string]int{}
	for _, l := range c.Langs {
		for _, t := range l.Terms {
			for _, id := range ix[termKey(l.Locale, t.Text)] {
				count[id]++
			}
		}
	}
	ids := make([]string, 0, len(count))
	for id := range count {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, func(a, b string) int {
		if count[a] != count[b] {
			return count[b] - count[a]
		}
		return CompareIDs(a, b)
	})
	switch {
	case len(ids) == 0:
		return "", ""
	case len(ids) > 1 && count[ids[0]] == count[ids[1]]:
		return ids[0], ids[1]
	}
	return ids[0], ""
}
