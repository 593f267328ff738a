package tracks_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

// logLines writes n retrieval-log rows for unit at time at; the first
// ratings carry a rating.
func logLines(b *strings.Builder, unit string, n int, at time.Time, ratings ...int) {
	for i := 0; i < n; i++ {
		ts := at.Add(time.Duration(i) * time.Minute).UTC().Format(time.RFC3339)
		if i < len(ratings) {
			fmt.Fprintf(b, `{"unit_id":%q,"query":"q%d","time":%q,"rating":%d}`+"\n", unit, i, ts, ratings[i])
		} else {
			fmt.Fprintf(b, `{"unit_id":%q,"query":"q%d","time":%q}`+"\n", unit, i, ts)
		}
	}
}

// A unit many queries retrieve and users rate badly goes to the feedback
// track on two ratings; a well-rated popular unit, a badly rated unit
// nobody retrieves, and retrievals outside the window do not count.
func TestRetrievedOftenButRatedBadlyGoesBack(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	ws, _ := trackstest.Workspace(t, trackstest.Options{ApprovedAt: now.Add(-90 * 24 * time.Hour)})
	st, _ := tracks.Load(ctx, ws)
	ids := st.Snap.IDs()
	popularBad, popularGood, rare, oldBad := ids[0], ids[1], ids[2], ids[3]
	var log strings.Builder
	logLines(&log, popularBad, 25, now.Add(-24*time.Hour), 1, 2)
	logLines(&log, popularGood, 25, now.Add(-24*time.Hour), 5, 4)
	logLines(&log, rare, 3, now.Add(-24*time.Hour), 1, 1)
	logLines(&log, oldBad, 30, now.Add(-60*24*time.Hour), 1, 1) // outside the 30-day window
	logLines(&log, oldBad, 5, now.Add(-24*time.Hour))
	rows, problems := tracks.ParseUsage("log.jsonl", strings.NewReader(log.String()))
	if len(problems) != 0 || len(rows) != 88 {
		t.Fatalf("rows %d problems %v", len(rows), problems)
	}

	usage := tracks.UsageOf(rows, nil, now.Add(-30*24*time.Hour))
	if u := usage[popularBad]; u.Retrievals != 25 || u.Ratings != 2 || u.Effectiveness == nil || *u.Effectiveness != 0.13 {
		t.Errorf("popular, badly rated: %+v", u)
	}
	if u := usage[oldBad]; u.Retrievals != 5 || u.Ratings != 0 || u.Effectiveness != nil {
		t.Errorf("window: %+v", u)
	}

	res, err := tracks.ImportLog(ctx, ws, rows, tracks.DefaultThresholds(), now)
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 88 || len(res.SendBack.Units) != 1 || res.SendBack.Units[0] != popularBad {
		t.Fatalf("import: %+v", res)
	}
	st, _ = tracks.Load(ctx, ws)
	due := st.OpenDue()
	if len(due) != 1 || due[0].Entries[0].Track != tracks.Feedback || !strings.Contains(due[0].Entries[0].Reason, "retrieved 25× in 30 days, effectiveness 0.13 of 2 ratings") {
		t.Fatalf("due %+v", due)
	}
	// The rated rows are feedback too; importing the log again adds nothing.
	fb, _ := tracks.LoadFeedback(ws)
	if len(fb) != 8 {
		t.Errorf("feedback store holds %d rows, want the 8 rated ones", len(fb))
	}
	again, err := tracks.ImportLog(ctx, ws, rows, tracks.DefaultThresholds(), now)
	if err != nil || again.New != 0 || again.Duplicate != 88 || again.SendBack.Commit != "" {
		t.Fatalf("re-import %+v %v", again, err)
	}
	// A wider window lets the old bad ratings count as well.
	th := tracks.DefaultThresholds()
	th.WindowDays = 90
	if u := tracks.UsageOf(rows, fb, now.Add(-th.Window()))[oldBad]; !th.RetrievedBadly(u) || u.Ratings != 2 {
		t.Errorf("90-day window: %+v", u)
	}
}
