package main

import (
	"fmt"
	"os"

	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

func reviewCommand() *cli.Command {
	asFlag := &cli.StringFlag{Name: "as", Usage: "reviewer identity `\"Name <email>\"` (default: $KBOPS_REVIEWER, then git's user.name and user.email)"}
	return &cli.Command{
		Name:  "review",
		Usage: "the three-stage review: status, check, approve, reject, sync, verify, merge",
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
					if err := syncReviewBranch(ws); err != nil {
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
			{
				Name:      "check",
				Usage:     "run the automated checks of each stage on the units waiting for review",
				ArgsUsage: "[UNIT-ID...]",
				Description: `Shows findings as file:line: technical (provenance, the unit no longer
matching its source document, conflicting parameter values between units of
one product with the winner by tier then effective date), expression
(language, length, leftover personal data, forbidden and deprecated terms,
broken Markdown), consistency (glossary findings, near-duplicates, links to
missing or retired units). Without units, checks every unit the review
branch changes. Exits 3 when there are findings.

Example:
   kbops review check --stage technical`,
				Flags: []cli.Flag{
					&cli.StringFlag{Name: "stage", Usage: "only the checks of this stage"},
					&cli.StringFlag{Name: "head", Usage: "check this `REF` instead of the review branch"},
				},
				Action: func(c *cli.Context) error {
					ws, err := openWorkspace(c)
					if err != nil {
						return err
					}
					var stages []reviews.Stage
					if s := c.String("stage"); s != "" {
						st, err := reviews.ParseStage(s)
						if err != nil || st == reviews.OwnersStage || st == reviews.GlossaryStage {
							return usageErr("--stage: %q is not one of technical, expression, consistency", s)
						}
						stages = append(stages, st)
					}
					if err := syncReviewBranch(ws); err != nil {
						return err
					}
					return runReviewCheck(c.Context, ws, c.String("head"), stages, c.Args().Slice(), c.App.Writer)
				},
			},
			decideCommand(reviews.Approved, asFlag),
			decideCommand(reviews.Rejected, asFlag),
			reviewSyncCommand(),
			{
				Name:  "rehash",
				Usage: "make unit files edited by hand new versions for review",
				Description: `A unit file edited by hand (a typo fixed in the git host's editor, a
locator corrected) no longer matches its content_hash, so verify and publish
refuse it. rehash computes the hash of each such file on the review branch
(main when there is none), raises its version by one and commits it to the
review branch, where it goes through the three stages like any change; the
approvals of the old version do not carry over. Who runs it is the new
version's author and may not review it. Files wrong in other ways are
listed and left alone (exit 3).

Example:
   kbops review rehash --as "Ana Ruiz <ana@example.com>"`,
				Flags: []cli.Flag{asFlag},
				Action: func(c *cli.Context) error {
					ws, who, err := workspaceAndReviewer(c)
					if err != nil {
						return err
					}
					if err := syncReviewBranch(ws); err != nil {
						return err
					}
					return runReviewRehash(c.Context, ws, who, c.App.Writer)
				},
			},
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
				Flags: []cli.Flag{asFlag, &cli.BoolFlag{Name: "push", Usage: "fetch the review branch from git.remote first and push main after"}},
				Action: func(c *cli.Context) error {
					ws, who, err := workspaceAndReviewer(c)
					if err != nil {
						return err
					}
					if c.Bool("push") {
						if err := fetchReviewBranch(c.Context, ws); err != nil {
							return err
						}
					} else if err := syncReviewBranch(ws); err != nil {
						return err
					}
					if err := runReviewMerge(c.Context, ws, who, c.App.Writer); err != nil {
						return err
					}
					if c.Bool("push") {
						return pushBranch(c.Context, ws, ws.Config.Review.Main, false, c.App.Writer)
					}
					return nil
				},
			},
		},
	}
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// workspaceAndReviewer opens the workspace and finds who is acting.
func workspaceAndReviewer(c *cli.Context) (*workspace.Workspace, string, error) {
	ws, err := openWorkspace(c)
	if err != nil {
		return nil, "", err
	}
	who, err := reviewer(ws, c.String("as"))
	return ws, who, err
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
