package reviews

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
)

// ConceptFinder returns the ids of the termbase concepts whose terms occur
// in text written in lang (a glossary matcher's matches).
type ConceptFinder func(text, lang string) []string

// MatcherConcepts returns the ConceptFinder of a termbase's matcher, nil
// for a nil matcher (then conflicts are found within languages only).
func MatcherConcepts(m *glossary.Matcher) ConceptFinder {
	if m == nil {
		return nil
	}
	return func(text, lang string) []string {
		var out []string
		for _, x := range m.Match(text, lang) {
			out = append(out, x.Concept)
		}
		return out
	}
}

// crossLanguageConflicts finds contradictions between units of one product
// in different languages. A statement's key is its qualifier, unit of
// measure and the concepts named in its parameter's text, kept only when
// the unit lists them (its concepts are reviewed). A key under which one
// unit states two values ("ambient temperature" for use and for storage,
// when the termbase knows only "ambient temperature") is ambiguous in that
// unit and compared with nothing: a termbase too coarse for a parameter
// must not invent conflicts.
func crossLanguageConflicts(all map[string]*knowledge.Unit, checked []string, concepts ConceptFinder) []Conflict {
	type keyed struct {
		st       Statement
		concepts []string
	}
	byUnit := map[string]map[string]keyed{}
	keysOf := func(u *knowledge.Unit) map[string]keyed {
		if m, ok := byUnit[u.ID]; ok {
			return m
		}
		m := map[string]keyed{}
		ambiguous := map[string]bool{}
		for _, st := range Statements(u) {
			var ids []string
			for _, c := range concepts(st.Clause, u.Language) {
				if slices.Contains(u.Concepts, c) && !slices.Contains(ids, c) {
					ids = append(ids, c)
				}
			}
			if len(ids) == 0 {
				continue
			}
			sort.Strings(ids)
			k := st.Qualifier + "|" + strings.Join(ids, ",") + "|" + st.Symbol
			if prev, ok := m[k]; ok && prev.st.Value != st.Value {
				ambiguous[k] = true
			}
			m[k] = keyed{st, ids}
		}
		for k := range ambiguous {
			delete(m, k)
		}
		byUnit[u.ID] = m
		return m
	}
	type entry struct {
		unit *knowledge.Unit
		st   keyed
	}
	idx := map[string]map[string][]entry{} // product → key → statements
	ids := make([]string, 0, len(all))
	for id := range all {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		u := all[id]
		if u.Status != knowledge.StatusActive || u.Product == "" || len(u.Concepts) == 0 {
			continue
		}
		if idx[u.Product] == nil {
			idx[u.Product] = map[string][]entry{}
		}
		for k, st := range keysOf(u) {
			idx[u.Product][k] = append(idx[u.Product][k], entry{u, st})
		}
	}
	seen := map[string]bool{}
	var out []Conflict
	for _, id := range checked {
		a := all[id]
		if a == nil || a.Status != knowledge.StatusActive || a.Product == "" || len(a.Concepts) == 0 {
			continue
		}
		ka := keysOf(a)
		keys := make([]string, 0, len(ka))
		for k := range ka {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sa := ka[k]
			for _, e := range idx[a.Product][k] {
				b, sb := e.unit, e.st
				if b.ID == a.ID || knowledge.PrimaryLanguage(b.Language) == knowledge.PrimaryLanguage(a.Language) || sa.st.Value == sb.st.Value || !sameContext(a, b) {
					continue
				}
				pair := a.ID + "|" + b.ID + "|" + k
				if seen[pair] || seen[b.ID+"|"+a.ID+"|"+k] {
					continue
				}
				seen[pair] = true
				c := Conflict{A: sa.st, B: sb.st, Concepts: sa.concepts}
				c.Winner, c.Why = winner(a, b)
				out = append(out, c)
			}
		}
	}
	return out
}

// Pin is a consistency reviewer's decision of a conflict against the rule
// of tier and date: the unit whose approval record carries it wins over
// Over. It binds Over's version and content hash, as the record binds the
// winner's, so a change of either unit re-opens the conflict.
type Pin struct {
	Over        string `yaml:"over"`
	Version     int    `yaml:"version"`
	ContentHash string `yaml:"content_hash"`
	Reason      string `yaml:"reason"`
}

// key is the pin's part of its record's key: an edit of a pin is a new
// record, which needs a commit by its reviewer to count.
func (p Pin) key() string {
	return p.Over + "@" + fmt.Sprint(p.Version) + "@" + p.ContentHash + "@" + p.Reason
}

// Supersession says that a unit lost a conflict: it is published marked
// superseded by the winner, and default search leaves it out.
type Supersession struct {
	Unit string `json:"unit"`
	// By is the unit that wins.
	By string `json:"superseded_by"`
	// Why says how the winner was chosen (tier, date, or the pin).
	Why string `json:"why"`
	// Pinned is set when a reviewer's pin decided it.
	Pinned bool `json:"pinned,omitempty"`
	// Parameter is the first contradicting statement of the loser, for
	// reports ("max ambient temperature 45 °C").
	Parameter string `json:"parameter"`
}

// Supersede decides which of the given units (the approved ones that are
// to be published) lose a conflict. For each pair of active units that
// contradict each other (FindConflictsAcross: within a language, and
// across languages through concepts when concepts is set), a pin counting
// for the pair decides (pins are by winner, see Snapshot.Pins); otherwise
// the higher tier, then the date the document states, then the newer
// date. A pair with no winner (same tier and date) supersedes nothing:
// both stay, as the blocking conflict finding was waived for them. It is
// the one place this is decided; publish, reindex and serve's publish
// job all get it through release.LoadMain.
func Supersede(units []*knowledge.Unit, pins map[string][]Pin, concepts ConceptFinder) map[string]Supersession {
	all := make(map[string]*knowledge.Unit, len(units))
	ids := make([]string, 0, len(units))
	for _, u := range units {
		if u.Status == knowledge.StatusActive {
			all[u.ID] = u
			ids = append(ids, u.ID)
		}
	}
	sort.Strings(ids)
	pinned := func(winner, loser string) (Pin, bool) {
		l := all[loser]
		for _, p := range pins[winner] {
			if p.Over == loser && l != nil && p.Version == l.Version && p.ContentHash == l.ContentHash {
				return p, true
			}
		}
		return Pin{}, false
	}
	out := map[string]Supersession{}
	decided := map[[2]string]bool{}
	// Pinned pairs first: a conflict names one unit per value (the
	// strongest), so a pin over another unit of that value would go
	// unseen, and the pin decides the pair whatever the rule says.
	winners := slices.Sorted(maps.Keys(pins))
	for _, w := range winners {
		for _, p := range pins[w] {
			l := p.Over
			if all[w] == nil || all[l] == nil || w == l {
				continue
			}
			if _, ok := pinned(w, l); !ok || decided[[2]string{min(w, l), max(w, l)}] {
				continue
			}
			pair := map[string]*knowledge.Unit{w: all[w], l: all[l]}
			cs := FindConflictsAcross(pair, []string{l}, concepts)
			if len(cs) == 0 {
				continue
			}
			decided[[2]string{min(w, l), max(w, l)}] = true
			if _, ok := out[l]; !ok {
				out[l] = Supersession{Unit: l, By: w, Pinned: true, Why: "pinned by a consistency reviewer: " + p.Reason, Parameter: cs[0].A.Text}
			}
		}
	}
	skip := func(a, b string) bool { return decided[[2]string{min(a, b), max(a, b)}] }
	for _, c := range findConflictsAcross(all, ids, concepts, skip) {
		a, b := c.A.Unit, c.B.Unit
		pair := [2]string{min(a, b), max(a, b)}
		if decided[pair] {
			continue
		}
		decided[pair] = true
		s := Supersession{}
		switch pa, okA := pinned(a, b); {
		case okA:
			s = Supersession{Unit: b, By: a, Pinned: true, Why: "pinned by a consistency reviewer: " + pa.Reason}
		default:
			if pb, okB := pinned(b, a); okB {
				s = Supersession{Unit: a, By: b, Pinned: true, Why: "pinned by a consistency reviewer: " + pb.Reason}
			} else if c.Winner != "" {
				s = Supersession{Unit: a, By: c.Winner, Why: c.Why}
				if c.Winner == a {
					s.Unit = b
				}
			}
		}
		if s.Unit == "" {
			continue
		}
		s.Parameter = c.A.Text
		if s.Unit == c.B.Unit {
			s.Parameter = c.B.Text
		}
		if _, ok := out[s.Unit]; !ok {
			out[s.Unit] = s
		}
	}
	// A winner that lost another conflict passes its loser on: a note
	// beaten by a bulletin that the manual beats points at the manual, the
	// unit a reader should be sent to. A cycle of pins stops where it
	// closes.
	for id, s := range out {
		seen := map[string]bool{id: true}
		for {
			next, ok := out[s.By]
			if !ok || seen[next.By] {
				break
			}
			seen[s.By] = true
			s.By = next.By
		}
		out[id] = s
	}
	return out
}

// Pins returns the pins that count, by the unit that wins them: those in
// the record that decided an approved unit's consistency stage (so the
// same rules hold as for any approval: a consistency reviewer allowed by
// OWNERS, not the author, in a commit of their own, signed in strict
// mode). Whether a pin still binds the losing unit's version is checked
// by Supersede.
func (s *Snapshot) Pins(ctx context.Context) (map[string][]Pin, error) {
	if err := s.ReadHistory(ctx); err != nil {
		return nil, err
	}
	out := map[string][]Pin{}
	for _, id := range s.IDs() {
		has := false
		for _, r := range s.Records[id] {
			if len(r.Pins) > 0 {
				has = true
				break
			}
		}
		if !has {
			continue
		}
		if st := s.Status(id); st.State == StateApproved && len(st.Pins) > 0 {
			out[id] = st.Pins
		}
	}
	return out, nil
}
