package runs_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
)

// TestBeginHoldsItsLocksUntilFinish: Begin holds every lock it was given
// (the repository's one carried by ctx), a second run is refused naming
// the first, and Finish writes the report before letting the next run in.
func TestBeginHoldsItsLocksUntilFinish(t *testing.T) {
	ws := newWorkspace(t)
	ctx := context.Background()
	ctx, run, err := runs.Begin(ctx, ws, "forget", runs.BeginOptions{Locks: []string{lock.Publish, lock.Repo}})
	if err != nil {
		t.Fatal(err)
	}
	if !ws.Repo.HoldsWriteLock(ctx) {
		t.Fatal("ctx does not carry the repository's write lock")
	}
	for _, name := range []string{lock.Repo, lock.Publish} {
		_, _, err := runs.Begin(context.Background(), ws, "ingest", runs.BeginOptions{Locks: []string{name}})
		if !errors.Is(err, lock.ErrBusy) || !strings.Contains(err.Error(), "kbops forget") {
			t.Fatalf("%s taken twice: %v", name, err)
		}
	}
	if _, err := run.Finish(nil, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := run.Finish(nil, nil); err != nil {
		t.Fatal(err)
	}
	list, _ := runs.List(ws)
	if len(list) != 1 || list[0].Kind != "forget" || list[0].Outcome != runs.Success {
		t.Fatalf("reports: %+v", list)
	}
	_, next, err := runs.Begin(context.Background(), ws, "publish", runs.BeginOptions{Locks: []string{lock.Publish, lock.Repo}})
	if err != nil {
		t.Fatalf("locks not released by Finish: %v", err)
	}
	next.Finish(nil, errors.New("boom"))
	if list, _ = runs.List(ws); len(list) != 2 || list[0].Outcome != runs.Failed {
		t.Fatalf("reports: %+v", list)
	}
}

// TestBeginReleasesWhatItTookWhenALockIsBusy: a run that gets the
// repository lock but not the publish lock gives the first one back.
func TestBeginReleasesWhatItTookWhenALockIsBusy(t *testing.T) {
	ws := newWorkspace(t)
	ctx := context.Background()
	pub, err := lock.Acquire(ctx, lock.Dir(ws.Root), lock.Publish, false, "kbops serve job publish")
	if err != nil {
		t.Fatal(err)
	}
	defer pub.Release()
	if _, _, err := runs.Begin(ctx, ws, "forget", runs.BeginOptions{Locks: []string{lock.Repo, lock.Publish}}); !errors.Is(err, lock.ErrBusy) {
		t.Fatalf("publish lock held elsewhere: %v", err)
	}
	l, err := lock.Acquire(ctx, lock.Dir(ws.Root), lock.Repo, false, "test")
	if err != nil {
		t.Fatalf("repository lock kept after a refused start: %v", err)
	}
	l.Release()
}
