package reviews

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
)

// oneParameterBase is n units of one product that all state the rated
// voltage, with distinct values spread over them, tiers and dates mixed.
func oneParameterBase(n, distinct int) map[string]*knowledge.Unit {
	all := make(map[string]*knowledge.Unit, n)
	tiers := []knowledge.Tier{knowledge.TierOfficial, knowledge.TierInternal, knowledge.TierSupport}
	for i := range n {
		u := unit(fmt.Sprintf("Puesta a tierra del equipo %d.\n\n- Rated voltage: %d V\n", i, 200+i%distinct))
		u.ID = fmt.Sprintf("notes/es/doc%04d/seccion-%d", i/10, i)
		u.Tier = tiers[i%len(tiers)]
		u.Effective = knowledge.DateOf(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%365))
		all[u.ID] = &u
	}
	return all
}

// Thousands of units stating one parameter with dozens of values: each
// checked statement gives one conflict, naming the strongest of all the
// units that contradict it, counting the others and their values, with
// the winner the pairwise rule gives; checked against a comparison of
// every pair.
func TestFindConflictsOneParameterIsBounded(t *testing.T) {
	const n, distinct = 20000, 50
	all := oneParameterBase(n, distinct)
	var checked []string
	for i := 0; i < n; i += 200 {
		checked = append(checked, fmt.Sprintf("notes/es/doc%04d/seccion-%d", i/10, i))
	}
	cs := FindConflicts(all, checked)
	if len(cs) > len(checked) || len(cs) == 0 {
		t.Fatalf("%d conflicts for %d checked units of one statement each, want 1..%d", len(cs), len(checked), len(checked))
	}
	byA := map[string]Conflict{}
	for _, c := range cs {
		if c.A.Value == c.B.Value {
			t.Fatalf("a conflict of equal values: %+v", c)
		}
		if _, dup := byA[c.A.Unit]; dup {
			t.Fatalf("two conflicts for the one statement of %s", c.A.Unit)
		}
		byA[c.A.Unit] = c
	}
	isChecked := map[string]bool{}
	for _, id := range checked {
		isChecked[id] = true
	}
	value := map[string]float64{}
	for id, u := range all {
		value[id] = Statements(u)[0].Value
	}
	for _, id := range checked {
		u := all[id]
		v := value[id]
		var best *knowledge.Unit
		count, values := 0, map[float64]bool{}
		for _, o := range all {
			ov := value[o.ID]
			if o.ID == id || ov == v {
				continue
			}
			count++
			values[ov] = true
			if best == nil || stronger(o, best) {
				best = o
			}
		}
		c, ok := byA[id]
		if !ok {
			// Reported once, from the other side, when that unit is checked
			// and names this one.
			r, rok := byA[best.ID]
			if !rok || !isChecked[best.ID] || r.B.Unit != id {
				t.Fatalf("%s: no conflict, want one against %s", id, best.ID)
			}
			continue
		}
		if c.B.Unit != best.ID || c.Others != count-1 || c.Values != len(values) {
			t.Fatalf("%s: named %s with %d others in %d values, want %s with %d in %d", id, c.B.Unit, c.Others, c.Values, best.ID, count-1, len(values))
		}
		if w, _ := winner(u, best); w != c.Winner {
			t.Fatalf("%s against %s: winner %q, want %q", id, best.ID, c.Winner, w)
		}
	}
}

// The one conflict per statement decides what comparing every pair
// decides: a unit is superseded exactly when some contradicting unit beats
// it, and blocked (a tie) exactly when none beats it and one ties with it.
// Tiers and dates are drawn so that ties, dated and undated units mix.
func TestFindConflictsDecidesAsEveryPair(t *testing.T) {
	const n, distinct = 1500, 40
	all := oneParameterBase(n, distinct)
	i := 0
	for _, id := range slices.Sorted(maps.Keys(all)) {
		u := all[id]
		u.Effective = knowledge.DateOf(time.Date(2025, 1, 1+i%7, 0, 0, 0, 0, time.UTC))
		u.EffectiveSource = knowledge.EffectiveFromFrontMatter
		if i%4 == 0 {
			u.EffectiveSource = knowledge.EffectiveFromIngest
		}
		i++
	}
	ids := slices.Sorted(maps.Keys(all))
	cs := FindConflicts(all, ids)
	// What the conflicts say of each unit.
	beaten, tied := map[string]bool{}, map[string]bool{}
	for _, c := range cs {
		switch c.Winner {
		case "":
			tied[c.A.Unit], tied[c.B.Unit] = true, true
		case c.A.Unit:
			beaten[c.B.Unit] = true
		default:
			beaten[c.A.Unit] = true
		}
	}
	value := map[string]float64{}
	for id, u := range all {
		value[id] = Statements(u)[0].Value
	}
	for _, id := range ids {
		u := all[id]
		wantBeaten, wantTied := false, false
		for _, o := range all {
			if o.ID == id || value[o.ID] == value[id] {
				continue
			}
			switch w, _ := winner(u, o); w {
			case "":
				wantTied = true
			case o.ID:
				wantBeaten = true
			}
		}
		if beaten[id] != wantBeaten {
			t.Fatalf("%s: beaten %v, every pair says %v", id, beaten[id], wantBeaten)
		}
		// A tie matters only for a unit nothing beats.
		if !wantBeaten && tied[id] != wantTied {
			t.Fatalf("%s: in a tie %v, every pair says %v", id, tied[id], wantTied)
		}
	}
}

// A unit naming a market is compared only with the units of that market
// (and those naming none): the unit named for a value is the strongest of
// those, not a stronger one of another market.
func TestFindConflictsRepresentativeSharesTheContext(t *testing.T) {
	us := map[string]*knowledge.Unit{}
	add := func(id string, tier knowledge.Tier, markets []string, v int) {
		u := unit(fmt.Sprintf("- Rated voltage: %d V\n", v))
		u.ID, u.Tier, u.Markets = id, tier, markets
		us[id] = &u
	}
	add("notes/es/a/us", knowledge.TierInternal, []string{"us"}, 120)
	add("manuals/es/a/eu", knowledge.TierOfficial, []string{"eu"}, 230)
	add("notes/es/a/us-other", knowledge.TierSupport, []string{"us"}, 230)
	add("notes/es/a/any", knowledge.TierSupport, nil, 230)
	cs := FindConflicts(us, []string{"notes/es/a/us"})
	if len(cs) != 1 || cs[0].B.Unit != "notes/es/a/any" && cs[0].B.Unit != "notes/es/a/us-other" || cs[0].Others != 1 || cs[0].Winner != "notes/es/a/us" {
		t.Fatalf("conflicts: %+v, want one against a unit of the us market or none, 1 other, the internal note winning", cs)
	}
}

// A pin decides its pair even when the pinned-over unit is not the
// strongest of its value, and a stronger unit of that value still wins
// over the pin's winner.
func TestSupersedePinOverTheStrongestOfAValue(t *testing.T) {
	x := conflictUnit("notes/en/vf-200/x", "en", knowledge.TierInternal, "2026-06-01", knowledge.EffectiveFromFrontMatter, "- Rated voltage: 230 V\n")
	r := conflictUnit("manuals/en/vf-200/r", "en", knowledge.TierOfficial, "2026-05-01", knowledge.EffectiveFromPDF, "- Rated voltage: 240 V\n")
	r2 := conflictUnit("manuals/en/vf-200/r2", "en", knowledge.TierOfficial, "2026-03-01", knowledge.EffectiveFromPDF, "- Rated voltage: 240 V\n")
	// The strongest of 230 V, so that r2's own check names it, not x.
	x2 := conflictUnit("manuals/en/vf-200/x2", "en", knowledge.TierOfficial, "2026-01-01", knowledge.EffectiveFromPDF, "- Rated voltage: 230 V\n")
	pins := map[string][]Pin{x.ID: {{Over: r.ID, Version: r.Version, ContentHash: r.ContentHash, Reason: "measured"}}}
	got := supersede([]knowledge.Unit{x, x2, r, r2}, pins, nil)
	if s := got[r.ID]; !s.Pinned {
		t.Errorf("%s: %+v, want it superseded by the pin", r.ID, s)
	}
	if s := got[x.ID]; s.By != r2.ID {
		t.Errorf("%s: %+v, want it superseded by %s, which the pin does not name", x.ID, s, r2.ID)
	}
	if s := got[x2.ID]; s.By != r2.ID {
		t.Errorf("%s: %+v, want it superseded by %s", x2.ID, s, r2.ID)
	}
	if _, ok := got[r2.ID]; ok || len(got) != 3 {
		t.Errorf("supersessions: %+v", got)
	}
}

// The finding names one unit per value and counts the others.
func TestConflictFindingCountsOthers(t *testing.T) {
	d := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	a := mkUnit("notes/en/vf-200/a", "en", knowledge.TierInternal, d, "- Rated voltage: 230 V\n")
	b := mkUnit("manuals/en/vf-200/b", "en", knowledge.TierOfficial, d, "- Rated voltage: 240 V\n")
	c := mkUnit("notes/en/vf-200/c", "en", knowledge.TierSupport, d, "- Rated voltage: 240 V\n")
	e := mkUnit("notes/en/vf-200/e", "en", knowledge.TierSupport, d.AddDate(0, 1, 0), "- Rated voltage: 240 V\n")
	s := snapshotOf(t, a, b, c, e)
	var got []string
	for _, f := range Check(s, []string{a.ID}, CheckOptions{Stages: []Stage{Technical}}) {
		if f.Code == CodeConflict {
			got = append(got, f.String())
		}
	}
	if len(got) != 1 || !strings.Contains(got[0], knowledge.FilePath(b.ID)) || !strings.Contains(got[0], "as do 2 other units") || !strings.Contains(got[0], "winner "+knowledge.FilePath(b.ID)) {
		t.Fatalf("findings: %q, want one naming %s, 2 other units, and its winning", got, b.ID)
	}
}

// BenchmarkFindConflictsOneParameter checks 2,000 of 20,000 units that
// all state one parameter with 50 values (before grouping by value, every
// pair of them was a conflict).
func BenchmarkFindConflictsOneParameter(b *testing.B) {
	const n, distinct = 20000, 50
	all := oneParameterBase(n, distinct)
	var checked []string
	for i := 0; i < n; i += 10 {
		checked = append(checked, fmt.Sprintf("notes/es/doc%04d/seccion-%d", i/10, i))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if cs := FindConflicts(all, checked); len(cs) == 0 || len(cs) > len(checked)*distinct {
			b.Fatalf("%d conflicts", len(cs))
		}
	}
}
