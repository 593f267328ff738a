package runs

import (
	"context"
	"slices"
	"sort"
	"time"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/workspace"
)

// Hold takes the workspace lock named name for holder (a command name or
// "kbops serve job X", shown to whoever waits for it) and returns ctx,
// which for lock.Repo carries the repository's write lock so that the
// package functions a run calls see it held instead of waiting for
// themselves. Without wait a held lock is lock.ErrBusy, naming its holder.
// release is never nil.
func Hold(ctx context.Context, ws *workspace.Workspace, name string, wait bool, holder string) (_ context.Context, release func(), _ error) {
	if name == lock.Repo && ws.Repo != nil {
		return ws.Repo.WriteLock(ctx, holder, wait)
	}
	l, err := lock.Acquire(ctx, lock.Dir(ws.Root), name, wait, holder)
	if err != nil {
		return ctx, func() {}, err
	}
	return ctx, func() { _ = l.Release() }, nil
}

// lockRank orders the locks one run may hold together. Every writer that
// holds both takes the repository lock before the publish lock (a
// publish job takes only the latter), so two runs never each hold the
// lock the other waits for.
func lockRank(name string) int {
	switch name {
	case lock.Repo:
		return 0
	case lock.Publish:
		return 1
	}
	return 2
}

// lockOrder returns names sorted by lockRank, each once.
func lockOrder(names []string) []string {
	out := append([]string(nil), names...)
	sort.SliceStable(out, func(i, j int) bool { return lockRank(out[i]) < lockRank(out[j]) })
	return slices.Compact(out)
}

// BeginOptions say which locks a run takes and how it is recorded.
type BeginOptions struct {
	// Locks are the workspace locks the run holds from Begin to Finish,
	// taken in the one order every run uses (lock.Repo before
	// lock.Publish) whatever order they are given in.
	Locks []string
	// Wait waits for a held lock instead of failing with lock.ErrBusy.
	Wait bool
	// Holder is who holds the locks, shown to a waiting process; default
	// "kbops <kind>".
	Holder string
	// Job and Trigger are recorded in the report (see Options).
	Job, Trigger string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// Run is a run in progress: its locks are held until Finish.
type Run struct {
	ws      *workspace.Workspace
	kind    string
	start   time.Time
	o       BeginOptions
	release []func()
}

// Begin starts a run of kind (ingest, publish, forget, …): it takes the
// locks of o in order and notes the start time. On error no lock is held
// and nothing is recorded. The caller runs its operation with the
// returned ctx and then calls Finish, whatever the outcome:
//
//	ctx, run, err := runs.Begin(ctx, ws, "ingest", runs.BeginOptions{Locks: []string{lock.Repo}})
//	if err != nil { return err }
//	rep, err := ingest.Run(ctx, ws, o)
//	run.Finish(rep, err)
func Begin(ctx context.Context, ws *workspace.Workspace, kind string, o BeginOptions) (context.Context, *Run, error) {
	if o.Holder == "" {
		o.Holder = "kbops " + kind
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	r := &Run{ws: ws, kind: kind, start: o.Now(), o: o}
	for _, name := range lockOrder(o.Locks) {
		var rel func()
		var err error
		if ctx, rel, err = Hold(ctx, ws, name, o.Wait, o.Holder); err != nil {
			r.unlock()
			return ctx, nil, err
		}
		r.release = append(r.release, rel)
	}
	return ctx, r, nil
}

// Start is when the run began.
func (r *Run) Start() time.Time { return r.start }

func (r *Run) unlock() {
	for i := len(r.release) - 1; i >= 0; i-- {
		r.release[i]()
	}
	r.release = nil
}

// Finish records the run's report (see Build; report is the run's own
// result, runErr its error) and then releases its locks, so no other run
// starts before the report of this one is on disk. The error is only the
// failure to write the report: callers show it as a warning, never as the
// run's outcome. A second call records nothing.
func (r *Run) Finish(report any, runErr error) (Report, error) {
	if r.ws == nil {
		return Report{}, nil
	}
	defer func() { r.unlock(); r.ws = nil }()
	rep := Build(r.kind, r.start, report, runErr, Options{Job: r.o.Job, Trigger: r.o.Trigger, End: r.o.Now()})
	return rep, Save(r.ws, rep)
}
