package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// decideCommand is `kbops review approve` or `reject`.
func decideCommand(verdict reviews.Verdict, asFlag cli.Flag) *cli.Command {
	name := "approve"
	if verdict == reviews.Rejected {
		name = "reject"
	}
	return &cli.Command{
		Name:      name,
		Usage:     name + " one review stage of units on the review branch",
		ArgsUsage: "[UNIT-ID...]",
		Description: fmt.Sprintf(`Records a %s decision for the stage, bound to each unit's current content
hash, in a commit on the review branch authored by the reviewer. Stages go
in order (technical, expression, consistency); OWNERS says who may decide.

A change of OWNERS itself is decided with --stage owners (no units): it
needs an admin and, for each changed entry, one of the people it listed
before.

A conflict (two units stating different values) is decided by tier, then
by the date the documents state; a consistency reviewer pins the other
outcome with --pin-over: the units named win over that unit, for the
reason given with --comment (docs/review-model.md, "Conflicts").

Example:
   kbops review %s --stage technical --as "Ana Ruiz <ana@example.com>" --all-mine --push`, verdict, name),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "stage", Required: true, Usage: "technical, expression or consistency; owners for a change of OWNERS, glossary for a change of the termbase, removal for a deleted unit file"},
			&cli.BoolFlag{Name: "all-mine", Usage: "every unit waiting for this stage that you may decide"},
			&cli.StringFlag{Name: "comment", Aliases: []string{"m"}, Usage: "why (shown to the author; required to reject)"},
			&cli.StringFlag{Name: "sign-key", EnvVars: []string{"KBOPS_SIGNING_KEY"}, Usage: "sign the decision commit with this armored OpenPGP private key `FILE` (strict mode needs it; passphrase from $KBOPS_SIGNING_PASSPHRASE)"},
			&cli.BoolFlag{Name: "push", Usage: "fetch the review branch from git.remote first and push the decision after (token from $KBOPS_GIT_TOKEN)"},
			&cli.StringSliceFlag{Name: "waive", Usage: "approve over a blocking finding (personal-data, forbidden-term, conflict): `CODE=REASON`, kept in the approval record; repeat for several codes"},
			&cli.StringFlag{Name: "pin-over", Usage: "with --stage consistency: the units named win their conflict with `UNIT` (reason in --comment), bound to both versions", Hidden: verdict == reviews.Rejected},
			asFlag,
		},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			stage, err := reviews.ParseStage(c.String("stage"))
			if err != nil {
				return usageErr("%v", err)
			}
			if verdict == reviews.Rejected && c.String("comment") == "" {
				return usageErr("reject needs --comment saying what to fix")
			}
			if c.NArg() == 0 && !c.Bool("all-mine") && stage != reviews.OwnersStage && stage != reviews.GlossaryStage {
				return usageErr("name the units to %s, or pass --all-mine", name)
			}
			who, err := reviewer(ws, c.String("as"))
			if err != nil {
				return err
			}
			var pin *reviews.Pin
			waive, err := parseWaivers(c.StringSlice("waive"))
			if err != nil {
				return err
			}
			if over := c.String("pin-over"); over != "" {
				if stage != reviews.Consistency || verdict != reviews.Approved || strings.TrimSpace(c.String("comment")) == "" || c.NArg() == 0 {
					return usageErr("--pin-over goes with approve --stage consistency, the winning UNIT-ID and --comment giving the reason")
				}
				pin = &reviews.Pin{Over: over, Reason: c.String("comment")}
			}
			checks := checkOptions(c.Context, ws)
			d := reviews.Decision{
				Branch: ws.Config.Review.Branch, Main: ws.Config.Review.Main, Reviewer: who, Stage: stage, Verdict: verdict,
				Units: c.Args().Slice(), Comment: c.String("comment"), Now: time.Now(), Checks: &checks, Waive: waive, Pin: pin,
			}
			if f := c.String("sign-key"); f != "" {
				if d.SignKey, err = kbrepo.ReadSignKey(f, []byte(os.Getenv("KBOPS_SIGNING_PASSPHRASE"))); err != nil {
					return usageErr("--sign-key: %v", err)
				}
			}
			push := c.Bool("push")
			if push {
				if err := fetchReviewBranch(c.Context, ws); err != nil {
					return err
				}
			} else if err := syncReviewBranch(ws); err != nil {
				return err
			}
			if err := runDecide(c.Context, ws, d, c.Bool("all-mine"), c.App.Writer); err != nil {
				return err
			}
			if push {
				return pushBranch(c.Context, ws, ws.Config.Review.Branch, false, c.App.Writer)
			}
			return nil
		},
	}
}

// decideReport is the run report of an approve or reject.
type decideReport struct {
	Stage    reviews.Stage   `json:"stage"`
	Verdict  reviews.Verdict `json:"verdict"`
	Reviewer string          `json:"reviewer"`
	Recorded []string        `json:"recorded"`
	Problems []string        `json:"problems,omitempty"`
}

func (r decideReport) Summary() string {
	return fmt.Sprintf("%s %s by %s: %d recorded, %d not", r.Stage, r.Verdict, r.Reviewer, len(r.Recorded), len(r.Problems))
}

func runDecide(ctx context.Context, ws *workspace.Workspace, d reviews.Decision, allMine bool, out io.Writer) (err error) {
	kind := "approve"
	if d.Verdict == reviews.Rejected {
		kind = "reject"
	}
	// One writer at a time, and every decision leaves a run report.
	ctx, finish, err := beginRun(ctx, ws, kind, runs.BeginOptions{Locks: []string{lock.Repo}, Wait: true}, nil)
	if err != nil {
		return err
	}
	rep := decideReport{Stage: d.Stage, Verdict: d.Verdict, Reviewer: reviews.Identity(d.Reviewer)}
	defer func() { finish(rep, err) }()
	// The snapshot is read through the parse cache publish and verify
	// keep: the second and third stage parse only the approvals files the
	// stage before wrote.
	d.AllMine = allMine
	d.Cache = openParseCache(ws)
	done, problems, err := reviews.Decide(ctx, ws.Repo, d)
	if err != nil {
		return err
	}
	saveParseCache(d.Cache)
	if allMine && len(done) == 0 && len(problems) == 0 {
		fmt.Fprintf(out, "nothing waits for your %s review\n", d.Stage)
		return nil
	}
	rep.Recorded = done
	for _, p := range problems {
		rep.Problems = append(rep.Problems, p.Error())
		fmt.Fprintf(out, "  not recorded: %v\n", p)
	}
	fmt.Fprintf(out, "%s %s: %s recorded on %s as %s\n", d.Stage, d.Verdict, plural(len(done), "unit", "units"), d.Branch, reviews.Identity(d.Reviewer))
	if len(problems) > 0 {
		return attention("%s could not take the decision", plural(len(problems), "unit", "units"))
	}
	return nil
}

// parseWaivers reads --waive CODE=REASON flags.
func parseWaivers(flags []string) (map[string]string, error) {
	out := map[string]string{}
	for _, f := range flags {
		code, reason, ok := strings.Cut(f, "=")
		code, reason = strings.TrimSpace(code), strings.TrimSpace(reason)
		if !ok || code == "" || reason == "" {
			return nil, usageErr("--waive %q: want CODE=REASON, e.g. --waive 'personal-data=the vendor hotline, public on the product page'", f)
		}
		out[code] = reason
	}
	return out, nil
}
