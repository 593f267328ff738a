package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/hostsync"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/workspace"
)

func reviewSyncCommand() *cli.Command {
	return &cli.Command{
		Name:  "sync",
		Usage: "record the approvals typed in the review branch's pull request and set its kbops/verify status (for cron or CI)",
		Description: `Reads the open pull request of the review branch on git.host. Each new
comment with a command line

   /approve technical|expression|consistency [UNIT-ID...]
   /reject  technical|expression|consistency REASON [UNIT-ID...]

and each Approve or Request changes review, from a host account that OWNERS
"accounts:" maps to a reviewer, is recorded as that reviewer's decision,
exactly as "kbops review approve" / "reject" records it (without unit ids:
every unit waiting for that stage that they may decide; a review without a
command line decides the first stage waiting for them, and a Request
changes review's text is the reason), in a commit authored by the reviewer
that names the host, the pull request and the comment or review. The review
branch is pushed (also when decisions made here without --push left it
ahead of git.remote), and every command is answered in the pull request:
what was recorded, or why nothing was (an account OWNERS does not map, a
stage they may not decide or that is out of order, a branch whose content
changed after the comment or the reviewed commit). Then the kbops/verify
commit status of the head is set: failure while units wait, success once
"kbops review verify --base main" passes. A position in the pull request is
kept in .kbops/, and decisions already on the branch are never recorded
again, so running it again records and answers nothing twice. kbops serve
runs the same sync when the host's webhook reports a comment or review.

With $KBOPS_RECORDER_KEY (an armored OpenPGP private key file; passphrase
from $KBOPS_RECORDER_PASSPHRASE) the decision commits are signed by that
recorder; in strict mode OWNERS must list it under "recorders:", else
every command is refused.

Example (every five minutes from cron):
   kbops review sync`,
		Flags: []cli.Flag{&cli.BoolFlag{Name: "json", Usage: "print the run report as JSON"}},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			return runReviewSync(c.Context, ws, c.Bool("json"), c.App.Writer)
		},
	}
}

func runReviewSync(ctx context.Context, ws *workspace.Workspace, asJSON bool, out io.Writer) (err error) {
	host, ok, err := hostsync.Open(ctx, ws, nil)
	if err != nil {
		return err
	}
	if !ok {
		return usageErr("review sync needs git.host in kbops.yaml: the git host the review branch's pull request is on")
	}
	ctx, finish, err := beginRun(ctx, ws, "review-sync", runs.BeginOptions{Locks: []string{lock.Repo}, Wait: true}, nil)
	if err != nil {
		return err
	}
	var rep hostsync.Report
	defer func() { finish(rep, err) }()
	rec, err := hostsync.RecorderFromEnv()
	if err != nil {
		return usageErr("%v", err)
	}
	checks := checkOptions(ctx, ws)
	rep, err = hostsync.Sync(ctx, ws, host, hostsync.Options{Checks: &checks, Now: timeNow, Recorder: rec})
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(rep); jerr != nil && err == nil {
			err = jerr
		}
		return err
	}
	if rep.PullRequest == 0 && err == nil {
		fmt.Fprintf(out, "no open pull request for %s: nothing to sync\n", ws.Config.Review.Branch)
		return nil
	}
	for _, c := range rep.Commands {
		if c.Refused != "" {
			fmt.Fprintf(out, "%s by %s: %s: refused: %s\n", c.Event, c.Account, c.Command, c.Refused)
			continue
		}
		fmt.Fprintf(out, "%s by %s: %s: %s recorded as %s\n", c.Event, c.Account, c.Command, plural(len(c.Recorded), "unit", "units"), c.Reviewer)
		for _, p := range c.Problems {
			fmt.Fprintf(out, "  not recorded: %s\n", p)
		}
	}
	if rep.Pushed {
		fmt.Fprintf(out, "pushed %s to %s\n", ws.Config.Review.Branch, ws.Config.Git.Remote)
	}
	if rep.Status != nil {
		printStatus(out, *rep.Status)
	}
	if rep.PullRequest != 0 {
		fmt.Fprintf(out, "pull request #%d: %s\n", rep.PullRequest, plural(len(rep.Commands), "command", "commands"))
	}
	return err
}

func printStatus(out io.Writer, s hostsync.StatusReport) {
	what := "set"
	if !s.Changed {
		what = "unchanged"
	}
	fmt.Fprintf(out, "status %s on %s %s: %s: %s\n", hostsync.VerifyContext, s.SHA[:12], what, s.State, s.Description)
}
