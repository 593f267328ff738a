package forget

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/workspace"
)

// ErrRemaining is returned by Erase, wrapped, when the erasure finished
// but files in the workspace folder that kbops does not manage (source
// documents, uncommitted edits) still hold the data: Result.Remaining
// names them, and a person has to edit or remove them.
var ErrRemaining = errors.New("files in the workspace folder still hold the data")

// EraseOptions control Erase.
type EraseOptions struct {
	// Subject, Now, Author and Time are those of Options.
	Subject Subject
	Now     bool
	Author  string
	Time    time.Time
	// NoWeaviate leaves Weaviate alone. A workspace that never published
	// (no weaviate.url, no embedded data) is not searched either.
	NoWeaviate bool
	// Wait waits for a running job instead of failing with lock.ErrBusy.
	Wait bool
	// Status receives progress lines while Weaviate is opened (an embedded
	// server being started); nil discards them.
	Status func(string)
	// Log receives the warning when the run report cannot be written; nil
	// is slog.Default.
	Log *slog.Logger
}

// Erase is the erasure `kbops forget` runs: it holds the repository lock
// and the publish lock for the whole run (a publish meanwhile could write
// an erased object back from a unit not yet erased), taken in the order
// every run takes them; opens Weaviate unless told not to or nothing was
// ever published; runs Run; and records a "forget" run report. A held
// lock without Wait is lock.ErrBusy naming its holder. When Run succeeds
// but Result.Remaining is not empty, the error wraps ErrRemaining.
func Erase(ctx context.Context, ws *workspace.Workspace, o EraseOptions) (Result, error) {
	ctx, run, err := runs.Begin(ctx, ws, "forget", runs.BeginOptions{Locks: []string{lock.Repo, lock.Publish}, Wait: o.Wait})
	if err != nil {
		return Result{}, err
	}
	opts := Options{Subject: o.Subject, Now: o.Now, Author: o.Author, Time: o.Time}
	if !o.NoWeaviate && release.HasWeaviate(ws) {
		status := o.Status
		if status == nil {
			status = func(string) {}
		}
		opts.Connect = release.Connector(ws, status)
	}
	res, err := Run(ctx, ws, opts)
	if o.NoWeaviate {
		res.WeaviateSkipped = "--no-weaviate"
	} else if opts.Connect == nil {
		res.WeaviateSkipped = "nothing was ever published from this workspace"
	}
	// Remaining files make the report's outcome attention (ItemErrors),
	// not failed: the erasure itself is done.
	if _, rerr := run.Finish(res, err); rerr != nil {
		log := o.Log
		if log == nil {
			log = slog.Default()
		}
		log.Warn("could not write the run report", "err", rerr)
	}
	if err == nil && len(res.Remaining) > 0 {
		err = fmt.Errorf("%w: %d, named above; edit or remove them", ErrRemaining, len(res.Remaining))
	}
	return res, err
}

// ItemErrors names the files that still hold the data, for the run
// report (runs.ItemErrorer).
func (r Result) ItemErrors() []string {
	out := make([]string, 0, len(r.Remaining))
	for _, p := range r.Remaining {
		out = append(out, "still in "+p+" (not kbops's file: edit or remove it)")
	}
	return out
}
