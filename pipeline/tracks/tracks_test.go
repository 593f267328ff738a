package tracks_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

func TestRegularTrackSendsBackStaleUnitsOnceAndConfirmClearsThem(t *testing.T) {
	ctx := context.Background()
	now := time.Now()
	ws, _ := trackstest.Workspace(t, trackstest.Options{ApprovedAt: now.Add(-100 * 24 * time.Hour)})
	ws.Config.Review.Intervals = map[knowledge.Tier]int{knowledge.TierInternal: 90}

	res, err := tracks.Sweep(ctx, ws, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Units) == 0 || res.Commit == "" {
		t.Fatalf("nothing sent back: %+v", res)
	}
	st, err := tracks.Load(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	due := st.OpenDue()
	if len(due) != len(res.Units) || due[0].Entries[0].Track != tracks.Regular || !strings.Contains(due[0].Entries[0].Reason, "every 90 days") {
		t.Fatalf("due %+v", due)
	}
	// A second sweep finds them already due and writes nothing.
	again, err := tracks.Sweep(ctx, ws, now)
	if err != nil || again.Commit != "" || again.Already != len(res.Units) {
		t.Fatalf("second sweep %+v %v", again, err)
	}
	// A longer interval sends nothing back.
	ws2, _ := trackstest.Workspace(t, trackstest.Options{ApprovedAt: now.Add(-10 * 24 * time.Hour)})
	ws2.Config.Review.Intervals = map[knowledge.Tier]int{knowledge.TierInternal: 90}
	if r, _ := tracks.Sweep(ctx, ws2, now); len(r.Units) != 0 {
		t.Fatalf("fresh units sent back: %+v", r)
	}

	// They wait for their technical owner, not for anyone else.
	if mine := st.DueFor("Ana Ruiz <ana.ruiz@example.com>"); len(mine) != len(due) || mine[0] != due[0].ID {
		t.Fatalf("due for the owner: %v of %d", mine, len(due))
	}
	if other := st.DueFor("tom.baker@example.com"); len(other) != 0 {
		t.Fatalf("due for someone OWNERS does not name: %v", other)
	}

	// The owner confirms one; someone else may not.
	id := due[0].ID
	c, err := tracks.Confirm(ctx, ws, "tom.baker@example.com", []string{id}, "", now)
	if err != nil || len(c.Units) != 0 || len(c.Problems) != 1 {
		t.Fatalf("confirm by a non-owner: %+v %v", c, err)
	}
	c, err = tracks.Confirm(ctx, ws, "Ana Ruiz <ana.ruiz@example.com>", []string{id}, "still right", now)
	if err != nil || len(c.Units) != 1 {
		t.Fatalf("confirm: %+v %v", c, err)
	}
	st, _ = tracks.Load(ctx, ws)
	if len(st.OpenDue()) != len(due)-1 {
		t.Fatalf("confirmed unit still due")
	}
}

func TestTriggerSendsBackAProductsUnits(t *testing.T) {
	ctx := context.Background()
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	res, err := tracks.Trigger(ctx, ws, "VF-200", "firmware 2.1 released", "Ana Ruiz <ana.ruiz@example.com>", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	st, _ := tracks.Load(ctx, ws)
	active := 0
	for _, u := range st.Snap.Units {
		if u.Status == knowledge.StatusActive {
			active++
		}
	}
	if len(res.Units) != active || len(st.OpenDue()) != active {
		t.Fatalf("sent %d of %d", len(res.Units), active)
	}
	if e := st.OpenDue()[0].Entries[0]; e.Reason != "firmware 2.1 released" || e.By != "Ana Ruiz <ana.ruiz@example.com>" {
		t.Fatalf("entry %+v", e)
	}
	// Same event again: nothing new. Another event: a second entry.
	if r, _ := tracks.Trigger(ctx, ws, "vf-200", "firmware 2.1 released", "", time.Now()); r.Commit != "" {
		t.Fatal("repeated trigger committed")
	}
	if r, _ := tracks.Trigger(ctx, ws, "vf-200", "recall notice 7", "", time.Now()); len(r.Units) != active {
		t.Fatal("second event not recorded")
	}
	if _, err := tracks.Trigger(ctx, ws, "nope", "x", "", time.Now()); err == nil {
		t.Fatal("unknown product accepted")
	}
}

func TestFeedbackThresholds(t *testing.T) {
	ctx := context.Background()
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	st, _ := tracks.Load(ctx, ws)
	ids := st.Snap.IDs()
	a, b := ids[0], ids[1]
	ts := time.Now().UTC().Format(time.RFC3339)
	csvText := "unit_id,rating,reason,comment,query,time\n" +
		a + ",1,,useless,how to ground," + ts + "\n" +
		a + ",2,,,, " + ts + "\n" +
		a + ",down,unclear,,," + ts + "\n" +
		b + ",5,inaccurate,P1.08 is wrong,," + ts + "\n" +
		"nosuch,3,,,," + ts + "\n" +
		b + ",9,,,," + ts + "\n"
	rows, problems := tracks.ParseFeedback("fb.csv", strings.NewReader(csvText))
	if len(rows) != 5 || len(problems) != 1 || !strings.Contains(problems[0].Error(), "fb.csv:7") {
		t.Fatalf("rows %d problems %v", len(rows), problems)
	}
	res, err := tracks.Import(ctx, ws, rows, tracks.DefaultThresholds(), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if res.New != 5 || res.Unknown != 1 || len(res.SendBack.Units) != 2 {
		t.Fatalf("%+v", res)
	}
	st, _ = tracks.Load(ctx, ws)
	reasons := map[string]string{}
	for _, d := range st.OpenDue() {
		reasons[d.ID] = d.Entries[0].Reason
	}
	if !strings.Contains(reasons[a], "average rating 1.3 of 3") || !strings.Contains(reasons[b], "inaccurate ×1") {
		t.Fatalf("reasons %v", reasons)
	}
	// Importing the same file again changes nothing.
	jsonl := `{"unit_id":"` + a + `","rating":1,"time":"` + ts + `","comment":"useless","query":"how to ground"}` + "\n"
	rows2, _ := tracks.ParseFeedback("fb.jsonl", strings.NewReader(jsonl))
	res2, err := tracks.Import(ctx, ws, rows2, tracks.DefaultThresholds(), time.Now())
	if err != nil || res2.New != 0 || res2.Duplicate != 1 || res2.SendBack.Commit != "" {
		t.Fatalf("reimport %+v %v", res2, err)
	}
}
