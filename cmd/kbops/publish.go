package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sort"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/workspace"
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

func runPublish(ctx context.Context, ws *workspace.Workspace, o publishOptions, out io.Writer) (err error) {
	if o.ErrOut == nil {
		o.ErrOut = io.Discard
	}
	var res release.Result
	if !o.DryRun {
		// One writer per Weaviate at a time; every run leaves a report.
		_, finish, err := beginRun(ctx, ws, "publish", runs.BeginOptions{Locks: []string{lock.Publish}, Wait: o.Wait}, o.ErrOut)
		if err != nil {
			return err
		}
		defer func() { finish(res, err) }()
	}
	bar, done := publishProgress(o.ErrOut)
	res, err = release.Publish(ctx, ws, release.Options{DryRun: o.DryRun, Repair: o.Repair, Progress: bar, Status: statusTo(out, o.JSON)})
	done()
	if err != nil && len(res.Aliases) == 0 {
		return err // main unreadable or Weaviate unreachable: nothing to report
	}
	ids := make([]string, 0, len(res.Unreadable))
	for id := range res.Unreadable {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	if err == nil {
		for _, id := range ids {
			fmt.Fprintf(out, "  kept as published (unreadable on %s): %v\n", ws.Config.Review.Main, res.Unreadable[id])
		}
	}
	if perr := printPublish(ws, o, out, res, err); perr != nil {
		return perr
	}
	switch {
	case err != nil:
		return err
	case len(res.Unapproved) > 0:
		return attention("%s on %s lack approvals and were not published", plural(len(res.Unapproved), "unit", "units"), ws.Config.Review.Main)
	case len(ids) > 0:
		return attention("%s on %s cannot be read; what was published of them stays. Fix the files through review (edit on %s, approve, merge)", plural(len(ids), "unit file", "unit files"), ws.Config.Review.Main, ws.Config.Review.Branch)
	}
	return nil
}

// statusTo prints status lines to out unless the output is JSON.
func statusTo(out io.Writer, asJSON bool) func(string) {
	return func(s string) {
		if !asJSON {
			fmt.Fprintln(out, s)
		}
	}
}

// printPublish prints what publish did, or planned.
func printPublish(ws *workspace.Workspace, o publishOptions, out io.Writer, res release.Result, err error) error {
	cfg := ws.Config
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{
			"plan": res.Plan, "written": res.Written, "deleted": res.Deleted, "failed": res.Failed,
			"dry_run": o.DryRun, "commit": res.Commit, "unapproved": len(res.Unapproved), "superseded": res.Superseded,
		})
	}
	for _, st := range res.Unapproved {
		fmt.Fprintf(out, "  left out (not approved): %s — %s review pending\n", st.ID, st.Next)
	}
	for _, s := range res.Superseded {
		fmt.Fprintf(out, "  superseded: %s (%q) by %s — %s\n", s.Unit, s.Parameter, s.By, s.Why)
	}
	switch {
	case o.DryRun:
		fmt.Fprintf(out, "plan for %s at %.12s: %d add, %d update, %d delete, %d unchanged\n", res.Plan.Collection, res.Commit,
			res.Plan.Count(publish.OpAdd), res.Plan.Count(publish.OpUpdate), res.Plan.Count(publish.OpDelete), res.Plan.Unchanged)
		for _, a := range res.Plan.Actions {
			fmt.Fprintf(out, "  %-6s %s (v%d) %s\n", a.Op, a.UnitID, a.Version, a.Object)
		}
	case err == nil:
		fmt.Fprintf(out, "published %s at %.12s: %d written, %d deleted, %d unchanged; verified %s\n", cfg.Weaviate.Collection, res.Commit,
			res.Written, res.Deleted, res.Plan.Unchanged, plural(res.Plan.Desired, "object", "objects"))
		if res.Plan.Kept > 0 {
			fmt.Fprintf(out, "  %s kept as published: their files on %s are unreadable, not approved, or removed without review\n", plural(res.Plan.Kept, "object", "objects"), cfg.Review.Main)
		}
	}
	return nil
}
