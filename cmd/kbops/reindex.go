package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

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

func runReindex(ctx context.Context, ws *workspace.Workspace, asJSON bool, out io.Writer) error {
	mh, approved, left, err := approvedOnMain(ctx, ws)
	if err != nil {
		return err
	}
	target, done, err := openTarget(ctx, ws, func(s string) {
		if !asJSON {
			fmt.Fprintln(out, s)
		}
	})
	if err != nil {
		return err
	}
	defer done()
	res, err := publish.Reindex(ctx, target, approved, publish.Options{Terms: publishTerms(ws)}, ws.Config.Weaviate.Keep)
	if err != nil {
		return err
	}
	if p, err := ws.State("published.json"); err == nil {
		b, _ := json.MarshalIndent(published{mh.String(), res.Current, res.Objects, time.Now().UTC()}, "", "  ")
		_ = os.WriteFile(p, b, 0o644)
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintf(out, "reindexed %s: %s → %s (%s from %s); dropped %d old collection(s)\n", ws.Config.Weaviate.Collection,
		orDash(res.Previous), res.Current, plural(res.Objects, "object", "objects"), mh.String()[:12], len(res.Dropped))
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

func runRollback(ctx context.Context, ws *workspace.Workspace, to string, out io.Writer) error {
	target, done, err := openTarget(ctx, ws, nil)
	if err != nil {
		return err
	}
	defer done()
	from, to, err := publish.Rollback(ctx, target, to)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "%s now points to %s (was %s)\n", ws.Config.Weaviate.Collection, to, orDash(from))
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
