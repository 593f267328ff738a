package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
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

A change of OWNERS itself is decided with --stage owners (no units): it
needs an admin and, for each changed entry, one of the people it listed
before.

Example:
   kbops review %s --stage technical --as "Ana Ruiz <ana@example.com>" --all-mine --push`, verdict, name),
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "stage", Required: true, Usage: "technical, expression or consistency; owners for a change of OWNERS, glossary for a change of the termbase, removal for a deleted unit file"},
				&cli.BoolFlag{Name: "all-mine", Usage: "every unit waiting for this stage that you may decide"},
				&cli.StringFlag{Name: "comment", Aliases: []string{"m"}, Usage: "why (shown to the author; required to reject)"},
				&cli.StringFlag{Name: "sign-key", EnvVars: []string{"KBOPS_SIGNING_KEY"}, Usage: "sign the decision commit with this armored OpenPGP private key `FILE` (strict mode needs it; passphrase from $KBOPS_SIGNING_PASSPHRASE)"},
				&cli.BoolFlag{Name: "push", Usage: "fetch the review branch from git.remote first and push the decision after (token from $KBOPS_GIT_TOKEN)"},
				&cli.StringSliceFlag{Name: "waive", Usage: "approve over a blocking finding (personal-data, forbidden-term, conflict): `CODE=REASON`, kept in the approval record; repeat for several codes"},
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
				waive, err := parseWaivers(c.StringSlice("waive"))
				if err != nil {
					return err
				}
				checks := checkOptions(ws)
				d := reviews.Decision{
					Branch: ws.Config.Review.Branch, Main: ws.Config.Review.Main, Reviewer: who, Stage: stage, Verdict: verdict,
					Units: c.Args().Slice(), Comment: c.String("comment"), Now: time.Now(), Checks: &checks, Waive: waive,
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
	return &cli.Command{
		Name:  "review",
		Usage: "the three-stage review: status, check, approve, reject, verify, merge",
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
			decide(reviews.Approved),
			decide(reviews.Rejected),
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

func runReviewRehash(ctx context.Context, ws *workspace.Workspace, who string, out io.Writer) (err error) {
	ctx, finish, err := beginRun(ctx, ws, "rehash", lock.Repo, true, nil)
	if err != nil {
		return err
	}
	var res reviews.RehashResult
	defer func() { finish(res, err) }()
	res, err = reviews.Rehash(ctx, ws.Repo, reviews.RehashOptions{Branch: ws.Config.Review.Branch, Main: ws.Config.Review.Main, Author: who, Now: time.Now()})
	if err != nil {
		return err
	}
	for _, id := range res.Units {
		fmt.Fprintf(out, "rehashed %s: a new version waits for technical review\n", knowledge.FilePath(id))
	}
	for _, p := range res.Problems {
		fmt.Fprintf(out, "not rehashed: %v\n", p)
	}
	fmt.Fprintf(out, "%d unit(s) rehashed on %s\n", len(res.Units), ws.Config.Review.Branch)
	if len(res.Problems) > 0 {
		return &exitError{exitAttention, fmt.Errorf("%d unit file(s) have other errors; fix the fields named above", len(res.Problems))}
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
	ctx, finish, err := beginRun(ctx, ws, kind, lock.Repo, true, nil)
	if err != nil {
		return err
	}
	rep := decideReport{Stage: d.Stage, Verdict: d.Verdict, Reviewer: reviews.Identity(d.Reviewer)}
	defer func() { finish(rep, err) }()
	if allMine {
		snap, ok, err := reviews.LoadBranch(ctx, ws.Repo, d.Branch)
		if err != nil {
			return err
		}
		if !ok {
			return fmt.Errorf("no review branch %q: nothing waits for review", d.Branch)
		}
		if err := snap.ReadHistory(ctx); err != nil {
			return err
		}
		if d.Stage == reviews.RemovalStage {
			base, err := mainBase(ctx, ws, snap)
			if err != nil {
				return err
			}
			removals, err := snap.RemovedUnits(ctx, base)
			if err != nil {
				return err
			}
			for _, rm := range removals {
				if !rm.Approved && slices.Contains(rm.Allowed, reviews.Identity(d.Reviewer)) {
					d.Units = append(d.Units, rm.ID)
				}
			}
		}
		for _, id := range snap.IDs() {
			st := snap.Status(id)
			if st.State == reviews.StatePending && st.Next == d.Stage && slices.Contains(st.Allowed, reviews.Identity(d.Reviewer)) {
				d.Units = append(d.Units, id)
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

func runReviewStatus(ctx context.Context, ws *workspace.Workspace, who string, out io.Writer) error {
	snap, ok, err := reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Branch)
	if err != nil {
		return err
	}
	if !ok {
		fmt.Fprintf(out, "no review branch %s: nothing waits for review\n", ws.Config.Review.Branch)
		return nil
	}
	base, err := mainBase(ctx, ws, snap)
	if err != nil {
		return err
	}
	if err := snap.ReadHistory(ctx); err != nil {
		return err
	}
	changed := snap.ChangedUnits(base)
	findings := map[string][]reviews.Finding{}
	for _, f := range reviews.Check(snap, changed, checkOptions(ws)) {
		findings[f.Unit] = append(findings[f.Unit], f)
	}
	counts := map[reviews.State]int{}
	shown := 0
	for _, id := range changed {
		if _, ok := snap.Units[id]; !ok {
			continue
		}
		st := snap.Status(id)
		counts[st.State]++
		if st.State == reviews.StateApproved {
			continue
		}
		if who != "" && !slices.Contains(st.Allowed, reviews.Identity(who)) {
			continue
		}
		shown++
		u := snap.Units[id]
		since := ""
		if !st.Since.IsZero() {
			since = ", waiting since " + st.Since.UTC().Format("2006-01-02 15:04")
		}
		if a := snap.Author(id); a != "" {
			since += ", written by " + a
		}
		fmt.Fprintf(out, "%-9s %-12s %s v%d (%s%s) — %s\n", st.State, st.Next, id, u.Version, u.Language, since, strings.Join(st.Allowed, ", "))
		for _, p := range st.Problems {
			fmt.Fprintf(out, "          %s\n", p)
		}
		for _, f := range findings[id] {
			if f.Stage == st.Next {
				fmt.Fprintf(out, "          check: %s\n", f)
			}
		}
	}
	// Blocking findings approved over stay visible, with who and why.
	for _, id := range changed {
		u := snap.Units[id]
		if u == nil {
			continue
		}
		for _, r := range snap.Records[id] {
			if r.Version != u.Version || r.ContentHash != u.ContentHash || r.Verdict != reviews.Approved {
				continue
			}
			for _, w := range r.Waived {
				if who == "" || reviews.Identity(who) == reviews.Identity(r.Reviewer) || slices.Contains(snap.Status(id).Allowed, reviews.Identity(who)) {
					fmt.Fprintf(out, "waived    %-12s %s v%d: %s waived by %s: %s\n", r.Stage, id, u.Version, w.Code, reviews.Identity(r.Reviewer), w.Reason)
				}
			}
		}
	}
	removals, err := snap.RemovedUnits(ctx, base)
	if err != nil {
		return err
	}
	for _, rm := range removals {
		if rm.Approved {
			counts[reviews.StateApproved]++
			continue
		}
		counts[reviews.StatePending]++
		if who != "" && !slices.Contains(rm.Allowed, reviews.Identity(who)) {
			continue
		}
		shown++
		fmt.Fprintf(out, "%-9s %-12s %s v%d deleted by %s — %s\n", reviews.StatePending, reviews.RemovalStage, rm.ID, rm.Removed.Version, orUnknown(rm.Deleter), strings.Join(rm.Allowed, ", "))
		fmt.Fprintf(out, "          %s\n", rm.Why)
	}
	fmt.Fprintf(out, "%s: %d approved, %d pending, %d rejected, %d invalid\n", ws.Config.Review.Branch,
		counts[reviews.StateApproved], counts[reviews.StatePending], counts[reviews.StateRejected], counts[reviews.StateInvalid])
	// Units sent back by the update tracks (interval, product event,
	// feedback) wait for their owner even though their content is unchanged.
	if due, err := tracks.Load(ctx, ws); err == nil {
		open := due.OpenDue()
		sort.Slice(open, func(i, j int) bool { return open[i].ID < open[j].ID })
		for _, d := range open {
			if who != "" && reviews.Identity(d.Owner) != reviews.Identity(who) {
				continue
			}
			for _, e := range d.Entries {
				fmt.Fprintf(out, "due       %-12s %s (%s, since %s) — %s\n", e.Track, d.ID, e.Reason, e.Since.Format("2006-01-02"), d.Owner)
			}
		}
	}
	if who != "" && shown == 0 {
		fmt.Fprintf(out, "nothing waits for %s\n", reviews.Identity(who))
	}
	return nil
}

// mainBase loads the merge base of main and the snapshot's commit: what
// the review branch changes is measured from there.
func mainBase(ctx context.Context, ws *workspace.Workspace, snap *reviews.Snapshot) (*reviews.Snapshot, error) {
	mainHash, ok, err := ws.Repo.Branch(ws.Config.Review.Main)
	if err != nil {
		return nil, err
	}
	if ok {
		if mainHash, err = ws.Repo.MergeBase(mainHash, snap.Commit); err != nil {
			return nil, err
		}
	}
	return reviews.Load(ctx, ws.Repo, mainHash)
}

// checkOptions gathers what the checks can use from the workspace: the
// glossary, and the change tokens the last ingestion saw.
func checkOptions(ws *workspace.Workspace) reviews.CheckOptions {
	var o reviews.CheckOptions
	if tb, err := glossary.Load(filepath.Join(ws.Root, "glossary")); err == nil && tb.Len() > 0 {
		if m, err := glossary.NewMatcher(tb, glossary.MatcherOptions{}); err == nil {
			o.Glossary = m
		}
	}
	if tokens, ok := ingest.SourceTokens(ws); ok {
		o.SourceToken = tokens
	}
	return o
}

func runReviewCheck(ctx context.Context, ws *workspace.Workspace, headRef string, stages []reviews.Stage, ids []string, out io.Writer) error {
	var snap *reviews.Snapshot
	if headRef != "" {
		h, err := ws.Repo.Resolve(headRef)
		if err != nil {
			return usageErr("--head: %v", err)
		}
		if snap, err = reviews.Load(ctx, ws.Repo, h); err != nil {
			return err
		}
	} else {
		s, ok, err := reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Branch)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(out, "no review branch %s: nothing waits for review\n", ws.Config.Review.Branch)
			return nil
		}
		snap = s
	}
	if len(ids) == 0 {
		base, err := mainBase(ctx, ws, snap)
		if err != nil {
			return err
		}
		ids = snap.ChangedUnits(base)
	} else {
		for _, id := range ids {
			if snap.Units[id] == nil {
				return usageErr("no unit %s at %s", id, snap.Commit.String()[:12])
			}
		}
	}
	o := checkOptions(ws)
	o.Stages = stages
	fs := reviews.Check(snap, ids, o)
	for _, f := range fs {
		fmt.Fprintln(out, f)
	}
	if len(fs) > 0 {
		return attention("%d finding(s) in %s checked", len(fs), plural(len(ids), "unit", "units"))
	}
	fmt.Fprintf(out, "no findings in %s\n", plural(len(ids), "unit", "units"))
	return nil
}

// syncReviewBranch: see workspace.SyncFromClone.
func syncReviewBranch(ws *workspace.Workspace) error {
	return ws.SyncFromClone(context.Background())
}

// fetchReviewBranch: see workspace.FetchReviewBranch.
func fetchReviewBranch(ctx context.Context, ws *workspace.Workspace) error {
	if err := ws.FetchReviewBranch(ctx); errors.Is(err, workspace.ErrNoRemote) {
		return usageErr("--push needs %v", err)
	} else if err != nil {
		return err
	}
	return nil
}

func pushBranch(ctx context.Context, ws *workspace.Workspace, branch string, force bool, out io.Writer) error {
	if err := ws.PushBranch(ctx, branch, force); err != nil {
		return err
	}
	fmt.Fprintf(out, "pushed %s to %s\n", branch, ws.Config.Git.Remote)
	return nil
}

func runReviewVerify(ctx context.Context, ws *workspace.Workspace, baseRef, headRef string, out io.Writer) error {
	hh, err := ws.Repo.Resolve(headRef)
	if err != nil {
		return usageErr("--head: %v", err)
	}
	cache := openParseCache(ws)
	defer saveParseCache(cache)
	head, err := reviews.LoadCached(ctx, ws.Repo, hh, cache)
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
		if base, err = reviews.LoadCached(ctx, ws.Repo, bh, cache); err != nil {
			return err
		}
	}
	checks := checkOptions(ws)
	rep, err := reviews.VerifyWith(ctx, head, base, &checks)
	if err != nil {
		return err
	}
	for _, f := range rep.Failures {
		fmt.Fprintf(out, "FAIL %s\n", f)
	}
	if !rep.OK() {
		return attention("verify failed: %d problem(s) in %s checked", len(rep.Failures), plural(rep.Checked, "unit", "units"))
	}
	fmt.Fprintf(out, "verify passed: %s approved for their current content\n", plural(rep.Checked, "unit", "units"))
	return nil
}

func runReviewMerge(ctx context.Context, ws *workspace.Workspace, who string, out io.Writer) (err error) {
	ctx, finish, err := beginRun(ctx, ws, "merge", lock.Repo, true, nil)
	if err != nil {
		return err
	}
	var res reviews.MergeResult
	defer func() { finish(res, err) }()
	checks := checkOptions(ws)
	res, err = reviews.Merge(ctx, ws.Repo, ws.Config.Review.Main, ws.Config.Review.Branch, who, time.Now(), &checks)
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
