package tracks

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/kbops/kbops/pipeline/workspace"
)

// Usage is how a unit did with the front-end's users over a window: how
// often queries retrieved it and how they rated it.
type Usage struct {
	Retrievals int `json:"retrievals"`
	Ratings    int `json:"ratings"`
	// Effectiveness is the mean of (rating−1)/4 over the ratings, 0 (all
	// rated 1) to 1 (all rated 5); nil without ratings.
	Effectiveness *float64 `json:"effectiveness"`
}

// UsageOf counts, per unit, the retrievals and ratings at or after since.
// A rating on a retrieval log row (the front-end may send both in one
// line) and a row of the feedback store are both ratings; a row imported
// into both stores counts once.
func UsageOf(retrievals, feedback []Row, since time.Time) map[string]*Usage {
	out := map[string]*Usage{}
	get := func(id string) *Usage {
		u := out[id]
		if u == nil {
			u = &Usage{}
			out[id] = u
		}
		return u
	}
	sums := map[string]float64{}
	rated := map[string]bool{}
	rate := func(r Row) {
		if r.Rating <= 0 || r.Time.Before(since) || rated[r.Key] {
			return
		}
		rated[r.Key] = true
		u := get(r.Unit)
		u.Ratings++
		sums[r.Unit] += (r.Rating - 1) / 4
	}
	for _, r := range retrievals {
		if r.Time.Before(since) {
			continue
		}
		get(r.Unit).Retrievals++
		rate(r)
	}
	for _, r := range feedback {
		rate(r)
	}
	for id, u := range out {
		if u.Ratings > 0 {
			e := float64(int64(sums[id]/float64(u.Ratings)*100+0.5)) / 100
			u.Effectiveness = &e
		}
	}
	return out
}

// Window is the usage window of the thresholds.
func (t Thresholds) Window() time.Duration {
	d := t.WindowDays
	if d <= 0 {
		d = DefaultThresholds().WindowDays
	}
	return time.Duration(d) * 24 * time.Hour
}

// RetrievedBadly reports whether a unit's usage sends it back: retrieved
// at least MinRetrievals times in the window and rated at least twice,
// with an effectiveness at or below MaxEffectiveness. A unit many users
// see needs fewer ratings than the average rule asks for: two bad ratings
// of a unit retrieved a hundred times say more than three of a unit
// nobody finds.
func (t Thresholds) RetrievedBadly(u *Usage) bool {
	return u != nil && t.MinRetrievals > 0 && u.Retrievals >= t.MinRetrievals && u.Ratings >= 2 &&
		u.Effectiveness != nil && *u.Effectiveness <= t.MaxEffectiveness
}

// dueByUsage lists the units retrieved often but rated badly in the
// window, counting only what came after each unit's last review.
func dueByUsage(st *State, retrievals, feedback []Row, th Thresholds, now time.Time) []Item {
	since := now.Add(-th.Window())
	after := func(rows []Row) []Row {
		var out []Row
		for _, r := range rows {
			u := st.Snap.Units[r.Unit]
			if u == nil {
				continue
			}
			if last := LastReviewed(u, st.Snap.Records[r.Unit], st.Due[r.Unit]); !last.IsZero() && !r.Time.After(last) {
				continue
			}
			out = append(out, r)
		}
		return out
	}
	usage := UsageOf(after(retrievals), after(feedback), since)
	ids := make([]string, 0, len(usage))
	for id, u := range usage {
		if th.RetrievedBadly(u) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	items := make([]Item, 0, len(ids))
	for _, id := range ids {
		u := usage[id]
		items = append(items, Item{Unit: id, Entry: Entry{Track: Feedback, Reason: fmt.Sprintf(
			"feedback: retrieved %d× in %d days, effectiveness %.2f of %d ratings", u.Retrievals, int(th.Window().Hours()/24), *u.Effectiveness, u.Ratings)}})
	}
	return items
}

// mergeItems joins the send-back items of both rules, one per unit.
func mergeItems(a, b []Item) []Item {
	at := map[string]int{}
	out := append([]Item(nil), a...)
	for i, it := range out {
		at[it.Unit] = i
	}
	for _, it := range b {
		if i, ok := at[it.Unit]; ok {
			out[i].Entry.Reason += "; " + it.Entry.Reason[len("feedback: "):]
			continue
		}
		out = append(out, it)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Unit < out[j].Unit })
	return out
}

// LoadRetrievals reads the stored retrieval log; a missing store gives
// none and false.
func LoadRetrievals(ws *workspace.Workspace) ([]Row, bool, error) {
	return loadRows(UsageFile(ws))
}

// ImportLog imports the front-end's retrieval log: every row is a
// retrieval (kept in the usage store); a row that also carries a rating or
// reason is feedback too (kept in the feedback store). Rows imported before
// are skipped. Then both feedback rules run: units whose feedback since
// their last review crosses the thresholds, and units retrieved often but
// rated badly in the window, go back to their owner. Callers hold the
// lock.Repo lock.
func ImportLog(ctx context.Context, ws *workspace.Workspace, rows []Row, th Thresholds, now time.Time) (ImportResult, error) {
	added, dup, err := ImportUsage(ws, rows)
	res := ImportResult{Read: len(rows), New: added, Duplicate: dup}
	if err != nil {
		return res, err
	}
	var rated []Row
	for _, r := range rows {
		if r.Rating > 0 || r.Reason != "" {
			rated = append(rated, r)
		}
	}
	fb, err := Import(ctx, ws, rated, th, now)
	fb.Read, fb.New, fb.Duplicate = res.Read, res.New, res.Duplicate
	return fb, err
}
