package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

func runReviewRehash(ctx context.Context, ws *workspace.Workspace, who string, out io.Writer) (err error) {
	ctx, finish, err := beginRun(ctx, ws, "rehash", runs.BeginOptions{Locks: []string{lock.Repo}, Wait: true}, nil)
	if err != nil {
		return err
	}
	var res reviews.RehashResult
	defer func() { finish(res, err) }()
	res, err = reviews.Rehash(ctx, ws.Repo, reviews.RehashOptions{Branch: ws.Config.Review.Branch, Main: ws.Config.Review.Main, Author: who, Now: time.Now()})
	if err != nil {
		return err
	}
	for _, id := range res.Units {
		fmt.Fprintf(out, "rehashed %s: a new version waits for technical review\n", knowledge.FilePath(id))
	}
	for _, p := range res.Problems {
		fmt.Fprintf(out, "not rehashed: %v\n", p)
	}
	fmt.Fprintf(out, "%d unit(s) rehashed on %s\n", len(res.Units), ws.Config.Review.Branch)
	if len(res.Problems) > 0 {
		return &exitError{exitAttention, fmt.Errorf("%d unit file(s) have other errors; fix the fields named above", len(res.Problems))}
	}
	return nil
}

func runReviewStatus(ctx context.Context, ws *workspace.Workspace, who string, out io.Writer) error {
	snap, ok, err := reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Branch)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintf(out, "no review branch %s: nothing waits for review\n", ws.Config.Review.Branch)
		return nil
	}
	base, err := mainBase(ctx, ws, snap)
	if err != nil {
		return err
	}
	ov, err := snap.Overview(ctx, base, checkOptions(ctx, ws))
	if err != nil {
		return err
	}
	mine := func(allowed []string) bool { return who == "" || slices.Contains(allowed, reviews.Identity(who)) }
	shown := 0
	for _, w := range ov.Waiting {
		if !mine(w.Status.Allowed) {
			continue
		}
		shown++
		st, u := w.Status, w.Unit
		since := ""
		if !st.Since.IsZero() {
			since = ", waiting since " + st.Since.UTC().Format("2006-01-02 15:04")
		}
		if w.Author != "" {
			since += ", written by " + w.Author
		}
		fmt.Fprintf(out, "%-9s %-12s %s v%d (%s%s) — %s\n", st.State, st.Next, u.ID, u.Version, u.Language, since, strings.Join(st.Allowed, ", "))
		for _, p := range st.Problems {
			fmt.Fprintf(out, "          %s\n", p)
		}
		for _, f := range w.Findings {
			fmt.Fprintf(out, "          check: %s\n", f)
		}
	}
	for _, w := range ov.Waivers {
		if mine(w.Allowed) || reviews.Identity(who) == w.Reviewer {
			fmt.Fprintf(out, "waived    %-12s %s v%d: %s waived by %s: %s\n", w.Stage, w.Unit.ID, w.Unit.Version, w.Waiver.Code, w.Reviewer, w.Waiver.Reason)
		}
	}
	for _, rm := range ov.Removals {
		if !mine(rm.Allowed) {
			continue
		}
		shown++
		fmt.Fprintf(out, "%-9s %-12s %s v%d deleted by %s — %s\n", reviews.StatePending, reviews.RemovalStage, rm.ID, rm.Removed.Version, orUnknown(rm.Deleter), strings.Join(rm.Allowed, ", "))
		fmt.Fprintf(out, "          %s\n", rm.Why)
	}
	c := ov.Counts
	fmt.Fprintf(out, "%s: %d approved, %d pending, %d rejected, %d invalid\n", ws.Config.Review.Branch,
		c[reviews.StateApproved], c[reviews.StatePending], c[reviews.StateRejected], c[reviews.StateInvalid])
	// Units sent back by the update tracks (interval, product event,
	// feedback) wait for their owner even though their content is unchanged.
	if due, err := tracks.Load(ctx, ws); err == nil {
		open := due.OpenDue()
		sort.Slice(open, func(i, j int) bool { return open[i].ID < open[j].ID })
		for _, d := range open {
			if who != "" && reviews.Identity(d.Owner) != reviews.Identity(who) {
				continue
			}
			for _, e := range d.Entries {
				fmt.Fprintf(out, "due       %-12s %s (%s, since %s) — %s\n", e.Track, d.ID, e.Reason, e.Since.Format("2006-01-02"), d.Owner)
			}
		}
	}
	if who != "" && shown == 0 {
		fmt.Fprintf(out, "nothing waits for %s\n", reviews.Identity(who))
	}
	return nil
}

// mainBase: see reviews.MainBase.
func mainBase(ctx context.Context, ws *workspace.Workspace, snap *reviews.Snapshot) (*reviews.Snapshot, error) {
	return reviews.MainBase(ctx, ws.Repo, ws.Config.Review.Main, snap)
}

// syncReviewBranch: see workspace.SyncFromClone.
func syncReviewBranch(ws *workspace.Workspace) error {
	return ws.SyncFromClone(context.Background())
}

// fetchReviewBranch: see workspace.FetchReviewBranch.
func fetchReviewBranch(ctx context.Context, ws *workspace.Workspace) error {
	if err := ws.FetchReviewBranch(ctx); errors.Is(err, workspace.ErrNoRemote) {
		return usageErr("--push needs %v", err)
	} else if err != nil {
		return err
	}
	return nil
}

func pushBranch(ctx context.Context, ws *workspace.Workspace, branch string, force bool, out io.Writer) error {
	if err := ws.PushBranch(ctx, branch, force); err != nil {
		return err
	}
	fmt.Fprintf(out, "pushed %s to %s\n", branch, ws.Config.Git.Remote)
	return nil
}

func runReviewVerify(ctx context.Context, ws *workspace.Workspace, baseRef, headRef string, out io.Writer) error {
	hh, err := ws.Repo.Resolve(headRef)
	if err != nil {
		return usageErr("--head: %v", err)
	}
	cache := openParseCache(ws)
	defer saveParseCache(cache)
	head, err := reviews.LoadCached(ctx, ws.Repo, hh, cache)
	if err != nil {
		return err
	}
	var base *reviews.Snapshot
	if baseRef != "" {
		bh, err := ws.Repo.Resolve(baseRef)
		if err != nil {
			return usageErr("--base: %v", err)
		}
		if bh, err = ws.Repo.MergeBase(bh, hh); err != nil {
			return err
		}
		if base, err = reviews.LoadCached(ctx, ws.Repo, bh, cache); err != nil {
			return err
		}
	}
	checks := ingest.ReviewChecks(ctx, ws, hh) // the termbase that travels with head
	rep, err := reviews.VerifyWith(ctx, head, base, &checks)
	if err != nil {
		return err
	}
	for _, f := range rep.Failures {
		fmt.Fprintf(out, "FAIL %s\n", f)
	}
	if !rep.OK() {
		return attention("verify failed: %d problem(s) in %s checked", len(rep.Failures), plural(rep.Checked, "unit", "units"))
	}
	fmt.Fprintf(out, "verify passed: %s approved for their current content\n", plural(rep.Checked, "unit", "units"))
	return nil
}

func runReviewMerge(ctx context.Context, ws *workspace.Workspace, who string, out io.Writer) (err error) {
	ctx, finish, err := beginRun(ctx, ws, "merge", runs.BeginOptions{Locks: []string{lock.Repo}, Wait: true}, nil)
	if err != nil {
		return err
	}
	var res reviews.MergeResult
	defer func() { finish(res, err) }()
	checks := checkOptions(ctx, ws)
	// What verify and approve parsed is not parsed again.
	cache := openParseCache(ws)
	defer saveParseCache(cache)
	res, err = reviews.MergeCached(ctx, ws.Repo, ws.Config.Review.Main, ws.Config.Review.Branch, who, time.Now(), &checks, cache)
	if err != nil {
		return err
	}
	how := "merge commit"
	if res.FastForward {
		how = "fast-forward"
	}
	fmt.Fprintf(out, "merged %s into %s (%s, %s, now at %s); the review branch is deleted\n",
		ws.Config.Review.Branch, ws.Config.Review.Main, how, plural(res.Units, "unit", "units"), res.Commit.String()[:12])
	return nil
}
