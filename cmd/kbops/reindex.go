package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
)

func reindexCommand() *cli.Command {
	return &cli.Command{
		Name:  "reindex",
		Usage: "rebuild the collection from main and switch the alias to it in one step",
		Description: `Builds a new physical collection <collection>_<timestamp> with every approved
unit on main, verifies it, then moves the alias agents query to it in one
step: searches answer from the old collection until the switch. Keeps the
newest weaviate.keep collections (default 2) so that rollback has a target.
Use it after a schema or tokenizer change, or to migrate a collection.

Example:
   kbops reindex && kbops search "grounding"`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"}},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			return runReindex(c.Context, ws, c.Bool("json"), c.App.Writer)
		},
	}
}

// reindexReport is the run report of a reindex.
type reindexReport struct {
	Commit  string                  `json:"commit"`
	Results []publish.ReindexResult `json:"results"`
}

func (r reindexReport) Summary() string {
	var parts []string
	for _, x := range r.Results {
		parts = append(parts, fmt.Sprintf("%s → %s (%d objects)", orDash(x.Previous), x.Current, x.Objects))
	}
	return "reindexed " + strings.Join(parts, "; ")
}

func runReindex(ctx context.Context, ws *workspace.Workspace, asJSON bool, out io.Writer) (err error) {
	// A reindex moves the alias agents query: never while a publish runs.
	_, finish, err := beginRun(ctx, ws, "reindex", lock.Publish, true, nil)
	if err != nil {
		return err
	}
	var rep reindexReport
	defer func() { finish(rep, err) }()
	st, err := approvedOnMain(ctx, ws)
	if err != nil {
		return err
	}
	mh, approved, left := st.commit, st.approved, st.unapproved
	targets, done, err := openTargets(ctx, ws, func(s string) {
		if !asJSON {
			fmt.Fprintln(out, s)
		}
	})
	if err != nil {
		return err
	}
	defer done()
	var results []publish.ReindexResult
	for _, t := range targets {
		r, err := publish.Reindex(ctx, t.Target, t.unitsFor(approved), publish.Options{Terms: st.terms}, ws.Config.Weaviate.Keep)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	rep = reindexReport{Commit: mh.String(), Results: results}
	res := results[0]
	if p, err := ws.State("published.json"); err == nil {
		b, _ := json.MarshalIndent(published{mh.String(), res.Current, res.Objects, time.Now().UTC()}, "", "  ")
		_ = os.WriteFile(p, b, 0o644)
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(results)
	}
	for i, r := range results {
		fmt.Fprintf(out, "reindexed %s: %s → %s (%s from %s); dropped %d old collection(s)\n", targets[i].Alias,
			orDash(r.Previous), r.Current, plural(r.Objects, "object", "objects"), mh.String()[:12], len(r.Dropped))
	}
	if len(left) > 0 {
		return attention("%s on %s lack approvals and were not indexed", plural(len(left), "unit", "units"), ws.Config.Review.Main)
	}
	return nil
}

func rollbackCommand() *cli.Command {
	return &cli.Command{
		Name:      "rollback",
		Usage:     "point the alias back at the previous collection",
		ArgsUsage: "[COLLECTION]",
		Description: `Moves the alias agents query back to the collection before the live one (or
to the named one) in one step. The next publish reconciles the live
collection with main again.

Example:
   kbops rollback                      # undo the last reindex
   kbops rollback KnowledgeUnit_20261124083000`,
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			return runRollback(c.Context, ws, c.Args().First(), c.App.Writer)
		},
	}
}

// rollbackReport is the run report of a rollback.
type rollbackReport struct {
	Moves []rollbackMove `json:"moves"`
}

type rollbackMove struct {
	Alias string `json:"alias"`
	From  string `json:"from"`
	To    string `json:"to"`
}

func (r rollbackReport) Summary() string {
	var parts []string
	for _, m := range r.Moves {
		parts = append(parts, fmt.Sprintf("%s: %s → %s", m.Alias, orDash(m.From), m.To))
	}
	return "rolled back " + strings.Join(parts, "; ")
}

func runRollback(ctx context.Context, ws *workspace.Workspace, to string, out io.Writer) (err error) {
	_, finish, err := beginRun(ctx, ws, "rollback", lock.Publish, true, nil)
	if err != nil {
		return err
	}
	var rep rollbackReport
	defer func() { finish(rep, err) }()
	targets, done, err := openTargets(ctx, ws, nil)
	if err != nil {
		return err
	}
	defer done()
	if to != "" && len(targets) > 1 {
		return usageErr("with weaviate.split_by_access, rollback moves every access level's alias back one step; name no collection")
	}
	for _, t := range targets {
		from, dest, err := publish.Rollback(ctx, t.Target, to)
		if err != nil {
			return fmt.Errorf("%s: %w", t.Alias, err)
		}
		rep.Moves = append(rep.Moves, rollbackMove{Alias: t.Alias, From: from, To: dest})
		fmt.Fprintf(out, "%s now points to %s (was %s)\n", t.Alias, dest, orDash(from))
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
