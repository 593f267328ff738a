package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/runs"
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

func runReindex(ctx context.Context, ws *workspace.Workspace, asJSON bool, out io.Writer) (err error) {
	// A reindex moves the alias agents query: never while a publish runs.
	_, finish, err := beginRun(ctx, ws, "reindex", runs.BeginOptions{Locks: []string{lock.Publish}, Wait: true}, nil)
	if err != nil {
		return err
	}
	var rep release.ReindexResult
	defer func() { finish(rep, err) }()
	if rep, err = release.Reindex(ctx, ws, statusTo(out, asJSON)); err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep.Results)
	}
	for i, r := range rep.Results {
		fmt.Fprintf(out, "reindexed %s: %s → %s (%s from %.12s); dropped %d old collection(s)\n", rep.Aliases[i],
			orDash(r.Previous), r.Current, plural(r.Objects, "object", "objects"), rep.Commit, len(r.Dropped))
	}
	if len(rep.Unapproved) > 0 {
		return attention("%s on %s lack approvals and were not indexed", plural(len(rep.Unapproved), "unit", "units"), ws.Config.Review.Main)
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

func runRollback(ctx context.Context, ws *workspace.Workspace, to string, out io.Writer) (err error) {
	_, finish, err := beginRun(ctx, ws, "rollback", runs.BeginOptions{Locks: []string{lock.Publish}, Wait: true}, nil)
	if err != nil {
		return err
	}
	var rep release.RollbackResult
	defer func() { finish(rep, err) }()
	rep, err = release.Rollback(ctx, ws, to)
	for _, m := range rep.Moves {
		fmt.Fprintf(out, "%s now points to %s (was %s)\n", m.Alias, m.To, orDash(m.From))
	}
	if errors.Is(err, release.ErrRollbackNamed) {
		return &exitError{exitUsage, err}
	}
	return err
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
