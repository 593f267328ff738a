package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// Approve, ingest and rehash started at the same moment as separate
// processes each take the repository's write lock in the package that
// writes, so none of them fails with a moved branch and every one's
// commit is on the review branch afterwards.
func TestConcurrentWritersLoseNoCommit(t *testing.T) {
	ws, notes := demoWorkspace(t, "", "")
	must(t, ws, "ingest")
	for round := range 4 {
		note := filepath.Join(notes, "en", fmt.Sprintf("round-%d.md", round))
		body := fmt.Sprintf("---\ntitle: Round %d check\nproduct: vf-200\n---\n\n# Fan check round %d\n\nClean the fan filter every %d months and check the fan turns freely.\n", round, round, round+3)
		if err := os.WriteFile(note, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		type proc struct {
			name string
			args []string
		}
		procs := []proc{
			{"approve", []string{"review", "approve", "--stage", "technical", "--as", "ana.ruiz@example.com", "--all-mine"}},
			{"ingest", []string{"ingest", "--wait"}},
			{"rehash", []string{"review", "rehash", "--as", "ops@example.com"}},
		}
		outs := make([]*strings.Builder, len(procs))
		done := make([]chan error, len(procs))
		for i, p := range procs {
			cmd, out := startKbops(t, ws, p.args...)
			outs[i], done[i] = out, make(chan error, 1)
			go func(c chan error) { c <- cmd.Wait() }(done[i])
		}
		for i, p := range procs {
			if err := <-done[i]; err != nil {
				t.Fatalf("round %d: %s failed (%v):\n%s", round, p.name, err, outs[i].String())
			}
			if s := outs[i].String(); strings.Contains(s, "branch moved since it was read") {
				t.Errorf("round %d: %s lost a race:\n%s", round, p.name, s)
			}
		}
		// Whatever the order, the note's unit is on the review branch and
		// every unit there that was pending before the round was decided.
		r, _ := kbrepo.Open(ws)
		h, _, _ := r.Branch("kbops/review")
		tree, _ := r.Tree(h)
		found := false
		for p := range tree {
			if id, ok := knowledge.IDFromPath(p); ok && strings.Contains(id, fmt.Sprintf("round-%d", round)) {
				found = true
			}
		}
		if !found {
			t.Fatalf("round %d: the ingested note is not on the review branch", round)
		}
	}
	if out := must(t, ws, "review", "status"); strings.Contains(out, "invalid") && !strings.Contains(out, "0 invalid") {
		t.Errorf("status after concurrent writers:\n%s", out)
	}
}

// Approve, rehash and merge leave run reports like ingest and publish.
func TestReviewWritersLeaveRunReports(t *testing.T) {
	ws, _ := demoWorkspace(t, "", "")
	must(t, ws, "ingest")
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	out := must(t, ws, "runs", "--limit", "0")
	for _, kind := range []string{"ingest", "approve", "merge"} {
		if !strings.Contains(out, kind) {
			t.Errorf("runs does not list a %s run:\n%s", kind, out)
		}
	}
	if !strings.Contains(out, "merged 11 unit(s)") && !strings.Contains(must(t, ws, "runs", "--job", "merge"), "merged") {
		t.Errorf("merge report has no summary:\n%s", out)
	}
}
