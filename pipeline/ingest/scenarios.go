package ingest

import (
	"context"
	"maps"
	"sort"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
	"github.com/kbops/kbops/sources"
)

// scenarioState is the cluster state of a source whose kind makes
// scenario units (tickets). It is not stored anywhere of its own: it is
// read from the source's active scenario units on the branch the run
// builds on, so it is reviewed with them, survives a fresh clone, and
// cannot drift from what the knowledge base says. Each extracted export
// is handed the state as it stands after the documents before it in the
// run, so two exports ingested in one run merge as they do in two runs.
type scenarioState struct {
	base map[string]*knowledge.Unit // as committed, retired ones included
	cur  map[string]*knowledge.Unit // active, after this run's documents so far
}

// scenariosNeeded reports whether a run of a scenario source needs its
// scenario state: when an export is new or changed (extraction continues
// the scenarios), when an unchanged export has no unit folder (only the
// scenarios' seen_in show it contributed), or when a document is gone —
// the state remembers one that is not listed, or a folder belongs to none
// listed (its scenarios may live on in later exports). Otherwise every
// export is skipped and nothing is retired, and reading every scenario
// unit of a large ticket history would be the run's largest cost (a 1%
// change to manuals re-read all 100,000 ticket units of the bench).
func scenariosNeeded(reg *sources.Registry, spec sources.Spec, loc sources.Location, items []sources.Item, versions map[string]string, idx *baseUnits) bool {
	if sources.Kinds()[spec.Kind].Layer != knowledge.LayerScenario {
		return false
	}
	listed := map[string]bool{}
	for _, it := range items {
		if FormatOf(reg, spec, loc, it) == "" {
			continue
		}
		listed[docDir(spec.Name, it.Key)] = true
		if versions[it.Key] != it.Version || !idx.has(spec.Name, it.Key) {
			return true
		}
	}
	for doc := range versions {
		if !listed[docDir(spec.Name, doc)] {
			return true
		}
	}
	for _, dir := range idx.sourceDirs(spec.Name) {
		if !listed[dir] {
			return true
		}
	}
	return false
}

// loadScenarios reads every active scenario unit of the source; nil for
// sources of other kinds.
func loadScenarios(ctx context.Context, spec sources.Spec, idx *baseUnits) (*scenarioState, error) {
	if sources.Kinds()[spec.Kind].Layer != knowledge.LayerScenario {
		return nil, nil
	}
	sc := &scenarioState{base: map[string]*knowledge.Unit{}, cur: map[string]*knowledge.Unit{}}
	for _, dir := range idx.sourceDirs(spec.Name) {
		us, err := idx.parseDir(ctx, dir)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			if u.Source.Name != spec.Name || u.Layer != knowledge.LayerScenario {
				continue
			}
			sc.base[u.ID] = u
			if u.Status == knowledge.StatusActive {
				sc.cur[u.ID] = u
			}
		}
	}
	return sc, nil
}

// seenIn is a unit's count per export; a unit from before counts were
// kept per export has all of its tickets in the export it names.
func seenIn(u *knowledge.Unit) map[string]int {
	if len(u.SeenIn) > 0 {
		return u.SeenIn
	}
	return map[string]int{u.Source.Document: max(u.Occurrences, 1)}
}

// priors are the units as the extractor continues them, in id order.
func (sc *scenarioState) priors() []sources.Prior {
	if sc == nil {
		return nil
	}
	ids := make([]string, 0, len(sc.cur))
	for id := range sc.cur {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := make([]sources.Prior, 0, len(ids))
	for _, id := range ids {
		u := sc.cur[id]
		out = append(out, sources.Prior{
			ID: u.ID, Document: u.Source.Document, Title: u.Title, Language: u.Language, Kind: u.Kind, Product: u.Product,
			Text: u.Body, Locator: u.Source.Locator, Occurrences: u.Occurrences, SeenIn: seenIn(u),
			FirstSeen: u.FirstSeen.Time, LastSeen: u.LastSeen.Time, Effective: u.Effective.Time,
		})
	}
	return out
}

// has reports whether an export contributed to a scenario, which is what
// a unit folder of its own says for other documents: an export whose
// tickets all joined earlier scenarios has no folder.
func (sc *scenarioState) has(doc string) bool {
	if sc == nil {
		return false
	}
	for _, u := range sc.cur {
		if seenIn(u)[doc] > 0 {
			return true
		}
	}
	return false
}

// exports lists the exports the scenarios were seen in, sorted.
func (sc *scenarioState) exports() []string {
	if sc == nil {
		return nil
	}
	set := map[string]bool{}
	for _, u := range sc.cur {
		for doc := range seenIn(u) {
			set[doc] = true
		}
	}
	out := make([]string, 0, len(set))
	for doc := range set {
		out = append(out, doc)
	}
	sort.Strings(out)
	return out
}

// revisionBase is the committed unit a new state of id is a revision of:
// versions count commits, so a scenario that two exports of one run
// change is one version further, and one this run made is version 1.
func (sc *scenarioState) revisionBase(id string, fallback *knowledge.Unit) *knowledge.Unit {
	if sc != nil {
		if u, ok := sc.base[id]; ok {
			return u
		}
		if _, ok := sc.cur[id]; ok {
			return nil // made by an earlier document of this run
		}
	}
	return fallback
}

// record notes a unit's new state for the documents after this one.
func (sc *scenarioState) record(u knowledge.Unit) {
	if sc == nil || u.Layer != knowledge.LayerScenario {
		return
	}
	if u.Status != knowledge.StatusActive {
		delete(sc.cur, u.ID)
		return
	}
	sc.cur[u.ID] = &u
}

// withdraw takes an export's tickets out of the scenarios it contributed
// to and did not produce this time (its rows changed, or it is gone): a
// scenario still seen in another export keeps its text and loses the
// count; one seen only there is retired.
func (sc *scenarioState) withdraw(doc string, produced map[string]bool, col *collector) {
	if sc == nil {
		return
	}
	var ids []string
	for id, u := range sc.cur {
		if !produced[id] && seenIn(u)[doc] > 0 {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		u := *sc.cur[id]
		rest := maps.Clone(seenIn(&u))
		delete(rest, doc)
		if len(rest) == 0 {
			u.Status = knowledge.StatusRetired
		} else {
			u.SeenIn, u.Occurrences = rest, 0
			for _, n := range rest {
				u.Occurrences += n
			}
		}
		next, ch := knowledge.Revise(sc.revisionBase(id, nil), u)
		if ch == knowledge.Changed && next.Status == knowledge.StatusRetired {
			ch = knowledge.Retired
		}
		sc.record(next)
		col.put(next, ch)
	}
}

// scenarioFields sets the cross-export fields of a ticket section's unit.
func scenarioFields(u *knowledge.Unit, s sources.Section, now time.Time) {
	if s.SeenIn == nil {
		return
	}
	u.SeenIn = s.SeenIn
	u.LastSeen = knowledge.DateOf(now)
	if !s.LastSeen.IsZero() {
		u.LastSeen = knowledge.DateOf(s.LastSeen)
	}
	u.FirstSeen = u.LastSeen
	if !s.FirstSeen.IsZero() {
		u.FirstSeen = knowledge.DateOf(s.FirstSeen)
	}
}

// collector gathers a source's file changes; a unit changed by two
// documents of one run is written once, in its last state.
type collector struct {
	changes []kbrepo.Change
	units   []UnitChange
	kinds   []knowledge.Change
	at      map[string]int
	errs    []string
}

func (c *collector) put(u knowledge.Unit, ch knowledge.Change) {
	if ch == knowledge.Unchanged {
		return
	}
	kc, err := unitChange(u)
	if err != nil {
		c.errs = append(c.errs, err.Error())
		return
	}
	if c.at == nil {
		c.at = map[string]int{}
	}
	uc := UnitChange{u.ID, ch.String(), u.Version, u.Owner}
	if i, ok := c.at[kc.Path]; ok {
		c.changes[i], c.units[i], c.kinds[i] = kc, uc, ch
		return
	}
	c.at[kc.Path] = len(c.changes)
	c.changes, c.units, c.kinds = append(c.changes, kc), append(c.units, uc), append(c.kinds, ch)
}

// report adds the counts and changes to the source's result.
func (c *collector) report(res *sourceResult) []kbrepo.Change {
	for i, ch := range c.kinds {
		if ch == knowledge.Retired {
			res.Retired++
		} else {
			count(res, ch)
		}
		res.changes = append(res.changes, c.units[i])
	}
	res.Errors = append(res.Errors, c.errs...)
	return c.changes
}
