package health_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/health"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

// Health shows, per product and owner, how often the front-end retrieved
// the units in the window, how well they were rated, and how many are
// retrieved often but rated badly.
func TestHealthShowsRetrievalsAndEffectiveness(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	ws, _ := trackstest.Workspace(t, trackstest.Options{ApprovedAt: now.Add(-90 * 24 * time.Hour), Notes: notes})
	st, _ := tracks.Load(ctx, ws)
	var vf200, vf300 []string
	for _, id := range st.Snap.IDs() {
		switch st.Snap.Units[id].Product {
		case "vf-200":
			vf200 = append(vf200, id)
		case "vf-300":
			vf300 = append(vf300, id)
		}
	}
	var log strings.Builder
	line := func(unit string, at time.Time, i, rating int) {
		r := ""
		if rating > 0 {
			r = fmt.Sprintf(`,"rating":%d`, rating)
		}
		fmt.Fprintf(&log, `{"unit_id":%q,"query":"q%d","time":%q%s}`+"\n", unit, i, at.Add(time.Duration(i)*time.Second).UTC().Format(time.RFC3339), r)
	}
	day := now.Add(-24 * time.Hour)
	for i := 0; i < 30; i++ { // vf-300: popular, rated 1 and 2
		line(vf300[0], day, i, map[int]int{0: 1, 1: 2}[i])
	}
	for i := 0; i < 4; i++ { // vf-200: rated 5 twice
		line(vf200[0], day, i, map[int]int{0: 5, 1: 5}[i])
	}
	for i := 0; i < 10; i++ { // 45 days ago: outside the default window
		line(vf200[1], now.Add(-45*24*time.Hour), i, 1)
	}
	rows, _ := tracks.ParseUsage("log.jsonl", strings.NewReader(log.String()))
	if _, err := tracks.ImportLog(ctx, ws, rows, tracks.DefaultThresholds(), now); err != nil {
		t.Fatal(err)
	}
	rep, err := health.Compute(ctx, ws, health.Filter{}, now)
	if err != nil {
		t.Fatal(err)
	}
	find := func(rows []health.Row, key string) health.Row {
		for _, r := range rows {
			if r.Key == key {
				return r
			}
		}
		t.Fatalf("no row %s", key)
		return health.Row{}
	}
	p200, p300 := find(rep.Products, "vf-200"), find(rep.Products, "vf-300")
	if rep.UsageWindowDays != 30 || p300.Retrievals != 30 || p300.Effectiveness == nil || *p300.Effectiveness != 0.13 || p300.RetrievedBadly != 1 {
		t.Errorf("vf-300: window %d retrievals %d effectiveness %v badly %d", rep.UsageWindowDays, p300.Retrievals, p300.Effectiveness, p300.RetrievedBadly)
	}
	if p200.Retrievals != 4 || p200.Effectiveness == nil || *p200.Effectiveness != 1 || p200.RetrievedBadly != 0 {
		t.Errorf("vf-200: retrievals %d effectiveness %v badly %d", p200.Retrievals, p200.Effectiveness, p200.RetrievedBadly)
	}
	if o := find(rep.Owners, "li.wei@example.com"); o.Retrievals != 30 || o.RetrievedBadly != 1 {
		t.Errorf("owner li.wei: %+v", o)
	}
	// A 60-day window takes in the old retrievals and their bad ratings.
	wide, _ := health.Compute(ctx, ws, health.Filter{WindowDays: 60}, now)
	if w := find(wide.Products, "vf-200"); w.Retrievals != 14 || w.Effectiveness == nil || *w.Effectiveness >= 0.5 {
		t.Errorf("60-day window vf-200: %+v", w)
	}
}
