package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

// The front-end's retrieval log with ratings: a unit retrieved 25 times
// and rated 1 and 2 is sent back on the feedback track, and health shows
// its retrievals and effectiveness.
func TestRetrievalLogSendsPopularBadlyRatedUnitBack(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{ApprovedAt: time.Now().Add(-60 * 24 * time.Hour)})
	st, err := tracks.Load(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	id := st.Snap.IDs()[0]
	var log strings.Builder
	at := time.Now().Add(-48 * time.Hour)
	for i := 0; i < 25; i++ {
		rating := ""
		if i < 2 {
			rating = fmt.Sprintf(`,"rating":%d`, i+1)
		}
		fmt.Fprintf(&log, `{"unit_id":%q,"query":"E07 after rain","time":%q%s}`+"\n", id, at.Add(time.Duration(i)*time.Minute).UTC().Format(time.RFC3339), rating)
	}
	file := filepath.Join(t.TempDir(), "retrievals.jsonl")
	os.WriteFile(file, []byte(log.String()), 0o644)
	out, code := ops(t, ws.Root, "feedback", "import", "--usage", file)
	if code != 0 || !strings.Contains(out, "25 new") || !strings.Contains(out, "sent back: "+id) {
		t.Fatalf("import: %d %s", code, out)
	}
	out, _ = ops(t, ws.Root, "due", "list", "--json")
	if !strings.Contains(out, "retrieved 25× in 30 days, effectiveness 0.13 of 2 ratings") {
		t.Fatalf("due: %s", out)
	}
	out, code = ops(t, ws.Root, "health")
	if code != 0 || !strings.Contains(out, "retrievals(30d)") || !strings.Contains(out, "effectiveness") || !strings.Contains(out, "0.13") {
		t.Fatalf("health: %d %s", code, out)
	}
	out, _ = ops(t, ws.Root, "health", "--json", "--window", "1")
	if !strings.Contains(out, `"usage_window_days": 1`) || !strings.Contains(out, `"retrievals": 0`) {
		t.Fatalf("health --window 1: %s", out)
	}
}
