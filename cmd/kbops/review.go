package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

func reviewCommand() *cli.Command {
	asFlag := &cli.StringFlag{Name: "as", Usage: "reviewer identity `\"Name <email>\"` (default: $KBOPS_REVIEWER, then git's user.name and user.email)"}
	decide := func(verdict reviews.Verdict) *cli.Command {
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

Example:
   kbops review %s --stage technical --as "Ana Ruiz <ana@example.com>" --all-mine`, verdict, name),
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "stage", Required: true, Usage: "technical, expression or consistency"},
				&cli.BoolFlag{Name: "all-mine", Usage: "every unit waiting for this stage that you may decide"},
				&cli.StringFlag{Name: "comment", Aliases: []string{"m"}, Usage: "why (shown to the author; required to reject)"},
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
				if c.NArg() == 0 && !c.Bool("all-mine") {
					return usageErr("name the units to %s, or pass --all-mine", name)
				}
				who, err := reviewer(ws, c.String("as"))
				if err != nil {
					return err
				}
				return runDecide(c.Context, ws, reviews.Decision{
					Branch: ws.Config.Review.Branch, Reviewer: who, Stage: stage, Verdict: verdict,
					Units: c.Args().Slice(), Comment: c.String("comment"), Now: time.Now(),
				}, c.Bool("all-mine"), c.App.Writer)
			},
		}
	}
	return &cli.Command{
		Name:  "review",
		Usage: "the three-stage review: status, approve, reject, verify, merge",
		Description: `Every change to a unit passes three stages in order: technical (is it right?),
expression (is it clear for its market?) and consistency (does it agree with
the rest?). Decisions are recorded in the repository (approvals/), bound to
the exact content they approved. See docs/review-model.md.`,
		Subcommands: []*cli.Command{
			{
				Name:  "status",
				Usage: "show what waits for which stage and whom",
				Description: `Example:
   kbops review status --mine --as ana@example.com`,
				Flags: []cli.Flag{&cli.BoolFlag{Name: "mine", Usage: "only what you may decide"}, asFlag},
				Action: func(c *cli.Context) error {
					ws, err := openWorkspace(c)
					if err != nil {
						return err
					}
					who := ""
					if c.Bool("mine") {
						if who, err = reviewer(ws, c.String("as")); err != nil {
							return err
						}
					}
					return runReviewStatus(c.Context, ws, who, c.App.Writer)
				},
			},
			decide(reviews.Approved),
			decide(reviews.Rejected),
			{
				Name:  "verify",
				Usage: "check that every changed unit has valid approvals (for the knowledge repo's CI)",
				Description: `Exits 0 when every unit changed between --base and --head is approved for its
current content by allowed reviewers in stage order, 3 otherwise, with one
line per problem. Without --base every unit at --head is checked. This is
exactly the rule publish applies.

Example (the knowledge repository's CI on a pull request):
   kbops review verify --base origin/main --head HEAD`,
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "base", Usage: "compare with this `REF` (branch, tag, commit)"},
					&cli.StringFlag{Name: "head", Value: "HEAD", Usage: "verify this `REF`"},
				},
				Action: func(c *cli.Context) error {
					ws, err := openWorkspace(c)
					if err != nil {
						return err
					}
					return runReviewVerify(c.Context, ws, c.String("base"), c.String("head"), c.App.Writer)
				},
			},
			{
				Name:  "merge",
				Usage: "merge the review branch into main when verify passes (for teams without a git host)",
				Description: `Example:
   kbops review merge --as "Ops <ops@example.com>"`,
				Flags: []cli.Flag{asFlag},
				Action: func(c *cli.Context) error {
					ws, err := openWorkspace(c)
					if err != nil {
						return err
					}
					who, err := reviewer(ws, c.String("as"))
					if err != nil {
						return err
					}
					return runReviewMerge(c.Context, ws, who, c.App.Writer)
				},
			},
		},
	}
}

// reviewer finds who is acting: --as, $KBOPS_REVIEWER, then git config.
func reviewer(ws *workspace.Workspace, as string) (string, error) {
	if as != "" {
		return as, nil // a bare address is fine: the address is the identity
	}
	if v := os.Getenv(config.EnvReviewer); v != "" {
		return v, nil
	}
	if cfg, err := ws.Repo.Git.ConfigScoped(gitconfig.GlobalScope); err == nil && cfg.User.Email != "" {
		name := cfg.User.Name
		if name == "" {
			name = cfg.User.Email
		}
		return fmt.Sprintf("%s <%s>", name, cfg.User.Email), nil
	}
	return "", usageErr("who is reviewing? pass --as \"Name <email>\", set KBOPS_REVIEWER, or set git's user.email")
}

func runDecide(ctx context.Context, ws *workspace.Workspace, d reviews.Decision, allMine bool, out io.Writer) error {
	if allMine {
		snap, ok, err := reviews.LoadBranch(ctx, ws.Repo, d.Branch)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no review branch %q: nothing waits for review", d.Branch)
		}
		for _, id := range snap.IDs() {
			st := snap.Status(id)
			if st.State == reviews.StatePending && st.Next == d.Stage {
				if may, _ := snap.Owners.May(d.Reviewer, d.Stage, snap.Units[id]); may {
					d.Units = append(d.Units, id)
				}
			}
		}
		if len(d.Units) == 0 {
			fmt.Fprintf(out, "nothing waits for your %s review\n", d.Stage)
			return nil
		}
	}
	done, problems, err := reviews.Decide(ctx, ws.Repo, d)
	if err != nil {
		return err
	}
	for _, p := range problems {
		fmt.Fprintf(out, "  not recorded: %v\n", p)
	}
	fmt.Fprintf(out, "%s %s: %s recorded on %s as %s\n", d.Stage, d.Verdict, plural(len(done), "unit", "units"), d.Branch, reviews.Identity(d.Reviewer))
	if len(problems) > 0 {
		return attention("%s could not take the decision", plural(len(problems), "unit", "units"))
	}
	return nil
}

func runReviewStatus(ctx context.Context, ws *workspace.Workspace, who string, out io.Writer) error {
	snap, ok, err := reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Branch)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintf(out, "no review branch %s: nothing waits for review\n", ws.Config.Review.Branch)
		return nil
	}
	mainHash, _, err := ws.Repo.Branch(ws.Config.Review.Main)
	if err != nil {
		return err
	}
	base, err := reviews.Load(ctx, ws.Repo, mainHash)
	if err != nil {
		return err
	}
	counts := map[reviews.State]int{}
	shown := 0
	for _, id := range snap.ChangedUnits(base) {
		if _, ok := snap.Units[id]; !ok {
			continue
		}
		st := snap.Status(id)
		counts[st.State]++
		if st.State == reviews.StateApproved {
			continue
		}
		if who != "" {
			if may, _ := snap.Owners.May(who, st.Next, snap.Units[id]); !may {
				continue
			}
		}
		shown++
		u := snap.Units[id]
		since := ""
		if !st.Since.IsZero() {
			since = ", since " + st.Since.Format("2006-01-02 15:04")
		}
		fmt.Fprintf(out, "%-9s %-12s %s v%d (%s%s) — %s\n", st.State, st.Next, id, u.Version, u.Language, since, strings.Join(st.Allowed, ", "))
		for _, p := range st.Problems {
			fmt.Fprintf(out, "          %s\n", p)
		}
	}
	fmt.Fprintf(out, "%s: %d approved, %d pending, %d rejected, %d invalid\n", ws.Config.Review.Branch,
		counts[reviews.StateApproved], counts[reviews.StatePending], counts[reviews.StateRejected], counts[reviews.StateInvalid])
	if who != "" && shown == 0 {
		fmt.Fprintf(out, "nothing waits for %s\n", reviews.Identity(who))
	}
	return nil
}

func runReviewVerify(ctx context.Context, ws *workspace.Workspace, baseRef, headRef string, out io.Writer) error {
	hh, err := ws.Repo.Resolve(headRef)
	if err != nil {
		return usageErr("--head: %v", err)
	}
	head, err := reviews.Load(ctx, ws.Repo, hh)
	if err != nil {
		return err
	}
	var base *reviews.Snapshot
	if baseRef != "" {
		bh, err := ws.Repo.Resolve(baseRef)
		if err != nil {
			return usageErr("--base: %v", err)
		}
		if bh, err = ws.Repo.MergeBase(bh, hh); err != nil {
			return err
		}
		if base, err = reviews.Load(ctx, ws.Repo, bh); err != nil {
			return err
		}
	}
	rep := reviews.Verify(head, base)
	for _, f := range rep.Failures {
		fmt.Fprintf(out, "FAIL %s\n", f)
	}
	if !rep.OK() {
		return attention("verify failed: %d problem(s) in %s checked", len(rep.Failures), plural(rep.Checked, "unit", "units"))
	}
	fmt.Fprintf(out, "verify passed: %s approved for their current content\n", plural(rep.Checked, "unit", "units"))
	return nil
}

func runReviewMerge(ctx context.Context, ws *workspace.Workspace, who string, out io.Writer) error {
	res, err := reviews.Merge(ctx, ws.Repo, ws.Config.Review.Main, ws.Config.Review.Branch, who, time.Now())
	if err != nil {
		return err
	}
	how := "merge commit"
	if res.FastForward {
		how = "fast-forward"
	}
	fmt.Fprintf(out, "merged %s into %s (%s, %s, now at %s); the review branch is deleted\n",
		ws.Config.Review.Branch, ws.Config.Review.Main, how, plural(res.Units, "unit", "units"), res.Commit.String()[:12])
	return nil
}
