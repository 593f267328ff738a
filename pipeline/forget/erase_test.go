package forget_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/forget"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

// TestEraseWaitsForNoPublish: a publish that runs while units are erased
// could write an erased object back, so Erase refuses to start while the
// publish lock is held, naming the holder, erases nothing, and leaves the
// repository lock free behind it.
func TestEraseWaitsForNoPublish(t *testing.T) {
	ctx := context.Background()
	ws, _ := trackstest.Workspace(t, trackstest.Options{Notes: notes, Unredacted: true})
	pub, err := lock.Acquire(ctx, lock.Dir(ws.Root), lock.Publish, false, "kbops serve job publish")
	if err != nil {
		t.Fatal(err)
	}
	before, _, _ := ws.Repo.Branch(ws.Config.Review.Branch)
	_, err = forget.Erase(ctx, ws, forget.EraseOptions{Subject: forget.Subject{Emails: []string{email}}, Now: true})
	pub.Release()
	if !errors.Is(err, lock.ErrBusy) || !strings.Contains(err.Error(), "kbops serve job publish") {
		t.Fatalf("erase during a publish: %v", err)
	}
	if h, _, _ := ws.Repo.Branch(ws.Config.Review.Branch); h != before {
		t.Fatal("the review branch moved although the erasure did not start")
	}
	if m, _, _ := ws.Repo.Branch("main"); leaks(t, ws, "main") == nil || m.IsZero() {
		t.Fatal("main lost the data although the erasure did not start")
	}
	repo, err := lock.Acquire(ctx, lock.Dir(ws.Root), lock.Repo, false, "test")
	if err != nil {
		t.Fatalf("the repository lock is still held after a refused erasure: %v", err)
	}
	repo.Release()
	if list, _ := runs.List(ws); len(list) != 0 {
		t.Fatalf("a run that never started was recorded: %+v", list)
	}
}

// TestEraseNamesFilesItCannotErase: a source document copied into the
// workspace folder is not kbops's to rewrite; the erasure finishes, names
// it, returns ErrRemaining (exit 3 in the command), and the run report
// says attention, not failure.
func TestEraseNamesFilesItCannotErase(t *testing.T) {
	ctx := context.Background()
	ws, _ := trackstest.Workspace(t, trackstest.Options{Notes: notes, Unredacted: true})
	stray := filepath.Join(ws.Root, "inbox", "call.txt")
	if err := os.MkdirAll(filepath.Dir(stray), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stray, []byte("call "+email+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := forget.Erase(ctx, ws, forget.EraseOptions{Subject: forget.Subject{Emails: []string{email}, Names: []string{name}}, Now: true, NoWeaviate: true})
	if !errors.Is(err, forget.ErrRemaining) {
		t.Fatalf("want ErrRemaining, got %v", err)
	}
	if len(res.Remaining) != 1 || res.Remaining[0] != "inbox/call.txt" || res.Commit == "" || res.WeaviateSkipped == "" {
		t.Fatalf("%+v", res)
	}
	if l := leaks(t, ws, "main"); len(l) != 1 || l[0] != "file inbox/call.txt" {
		t.Fatalf("left behind: %v", l)
	}
	list, _ := runs.List(ws)
	if len(list) != 1 || list[0].Kind != "forget" || list[0].Outcome != runs.Attention || !strings.Contains(strings.Join(list[0].Errors, "\n"), "inbox/call.txt") {
		t.Fatalf("run report: %+v", list)
	}
	// Once the file is gone, a rerun finds nothing and succeeds.
	if err := os.Remove(stray); err != nil {
		t.Fatal(err)
	}
	res, err = forget.Erase(ctx, ws, forget.EraseOptions{Subject: forget.Subject{Emails: []string{email}, Names: []string{name}}, Now: true, NoWeaviate: true})
	if err != nil || res.Total() != 0 {
		t.Fatalf("rerun: %v %+v", err, res)
	}
}
