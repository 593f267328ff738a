package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/serve"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/workspace"
)

func feedbackCommand() *cli.Command {
	return &cli.Command{
		Name:  "feedback",
		Usage: "import ratings and comments from the agent front-end; send badly rated units back",
		Subcommands: []*cli.Command{{
			Name:      "import",
			Usage:     "import a CSV or JSONL feedback export",
			ArgsUsage: "FILE",
			Description: `Reads CSV (header row) or JSONL with unit_id, rating (1–5, up or down),
reason (inaccurate, outdated, unclear, missing), comment, query and time.
Rows are kept in .kbops/feedback (local: they hold end users' words);
importing a file twice adds nothing. Units whose feedback since their last
review crosses the thresholds (feedback: in serve.yaml) go back to their
owner on the review branch. Bad rows are reported with their line.

With --usage, FILE is the front-end's retrieval log instead: one row per
unit a query retrieved (unit_id, time, query), optionally with the user's
rating and reason for it. It feeds the health report's retrievals,
effectiveness and "never retrieved" columns; rated rows count as feedback
too, and units retrieved often but rated badly in the window go back
(min_retrievals, max_effectiveness, window_days in serve.yaml).

Example:
   kbops feedback import ratings-2026-01.csv
   kbops feedback import --usage retrievals-2026-01.jsonl`,
			Flags: []cli.Flag{
				&cli.BoolFlag{Name: "usage", Usage: "FILE is a retrieval log (unit_id, time, query, optional rating and reason): retrieval counts and effectiveness"},
				&cli.BoolFlag{Name: "wait", Usage: "wait for a running job instead of exiting"},
				&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
			},
			Action: func(c *cli.Context) error {
				if c.Args().Len() != 1 {
					return usageErr("give one feedback file (CSV or JSONL)")
				}
				ws, err := openWorkspace(c)
				if err != nil {
					return err
				}
				return runFeedbackImport(c.Context, ws, c.Args().First(), c.Bool("usage"), c.Bool("wait"), c.Bool("json"), c.App.Writer, c.App.ErrWriter)
			},
		}},
	}
}

func runFeedbackImport(ctx context.Context, ws *workspace.Workspace, file string, usage, wait, asJSON bool, out, errOut io.Writer) error {
	cfg, err := serve.LoadConfig(ws.Root)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	f, err := os.Open(file)
	if err != nil {
		return usageErr("feedback file: %v", err)
	}
	defer f.Close()
	parse, imp := tracks.ParseFeedback, tracks.Import
	if usage {
		parse, imp = tracks.ParseUsage, tracks.ImportLog
	}
	rows, problems := parse(file, f)
	start := timeNow()
	ctx, finish, err := beginRun(ctx, ws, "feedback", runs.BeginOptions{Locks: []string{lock.Repo}, Wait: wait, Holder: "kbops feedback import", Now: func() time.Time { return start }}, errOut)
	if err != nil {
		return err
	}
	res, err := imp(ctx, ws, rows, cfg.Feedback, start)
	for _, p := range problems {
		res.Problems = append(res.Problems, p.Error())
	}
	finish(res, err)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(out, res.Summary())
		for _, p := range res.Problems {
			fmt.Fprintln(out, "  ", p)
		}
		for _, id := range res.SendBack.Units {
			fmt.Fprintln(out, "  sent back:", id)
		}
	}
	if len(problems) > 0 {
		return attention("%s could not be read; the rest was imported", plural(len(problems), "row", "rows"))
	}
	return nil
}
