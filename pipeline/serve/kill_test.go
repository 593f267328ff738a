package serve_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/serve"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// TestHelperIngest is the child process of TestKilledIngestLeavesWorkspaceConsistent:
// it ingests slowly until it is killed.
func TestHelperIngest(t *testing.T) {
	root := os.Getenv("KBOPS_KILL_HELPER_WS")
	if root == "" {
		t.Skip("helper process only")
	}
	ws, err := workspace.Open(root)
	if err != nil {
		os.Exit(2)
	}
	reg, started := slowRegistry(t, 150*time.Millisecond)
	go func() {
		<-started
		os.Stdout.WriteString("extracting\n")
	}()
	serve.IngestJob(ws, "expert-notes", serve.Deps{Registry: reg})(context.Background())
	os.Stdout.WriteString("finished\n")
}

// A run killed with SIGKILL (no chance to clean up) at any point leaves the
// branches and the document state as they were, and the next run
// converges: ingestion writes objects first, moves the branch last and
// saves its state after that.
func TestKilledIngestLeavesWorkspaceConsistent(t *testing.T) {
	ws, notes := trackstest.Workspace(t, trackstest.Options{})
	filepath.Walk(notes, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append(b, []byte("\n\nChecked again in 2026.\n")...), 0o644)
		}
		return nil
	})
	statePath := filepath.Join(ws.Root, workspace.StateDir, "state", "ingest.json")
	stateBefore, _ := os.ReadFile(statePath)
	reviewBefore, _, _ := ws.Repo.Branch(ws.Config.Review.Branch)
	for _, delay := range []time.Duration{0, 200 * time.Millisecond, 600 * time.Millisecond} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHelperIngest$")
		cmd.Env = append(os.Environ(), "KBOPS_KILL_HELPER_WS="+ws.Root)
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		line, _ := bufio.NewReader(out).ReadString('\n')
		if line != "extracting\n" {
			t.Fatalf("helper: %q", line)
		}
		time.Sleep(delay)
		cmd.Process.Kill()
		cmd.Wait()
		if h, _, _ := ws.Repo.Branch(ws.Config.Review.Branch); h != reviewBefore {
			t.Fatalf("killed after %v: the review branch moved", delay)
		}
		if b, _ := os.ReadFile(statePath); string(b) != string(stateBefore) {
			t.Fatalf("killed after %v: the document state changed", delay)
		}
		if _, err := reviews.Load(context.Background(), ws.Repo, reviewBefore); err != nil {
			t.Fatalf("killed after %v: %v", delay, err)
		}
	}
	// The next run does the work; the one after finds nothing to do.
	ws2, err := workspace.Open(ws.Root)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(context.Background(), ws2, ingest.Options{})
	if err != nil || rep.Commit == "" {
		t.Fatalf("next run: %+v %v", rep, err)
	}
	snap, _, _ := reviews.LoadBranch(context.Background(), ws2.Repo, ws2.Config.Review.Branch)
	n := 0
	for _, u := range snap.Units {
		if strings.Contains(u.Body, "Checked again in 2026.") {
			n++
		}
	}
	if n == 0 {
		t.Fatal("the next run did not ingest the changes")
	}
	again, err := ingest.Run(context.Background(), ws2, ingest.Options{})
	if err != nil || again.Commit != "" {
		t.Fatalf("a rerun with no change committed: %+v %v", again, err)
	}
}
