package main

import (
	"context"
	"fmt"
	"io"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// checkOptions are the review checks' options (ingest.ReviewChecks) for
// the units of the review branch.
func checkOptions(ctx context.Context, ws *workspace.Workspace) reviews.CheckOptions {
	return ingest.ReviewChecks(ctx, ws, plumbing.ZeroHash)
}

func runReviewCheck(ctx context.Context, ws *workspace.Workspace, headRef string, stages []reviews.Stage, ids []string, out io.Writer) error {
	var snap *reviews.Snapshot
	if headRef != "" {
		h, err := ws.Repo.Resolve(headRef)
		if err != nil {
			return usageErr("--head: %v", err)
		}
		if snap, err = reviews.Load(ctx, ws.Repo, h); err != nil {
			return err
		}
	} else {
		s, ok, err := reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Branch)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(out, "no review branch %s: nothing waits for review\n", ws.Config.Review.Branch)
			return nil
		}
		snap = s
	}
	if len(ids) == 0 {
		base, err := mainBase(ctx, ws, snap)
		if err != nil {
			return err
		}
		ids = snap.ChangedUnits(base)
	} else {
		for _, id := range ids {
			if snap.Units[id] == nil {
				return usageErr("no unit %s at %s", id, snap.Commit.String()[:12])
			}
		}
	}
	o := ingest.ReviewChecks(ctx, ws, snap.Commit)
	o.Stages = stages
	fs := reviews.Check(snap, ids, o)
	for _, f := range fs {
		fmt.Fprintln(out, f)
	}
	if len(fs) > 0 {
		return attention("%d finding(s) in %s checked", len(fs), plural(len(ids), "unit", "units"))
	}
	fmt.Fprintf(out, "no findings in %s\n", plural(len(ids), "unit", "units"))
	return nil
}
