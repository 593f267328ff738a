package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/glossarypass"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

type publishOptions struct {
	DryRun bool
	Repair bool
	JSON   bool
	Wait   bool // wait for a running publish instead of exiting
	ErrOut io.Writer
}

func publishCommand() *cli.Command {
	return &cli.Command{
		Name:  "publish",
		Usage: "make Weaviate hold exactly the approved knowledge on main",
		Description: `Reads the approved, active units on the main branch (the same rule as
` + "`kbops review verify`" + `), compares them with the collection, writes only what
changed, checks every object's result and verifies the collection afterwards.
Unapproved units on main are reported and left out. A second run with no
change writes nothing.

Example:
   kbops publish --dry-run --json`,
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "dry-run", Usage: "print the plan, write nothing"},
			&cli.BoolFlag{Name: "repair", Usage: "read every object in full to find and fix objects changed or deleted by hand, and strays"},
			&cli.BoolFlag{Name: "json", Usage: "print the plan or result as JSON"},
			&cli.BoolFlag{Name: "wait", Usage: "if another publish is running, wait for it instead of exiting"},
		},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			return runPublish(c.Context, ws, publishOptions{DryRun: c.Bool("dry-run"), Repair: c.Bool("repair"), JSON: c.Bool("json"), Wait: c.Bool("wait"), ErrOut: c.App.ErrWriter}, c.App.Writer)
		},
	}
}

// published records what is live, for people and for the next run.
type published struct {
	Commit     string    `json:"commit"`
	Collection string    `json:"collection"`
	Objects    int       `json:"objects"`
	At         time.Time `json:"at"`
}

func runPublish(ctx context.Context, ws *workspace.Workspace, o publishOptions, out io.Writer) (err error) {
	if o.ErrOut == nil {
		o.ErrOut = io.Discard
	}
	var res publish.Result
	if !o.DryRun {
		// One writer per Weaviate at a time; every run leaves a report.
		_, finish, err := beginRun(ctx, ws, "publish", lock.Publish, o.Wait, o.ErrOut)
		if err != nil {
			return err
		}
		defer func() { finish(res, err) }()
	}
	st, err := approvedOnMain(ctx, ws)
	if err != nil {
		return err
	}
	mh, approved, left := st.commit, st.approved, st.unapproved
	targets, done, err := openTargets(ctx, ws, func(s string) {
		if !o.JSON {
			fmt.Fprintln(out, s)
		}
	})
	if err != nil {
		return err
	}
	defer done()
	res, err = publishAll(ctx, ws, targets, approved, st, o)
	if err == nil && len(st.unreadable) > 0 {
		ids := make([]string, 0, len(st.unreadable))
		for id := range st.unreadable {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			fmt.Fprintf(out, "  kept as published (unreadable on %s): %v\n", ws.Config.Review.Main, st.unreadable[id])
		}
		defer func() {
			if err == nil {
				err = attention("%s on %s cannot be read; what was published of them stays. Fix the files through review (edit on %s, approve, merge)", plural(len(ids), "unit file", "unit files"), ws.Config.Review.Main, ws.Config.Review.Branch)
			}
		}()
	}
	return reportPublish(ws, o, out, mh, res, left, err)
}

// publishAll publishes to every target and sums the results.
func publishAll(ctx context.Context, ws *workspace.Workspace, targets []accessTarget, approved []*knowledge.Unit, st mainState, o publishOptions) (publish.Result, error) {
	var res publish.Result
	var err error
	set, done := publishProgress(o.ErrOut)
	defer done()
	res.Plan.Collection = ws.Config.Weaviate.Collection
	for _, t := range targets {
		r, perr := publish.Publish(ctx, t.Target, t.unitsFor(approved), publish.Options{
			DryRun: o.DryRun, Repair: o.Repair, Terms: st.terms, Progress: set, Keep: st.held, Hold: st.hold,
		})
		res.Written, res.Deleted = res.Written+r.Written, res.Deleted+r.Deleted
		res.Failed = append(res.Failed, r.Failed...)
		res.Plan.Desired += r.Plan.Desired
		res.Plan.Actual += r.Plan.Actual
		res.Plan.Unchanged += r.Plan.Unchanged
		res.Plan.Kept += r.Plan.Kept
		res.Plan.Actions = append(res.Plan.Actions, r.Plan.Actions...)
		if perr != nil {
			err = perr
			break
		}
	}
	return res, err
}

// reportPublish prints what publish did and records what is live.
func reportPublish(ws *workspace.Workspace, o publishOptions, out io.Writer, mh plumbing.Hash, res publish.Result, left []reviews.UnitStatus, err error) error {
	cfg := ws.Config
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if e := enc.Encode(map[string]any{
			"plan": res.Plan, "written": res.Written, "deleted": res.Deleted, "failed": res.Failed,
			"dry_run": o.DryRun, "commit": mh.String(), "unapproved": len(left),
		}); e != nil {
			return e
		}
	} else {
		for _, st := range left {
			fmt.Fprintf(out, "  left out (not approved): %s — %s review pending\n", st.ID, st.Next)
		}
		if o.DryRun {
			fmt.Fprintf(out, "plan for %s at %s: %d add, %d update, %d delete, %d unchanged\n", res.Plan.Collection, mh.String()[:12],
				res.Plan.Count(publish.OpAdd), res.Plan.Count(publish.OpUpdate), res.Plan.Count(publish.OpDelete), res.Plan.Unchanged)
			for _, a := range res.Plan.Actions {
				fmt.Fprintf(out, "  %-6s %s (v%d) %s\n", a.Op, a.UnitID, a.Version, a.Object)
			}
		} else if err == nil {
			fmt.Fprintf(out, "published %s at %s: %d written, %d deleted, %d unchanged; verified %s\n", cfg.Weaviate.Collection, mh.String()[:12],
				res.Written, res.Deleted, res.Plan.Unchanged, plural(res.Plan.Desired, "object", "objects"))
			if res.Plan.Kept > 0 {
				fmt.Fprintf(out, "  %s kept as published: their files on %s are unreadable, not approved, or removed without review\n", plural(res.Plan.Kept, "object", "objects"), cfg.Review.Main)
			}
		}
	}
	if err != nil {
		return err
	}
	if !o.DryRun {
		p, err := ws.State("published.json")
		if err != nil {
			return err
		}
		b, _ := json.MarshalIndent(published{mh.String(), cfg.Weaviate.Collection, res.Plan.Desired, time.Now().UTC()}, "", "  ")
		if err := os.WriteFile(p, b, 0o644); err != nil {
			return err
		}
	}
	if len(left) > 0 {
		return attention("%s on %s lack approvals and were not published", plural(len(left), "unit", "units"), cfg.Review.Main)
	}
	return nil
}

// mainState is what publishing reads from main.
type mainState struct {
	commit     plumbing.Hash
	approved   []*knowledge.Unit
	unapproved []reviews.UnitStatus                                     // active units that lack approvals
	held       map[string]bool                                          // units whose published objects stay (see Snapshot.Held)
	hold       func(context.Context, []string) (map[string]bool, error) // removals not reviewed (see Snapshot.HoldRemovals)
	unreadable map[string]error                                         // unit files on main that cannot be read
	terms      publish.Terms                                            // nil without an approved termbase
}

// approvedOnMain loads main: its approved units, the active units that
// lack approvals, and the cross-language terms of the approved termbase.
func approvedOnMain(ctx context.Context, ws *workspace.Workspace) (mainState, error) {
	var st mainState
	mh, ok, err := ws.Repo.Branch(ws.Config.Review.Main)
	if err != nil {
		return st, err
	}
	if !ok {
		return st, fmt.Errorf("branch %s does not exist: nothing is approved yet", ws.Config.Review.Main)
	}
	st.commit = mh
	cache := openParseCache(ws)
	snap, err := reviews.LoadCached(ctx, ws.Repo, mh, cache)
	if err != nil {
		return st, err
	}
	saveParseCache(cache)
	var unapproved []reviews.UnitStatus
	st.approved, unapproved = snap.ApprovedUnits()
	st.held, st.unreadable, st.hold = snap.Held(unapproved), snap.Unreadable, snap.HoldRemovals
	for _, u := range unapproved {
		if snap.Units[u.ID].Status == knowledge.StatusActive {
			st.unapproved = append(st.unapproved, u)
		}
	}
	st.terms = termsOf(ctx, ws, snap)
	return st, nil
}

// termsOf returns the cross-language terms of the termbase at snap when
// that termbase is approved (nil otherwise): what reaches Weaviate is
// reviewed, terms included.
func termsOf(ctx context.Context, ws *workspace.Workspace, snap *reviews.Snapshot) publish.Terms {
	if _, ok := snap.Tree[reviews.GlossaryFile]; !ok {
		return nil
	}
	if !snap.GlossaryApproved() {
		slog.Warn("publishing without cross-language terms: the termbase on main is not approved", "problems", strings.Join(snap.GlossaryProblems(), "; "))
		return nil
	}
	m, err := glossarypass.Load(ctx, ws.Repo, snap.Tree, ws.Config.Languages)
	if err != nil || m == nil {
		if err != nil {
			slog.Warn("publishing without cross-language terms", "error", err)
		}
		return nil
	}
	return glossarypass.Terms(m, ws.Config.Languages)
}

// publishTerms supplies the cross-language glossary terms of each unit,
// from the approved termbase on main; nil when there is none.
func publishTerms(ws *workspace.Workspace) publish.Terms {
	st, err := approvedOnMain(context.Background(), ws)
	if err != nil {
		return nil
	}
	return st.terms
}

// mainMatcher loads the termbase on main; nil when there is none or it
// cannot be read (then publishing goes on without cross-language terms,
// and `kbops glossary check` says what is wrong).
func mainMatcher(ctx context.Context, ws *workspace.Workspace) *glossary.Matcher {
	h, ok, err := ws.Repo.Branch(ws.Config.Review.Main)
	if err != nil || !ok {
		return nil
	}
	tree, err := ws.Repo.Tree(h)
	if err != nil {
		return nil
	}
	m, err := glossarypass.Load(ctx, ws.Repo, tree, ws.Config.Languages)
	if err != nil {
		slog.Warn("publishing without cross-language terms", "error", err)
		return nil
	}
	return m
}
