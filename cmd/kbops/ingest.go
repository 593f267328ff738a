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

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/workspace"
)

type ingestOptions struct {
	Sources []string
	Push    bool
	JSON    bool
	Wait    bool // wait for a running job instead of exiting
	Log     *slog.Logger
	ErrOut  io.Writer
}

func ingestCommand() *cli.Command {
	return &cli.Command{
		Name:  "ingest",
		Usage: "read the sources and commit changed knowledge units to the review branch",
		Description: `Lists every configured source (or the ones named with --source), extracts the
documents that changed since the last run, and commits new, changed and
retired units to the review branch (review.branch in kbops.yaml). A run with
no source change makes no commit. A document that cannot be read is reported
with its place; its units are kept and the run goes on (exit code 3).

Example:
   kbops ingest --source expert-notes --push`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "source", Aliases: []string{"s"}, Usage: "ingest only this source (repeatable)"},
			&cli.BoolFlag{Name: "push", Usage: "push the review branch to git.remote after committing"},
			&cli.BoolFlag{Name: "json", Usage: "print the run report as JSON"},
			&cli.BoolFlag{Name: "wait", Usage: "if a scheduled or other run holds the repository, wait for it instead of exiting"},
		},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			return runIngest(c.Context, ws, ingestOptions{Sources: c.StringSlice("source"), Push: c.Bool("push"), JSON: c.Bool("json"), Wait: c.Bool("wait"), Log: logger(c), ErrOut: c.App.ErrWriter}, c.App.Writer)
		},
	}
}

func runIngest(ctx context.Context, ws *workspace.Workspace, o ingestOptions, out io.Writer) error {
	if o.ErrOut == nil {
		o.ErrOut = io.Discard
	}
	// One run at a time per repository: a manual run and a scheduled one
	// never commit over each other. Every run leaves a report.
	ctx, finish, err := beginRun(ctx, ws, "ingest", runs.BeginOptions{Locks: []string{lock.Repo}, Wait: o.Wait}, o.ErrOut)
	if err != nil {
		return err
	}
	log, done := ingestProgress(o.ErrOut, o.Log)
	rep, err := ingest.Run(ctx, ws, ingest.WithStages(ingest.Options{
		Sources: o.Sources, Now: time.Now(), Push: o.Push, GitToken: os.Getenv(config.EnvGitToken), Log: log,
	}))
	done()
	host, err := pullRequestAfterPush(ctx, ws, o.Push, rep, err)
	finish(rep, err)
	if err != nil {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(withPullRequest(rep, host)); err != nil {
			return err
		}
	} else {
		for _, s := range rep.Sources {
			fmt.Fprintf(out, "%s: %s (%d unchanged, %d extracted, %d removed); units: %d added, %d changed, %d retired\n",
				s.Name, plural(s.Documents, "document", "documents"), s.Unchanged, s.Extracted, s.Removed, s.Added, s.Changed, s.Retired)
			for _, e := range s.Errors {
				fmt.Fprintf(out, "  error: %s\n", e)
			}
		}
		for _, f := range rep.Findings {
			fmt.Fprintf(out, "  finding: %s\n", f)
		}
		switch {
		case rep.Commit != "":
			fmt.Fprintf(out, "committed %s to %s: %s\n", rep.Commit[:12], rep.Branch, plural(len(rep.Changes), "unit changed", "units changed"))
			if rep.Pushed {
				fmt.Fprintf(out, "pushed %s to %s\n", rep.Branch, ws.Config.Git.Remote)
			}
		default:
			fmt.Fprintln(out, "no changes: nothing committed")
		}
		if host.PullRequest != nil {
			fmt.Fprintf(out, "pull request #%d %s: %s\n", host.PullRequest.Number, host.PullRequest.Change, host.PullRequest.URL)
			if n := host.PullRequest.LineComments; n > 0 {
				fmt.Fprintf(out, "%s put on unit-file lines in the pull request\n", plural(n, "finding", "findings"))
			}
		}
		if host.Status != nil {
			printStatus(out, *host.Status)
		}
	}
	if n := rep.Errors(); n > 0 {
		return attention("%s could not be read; the rest was ingested", plural(n, "item", "items"))
	}
	return nil
}
