package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/progress"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/workspace"
)

// timeNow is time.Now, named so the commands read the clock in one place.
var timeNow = time.Now

func runsCommand() *cli.Command {
	return &cli.Command{
		Name:  "runs",
		Usage: "list run reports (scheduled and manual), or show one",
		Description: `Every run of a job (kbops serve) or of a recording command leaves a JSON
report in .kbops/runs/ID.json: per source documents fetched and unchanged,
units new, changed and retired, findings, errors with their places, and
durations. Ids sort by time; any unique prefix of an id will do.

Example:
   kbops runs --limit 5
   kbops runs show 20260131T020000Z-ingest`,
		Flags: []cli.Flag{
			&cli.IntFlag{Name: "limit", Value: 20, Usage: "show the newest `N` runs (0: all)"},
			&cli.StringFlag{Name: "job", Usage: "only runs of this job (ingest:notes, publish, …)"},
			&cli.BoolFlag{Name: "json", Usage: "print the reports as JSON"},
		},
		Action: func(c *cli.Context) error {
			if c.Args().Len() > 0 {
				return usageErr("unexpected %q: to show a run, use `kbops runs show ID`", c.Args().First())
			}
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			return runRuns(c.Context, ws, c.Int("limit"), c.String("job"), c.Bool("json"), c.App.Writer)
		},
		Subcommands: []*cli.Command{{
			Name:      "show",
			Usage:     "print one run report",
			ArgsUsage: "ID",
			Flags:     []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print the report as JSON"}},
			Action: func(c *cli.Context) error {
				if c.Args().Len() != 1 {
					return usageErr("give one run id (see `kbops runs`)")
				}
				ws, err := openWorkspace(c)
				if err != nil {
					return err
				}
				return runRunsShow(c.Context, ws, c.Args().First(), c.Bool("json"), c.App.Writer)
			},
		}},
	}
}

func runRuns(_ context.Context, ws *workspace.Workspace, limit int, job string, asJSON bool, out io.Writer) error {
	all, problems := runs.List(ws)
	var list []runs.Report
	for _, r := range all {
		if job != "" && r.Job != job {
			continue
		}
		list = append(list, r)
		if limit > 0 && len(list) == limit {
			break
		}
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if list == nil {
			list = []runs.Report{}
		}
		return enc.Encode(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(out, "no runs recorded yet")
	}
	for _, r := range list {
		fmt.Fprintln(out, runs.Line(r))
	}
	for _, p := range problems {
		fmt.Fprintln(out, "  unreadable:", p)
	}
	return nil
}

func runRunsShow(_ context.Context, ws *workspace.Workspace, id string, asJSON bool, out io.Writer) error {
	r, err := runs.Get(ws, id)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	runs.WriteText(out, r)
	return nil
}

// beginRun starts a recorded run of a manual command (runs.Begin: the
// locks of o taken in order, the start noted) and returns finish, which
// records the report and releases the locks. A failure to write the report
// is a warning on errOut, never the command's outcome.
func beginRun(ctx context.Context, ws *workspace.Workspace, kind string, o runs.BeginOptions, errOut io.Writer) (_ context.Context, finish func(report any, err error), err error) {
	if o.Now == nil {
		o.Now = timeNow
	}
	ctx, run, err := runs.Begin(ctx, ws, kind, o)
	if err != nil {
		return ctx, nil, err
	}
	return ctx, func(report any, runErr error) {
		if _, err := run.Finish(report, runErr); err != nil && errOut != nil {
			fmt.Fprintln(errOut, "kbops: warning: could not write the run report:", err)
		}
	}, nil
}

// ingestProgress wraps an ingestion logger so that, on a terminal, each
// document read advances a progress line on errOut; done ends the line.
// Elsewhere it returns log unchanged.
func ingestProgress(errOut io.Writer, log *slog.Logger) (*slog.Logger, func()) {
	f, ok := errOut.(*os.File)
	if !ok || !progress.Enabled(f, nil) {
		return log, func() {}
	}
	bar := progress.New(errOut, true, "ingest", "documents")
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(progress.LogHandler(log.Handler(), bar)), bar.Finish
}

// publishProgress returns a publish.Options.Progress function drawing a
// progress line on errOut when it is a terminal (nil elsewhere), and done.
func publishProgress(errOut io.Writer) (func(done, total int), func()) {
	f, ok := errOut.(*os.File)
	if !ok || !progress.Enabled(f, nil) {
		return nil, func() {}
	}
	bar := progress.New(errOut, true, "publish", "objects")
	return bar.Set, bar.Finish
}
