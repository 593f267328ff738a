package health

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/contextlib"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// Row is the health of one group of units (a product, an owner, or all).
type Row struct {
	Key string `json:"key"`
	// Units are the active units on main.
	Units int `json:"units"`
	// Stale units are past their tier's review interval or have open due
	// entries; StalePct is their share of Units, 0–100.
	Stale    int     `json:"stale"`
	StalePct float64 `json:"stale_pct"`
	// Due are units with open due entries (any track).
	Due int `json:"due"`
	// MedianAgeDays is the median time since the last review of the
	// reviewed units; null when none was reviewed.
	MedianAgeDays *float64 `json:"median_age_days"`
	// WithConcepts units name at least one glossary concept;
	// GlossaryCoverage is their share, 0–100.
	WithConcepts     int     `json:"with_concepts"`
	GlossaryCoverage float64 `json:"glossary_coverage_pct"`
	// Pending are units changed on the review branch and not yet
	// approved; PendingOldestDays and PendingMedianDays their waiting time.
	Pending           int      `json:"pending_reviews"`
	PendingOldestDays *float64 `json:"pending_oldest_days"`
	PendingMedianDays *float64 `json:"pending_median_days"`
	// Conflicts are contradicting values between active units on main
	// (reviews.FindConflicts) that involve the group's units.
	Conflicts int `json:"open_conflicts"`
	// FeedbackScore is the average rating (1–5) of all feedback on the
	// group's units; null without ratings.
	FeedbackScore   *float64 `json:"feedback_score"`
	FeedbackRatings int      `json:"feedback_ratings"`
	// ScenarioUnits and Occurrences: scenario units and the tickets they
	// were seen in.
	ScenarioUnits int `json:"scenario_units"`
	Occurrences   int `json:"scenario_occurrences"`
	// NeverRetrieved counts units no front-end query retrieved (per the
	// imported retrieval log); null while no usage data is imported.
	NeverRetrieved *int `json:"never_retrieved"`
	// Retrievals are the queries that retrieved the group's units in the
	// usage window; Effectiveness is the mean of (rating−1)/4 over the
	// ratings given in the window (0–1, null without ratings), Rated
	// their number; RetrievedBadly counts the units the usage rule of the
	// feedback track sends back (retrieved often, rated badly).
	Retrievals     int      `json:"retrievals"`
	Effectiveness  *float64 `json:"effectiveness"`
	Rated          int      `json:"effectiveness_ratings"`
	RetrievedBadly int      `json:"retrieved_badly_rated"`
}

// Report is the health report.
type Report struct {
	GeneratedAt  time.Time `json:"generated_at"`
	Workspace    string    `json:"workspace"`
	MainCommit   string    `json:"main_commit"`
	ReviewCommit string    `json:"review_commit,omitempty"`
	Filter       Filter    `json:"filter"`
	Total        Row       `json:"total"`
	Products     []Row     `json:"products"`
	Owners       []Row     `json:"owners"`
	// Intervals are the review intervals per tier (days) staleness uses.
	Intervals map[knowledge.Tier]int `json:"intervals,omitempty"`
	// UsageWindowDays is the window of retrievals and effectiveness.
	UsageWindowDays int `json:"usage_window_days"`
	// Markets is the adaptation coverage of each market the context
	// library (context.yaml on main) requires adaptations for.
	Markets []contextlib.Coverage `json:"market_coverage,omitempty"`
	Notes   []string              `json:"notes,omitempty"`
}

// Filter limits the report to a product and/or an owner.
type Filter struct {
	Product string `json:"product,omitempty"`
	Owner   string `json:"owner,omitempty"`
	// WindowDays overrides the usage window of Thresholds.
	WindowDays int `json:"window_days,omitempty"`
	// Thresholds are the feedback track's (serve.yaml); nil means
	// tracks.DefaultThresholds.
	Thresholds *tracks.Thresholds `json:"-"`
}

type acc struct {
	row      Row
	ages     []float64
	pending  []float64
	ratings  float64
	nRatings int
	eff      float64 // sum of effectiveness × ratings
}

// Compute builds the report at now.
func Compute(ctx context.Context, ws *workspace.Workspace, f Filter, now time.Time) (Report, error) {
	rep := Report{GeneratedAt: now.UTC(), Workspace: ws.Root, Filter: f, Intervals: ws.Config.Review.Intervals}
	st, err := tracks.Load(ctx, ws)
	if err != nil {
		return rep, err
	}
	for _, p := range st.Problems {
		rep.Notes = append(rep.Notes, "unreadable due file: "+p.Error())
	}
	main := st.Main
	if main == nil {
		main = &reviews.Snapshot{Units: map[string]*knowledge.Unit{}, Records: map[string][]reviews.Record{}, Owners: &reviews.Owners{}}
		rep.Notes = append(rep.Notes, "no main branch yet: nothing is approved")
	} else {
		rep.MainCommit = main.Commit.String()
	}
	if st.Snap.Commit != main.Commit {
		rep.ReviewCommit = st.Snap.Commit.String()
	}
	keep := func(u *knowledge.Unit) bool {
		return (f.Product == "" || strings.EqualFold(u.Product, f.Product)) && (f.Owner == "" || strings.EqualFold(reviews.Identity(u.Owner), reviews.Identity(f.Owner)))
	}
	total := &acc{row: Row{Key: "all"}}
	products, owners := map[string]*acc{}, map[string]*acc{}
	groups := func(u *knowledge.Unit) []*acc {
		pk := u.Product
		if pk == "" {
			pk = "(no product)"
		}
		ok2 := reviews.Identity(u.Owner)
		if products[pk] == nil {
			products[pk] = &acc{row: Row{Key: pk}}
		}
		if owners[ok2] == nil {
			owners[ok2] = &acc{row: Row{Key: ok2}}
		}
		return []*acc{total, products[pk], owners[ok2]}
	}
	rows, err := tracks.LoadFeedback(ws)
	if err != nil {
		rep.Notes = append(rep.Notes, err.Error())
	}
	type fb struct {
		sum float64
		n   int
	}
	feedback := map[string]*fb{}
	for _, r := range rows {
		if r.Rating > 0 {
			if feedback[r.Unit] == nil {
				feedback[r.Unit] = &fb{}
			}
			feedback[r.Unit].sum += r.Rating
			feedback[r.Unit].n++
		}
	}
	usage, haveUsage, err := tracks.LoadUsage(ws)
	if err != nil {
		rep.Notes = append(rep.Notes, err.Error())
	}
	th := tracks.DefaultThresholds()
	if f.Thresholds != nil {
		th = *f.Thresholds
	}
	if f.WindowDays > 0 {
		th.WindowDays = f.WindowDays
	}
	rep.UsageWindowDays = int(th.Window().Hours() / 24)
	retrievals, _, err := tracks.LoadRetrievals(ws)
	if err != nil {
		rep.Notes = append(rep.Notes, err.Error())
	}
	used := tracks.UsageOf(retrievals, rows, now.Add(-th.Window()))
	never := map[*acc]int{}
	for _, id := range main.IDs() {
		u := main.Units[id]
		if u.Status != knowledge.StatusActive || !keep(u) {
			continue
		}
		if haveUsage && usage[id] == 0 {
			for _, a := range groups(u) {
				never[a]++
			}
		}
		last := tracks.LastReviewed(u, main.Records[id], st.Due[id])
		due := len(st.Due[id].OpenFor(st.Snap.Units[id])) > 0
		stale := due
		if days, ok := ws.Config.Review.Intervals[u.Tier]; ok && days > 0 && !last.IsZero() && now.Sub(last) > time.Duration(days)*24*time.Hour {
			stale = true
		}
		for _, a := range groups(u) {
			a.row.Units++
			if stale {
				a.row.Stale++
			}
			if due {
				a.row.Due++
			}
			if !last.IsZero() {
				a.ages = append(a.ages, now.Sub(last).Hours()/24)
			}
			if len(u.Concepts) > 0 {
				a.row.WithConcepts++
			}
			if u.Layer == knowledge.LayerScenario {
				a.row.ScenarioUnits++
				a.row.Occurrences += u.Occurrences
			}
			if f := feedback[id]; f != nil {
				a.ratings += f.sum
				a.nRatings += f.n
			}
			if us := used[id]; us != nil {
				a.row.Retrievals += us.Retrievals
				if us.Effectiveness != nil {
					a.eff += *us.Effectiveness * float64(us.Ratings)
					a.row.Rated += us.Ratings
				}
				if th.RetrievedBadly(us) {
					a.row.RetrievedBadly++
				}
			}
		}
	}
	// Pending reviews: units changed on the review branch, not approved.
	if st.Snap.Commit != main.Commit {
		for _, id := range st.Snap.ChangedUnits(main) {
			u := st.Snap.Units[id]
			if u == nil || !keep(u) {
				continue
			}
			s := st.Snap.Status(id)
			if s.State == reviews.StateApproved {
				continue
			}
			since := s.Since
			if since.IsZero() {
				since = u.Source.FetchedAt
			}
			for _, a := range groups(u) {
				a.row.Pending++
				if !since.IsZero() {
					a.pending = append(a.pending, now.Sub(since).Hours()/24)
				}
			}
		}
	}
	// Open conflicts on main.
	for _, c := range reviews.FindConflicts(main.Units, main.IDs()) {
		seen := map[*acc]bool{}
		for _, uid := range []string{c.A.Unit, c.B.Unit} {
			u := main.Units[uid]
			if u == nil || !keep(u) {
				continue
			}
			for _, a := range groups(u) {
				if !seen[a] {
					seen[a] = true
					a.row.Conflicts++
				}
			}
		}
	}
	if b, ok, err := ws.Repo.ReadPath(main.Tree, contextlib.File); err != nil || ok {
		lib, perr := contextlib.Parse(contextlib.File, b)
		switch {
		case err != nil:
			rep.Notes = append(rep.Notes, err.Error())
		case perr != nil:
			rep.Notes = append(rep.Notes, perr.Error())
		default:
			var us []*knowledge.Unit
			for _, id := range main.IDs() {
				if u := main.Units[id]; keep(u) {
					us = append(us, u)
				}
			}
			rep.Markets = lib.Coverage(us)
		}
	}
	if !haveUsage {
		rep.Notes = append(rep.Notes, "never_retrieved is empty: import the front-end's retrieval log with `kbops feedback import --usage FILE`")
	}
	finish := func(a *acc) Row {
		r := a.row
		if haveUsage {
			n := never[a]
			r.NeverRetrieved = &n
		}
		if r.Units > 0 {
			r.StalePct = round1(100 * float64(r.Stale) / float64(r.Units))
			r.GlossaryCoverage = round1(100 * float64(r.WithConcepts) / float64(r.Units))
		}
		r.MedianAgeDays = median(a.ages)
		r.PendingMedianDays = median(a.pending)
		if len(a.pending) > 0 {
			m := a.pending[0]
			for _, p := range a.pending {
				if p > m {
					m = p
				}
			}
			m = round1(m)
			r.PendingOldestDays = &m
		}
		if r.Rated > 0 {
			e := float64(int64(a.eff/float64(r.Rated)*100+0.5)) / 100
			r.Effectiveness = &e
		}
		if a.nRatings > 0 {
			s := round1(a.ratings / float64(a.nRatings))
			r.FeedbackScore, r.FeedbackRatings = &s, a.nRatings
		}
		return r
	}
	rep.Total = finish(total)
	for _, a := range products {
		rep.Products = append(rep.Products, finish(a))
	}
	for _, a := range owners {
		rep.Owners = append(rep.Owners, finish(a))
	}
	sort.Slice(rep.Products, func(i, j int) bool { return rep.Products[i].Key < rep.Products[j].Key })
	sort.Slice(rep.Owners, func(i, j int) bool { return rep.Owners[i].Key < rep.Owners[j].Key })
	if rep.Products == nil {
		rep.Products = []Row{}
	}
	if rep.Owners == nil {
		rep.Owners = []Row{}
	}
	return rep, nil
}

func round1(x float64) float64 { return float64(int64(x*10+0.5)) / 10 }

func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	m := s[len(s)/2]
	if len(s)%2 == 0 {
		m = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	m = round1(m)
	return &m
}

// Summary is the one-line description for run reports.
func (r Report) Summary() string {
	return fmt.Sprintf("health: %d units, %.1f%% stale, %d due, %d pending reviews, %d open conflicts, glossary coverage %.1f%%",
		r.Total.Units, r.Total.StalePct, r.Total.Due, r.Total.Pending, r.Total.Conflicts, r.Total.GlossaryCoverage)
}

// Dir is where snapshots are written under the workspace's state folder.
const Dir = "health"

// Snapshot computes the report (f selects the usage thresholds; a
// snapshot covers every product and owner whatever f says) and writes .kbops/health/health.json and
// health.html (replacing the previous snapshot), for `kbops serve`'s
// health job.
func Snapshot(ctx context.Context, ws *workspace.Workspace, f Filter, now time.Time) (Report, error) {
	f.Product, f.Owner = "", ""
	rep, err := Compute(ctx, ws, f, now)
	if err != nil {
		return rep, err
	}
	dir := filepath.Join(ws.Root, workspace.StateDir, Dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return rep, fmt.Errorf("health snapshot: %w", err)
	}
	b, _ := json.MarshalIndent(rep, "", "  ")
	if err := writeAtomic(filepath.Join(dir, "health.json"), b); err != nil {
		return rep, err
	}
	var h strings.Builder
	if err := WriteHTML(&h, rep); err != nil {
		return rep, err
	}
	return rep, writeAtomic(filepath.Join(dir, "health.html"), []byte(h.String()))
}

func writeAtomic(p string, b []byte) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}
