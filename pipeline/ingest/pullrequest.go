package ingest

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/hostsync"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/githost"
)

// PullRequestReport is what PullRequest did on the git host.
type PullRequestReport struct {
	Number int    `json:"number"`
	URL    string `json:"url"`
	// Change is opened, updated or unchanged.
	Change string `json:"change"`
	// LineComments is how many findings were put on unit-file lines now
	// (those already there are not posted again).
	LineComments int `json:"line_comments"`
	// Took is the time spent on the host (reading the branch not counted).
	Took time.Duration `json:"took_ns"`
}

// maxBody keeps the pull-request text under what hosts accept (GitHub:
// 65,536 characters).
const maxBody = 60000

// PullRequest opens the pull request of the review branch into main on
// git.host, or brings the open one's title and body up to date. Title and
// body are made from the review branch as it stands (what waits, by owner,
// with the automated checks' findings) and from rep's errors, never from
// the time of the run, so that an ingest that changed nothing edits
// nothing on the host. It does nothing and returns ok false when git.host
// is not configured or the review branch holds no change. The branch must
// have been pushed: the host reads it from its own copy.
func PullRequest(ctx context.Context, ws *workspace.Workspace, rep Report, reg *githost.Registry) (PullRequestReport, bool, error) {
	cfg := ws.Config
	host, ok, err := hostsync.Open(ctx, ws, reg)
	if err != nil || !ok {
		return PullRequestReport{}, false, err
	}
	text, ok, err := pullRequestText(ctx, ws, rep)
	if err != nil || !ok {
		return PullRequestReport{}, false, err
	}
	begin := time.Now()
	pr, ch, err := host.EnsurePullRequest(ctx, githost.PullRequestSpec{Head: cfg.Review.Branch, Base: cfg.Review.Main, Title: text.title, Body: text.body})
	if err != nil {
		return PullRequestReport{}, false, fmt.Errorf("the review branch was pushed, but %w; run `kbops ingest --push` again", err)
	}
	out := PullRequestReport{Number: pr.Number, URL: pr.URL, Change: ch.String()}
	if out.LineComments, err = commentFindings(ctx, host, pr.Number, text); err != nil {
		return out, true, fmt.Errorf("the pull request #%d is up to date, but %w; run `kbops ingest --push` again", pr.Number, err)
	}
	out.Took = time.Since(begin)
	return out, true, nil
}

// commentFindings puts each finding that names a line on that line of the
// unit file, unless a comment with the same text is on that line already:
// an ingest that changed nothing posts nothing. They go in one review that
// only comments, which reviewers see beside the diff.
func commentFindings(ctx context.Context, host githost.Host, number int, text prText) (int, error) {
	if len(text.lines) == 0 {
		return 0, nil
	}
	have, err := host.LineComments(ctx, number)
	if err != nil {
		return 0, err
	}
	seen := map[string]bool{}
	key := func(c githost.LineComment) string {
		return c.Path + "\x00" + strconv.Itoa(c.Line) + "\x00" + strings.TrimSpace(strings.ReplaceAll(c.Body, "\r\n", "\n"))
	}
	for _, c := range have {
		seen[key(c)] = true
	}
	var post []githost.LineComment
	for _, c := range text.lines {
		if !seen[key(c)] {
			seen[key(c)] = true
			post = append(post, c)
		}
	}
	if len(post) == 0 {
		return 0, nil
	}
	body := fmt.Sprintf("kbops checks: %d finding(s) on the changed unit files at `%s`; the pull request's description lists them all.", len(post), text.head[:12])
	if err := host.CommentLines(ctx, number, text.head, body, post); err != nil {
		return 0, err
	}
	return len(post), nil
}

// prText is what the pull request says: title, body, and the findings to
// put on unit-file lines, for the branch's head.
type prText struct {
	title, body, head string
	lines             []githost.LineComment
}

// findingComment is a finding as a line comment.
func findingComment(f reviews.Finding) githost.LineComment {
	sev := "advice"
	if f.Blocking {
		sev = "**blocking**"
	}
	return githost.LineComment{Path: f.File, Line: f.Line, Body: fmt.Sprintf("%s `%s` (%s stage): %s", sev, f.Code, f.Stage, oneLine(f.Message))}
}

// pullRequestText is the title and Markdown body for the review branch;
// ok is false when the branch does not exist or changes nothing.
func pullRequestText(ctx context.Context, ws *workspace.Workspace, rep Report) (prText, bool, error) {
	cfg := ws.Config
	snap, ok, err := reviews.LoadBranch(ctx, ws.Repo, cfg.Review.Branch)
	if err != nil || !ok {
		return prText{}, false, err
	}
	base, err := reviews.MainBase(ctx, ws.Repo, cfg.Review.Main, snap)
	if err != nil {
		return prText{}, false, err
	}
	if base.Commit == snap.Commit {
		return prText{}, false, nil
	}
	ov, err := snap.Overview(ctx, base, ReviewChecks(ctx, ws, snap.Commit))
	if err != nil {
		return prText{}, false, err
	}
	changed := 0
	for _, n := range ov.Counts {
		changed += n
	}
	var errs []string
	for _, s := range rep.Sources {
		errs = append(errs, s.Errors...)
	}
	if changed == 0 && len(errs) == 0 {
		return prText{}, false, nil
	}
	var date string
	if c, err := ws.Repo.Git.CommitObject(snap.Commit); err == nil {
		date = c.Committer.When.UTC().Format("2006-01-02")
	}
	c := ov.Counts
	t := prText{head: snap.Commit.String()}
	t.title = fmt.Sprintf("Knowledge review %s: %d changed, %d pending, %d rejected, %d approved", date, changed,
		c[reviews.StatePending]+c[reviews.StateInvalid], c[reviews.StateRejected], c[reviews.StateApproved])
	t.body = reportBody(cfg.Review.Branch, t.head, date, ov, errs, snap.EffectiveOwners().Accounts)
	// Every stage's findings go on their lines at once, each naming its
	// stage: the diff is read once, the description follows the stages.
	for _, f := range ov.Findings {
		if f.Line > 0 && f.File != "" {
			t.lines = append(t.lines, findingComment(f))
		}
	}
	return t, true, nil
}

// reportBody writes the review report: counts, the reviewers each stage
// waits for (mentioned with their host accounts from OWNERS `accounts:`,
// so that the host notifies them), the waiting units grouped by owner with
// the stage they wait for and who may decide it, their findings (blocking
// or advice), removals, and the run's errors.
func reportBody(branch, head, date string, ov reviews.Overview, errs []string, accounts map[string]string) string {
	var b strings.Builder
	c := ov.Counts
	fmt.Fprintf(&b, "Knowledge changes on `%s` (head `%s`, %s).\n\n", branch, head[:12], date)
	fmt.Fprintf(&b, "**%d approved, %d pending, %d rejected, %d invalid.**\n\n",
		c[reviews.StateApproved], c[reviews.StatePending], c[reviews.StateRejected], c[reviews.StateInvalid])
	who := func(list []string) string {
		out := make([]string, 0, len(list))
		for _, e := range list {
			if l := accounts[e]; l != "" {
				out = append(out, e+" (@"+l+")")
			} else {
				out = append(out, e)
			}
		}
		return strings.Join(out, ", ")
	}
	waits := map[reviews.Stage]int{}
	deciders := map[reviews.Stage]map[string]bool{}
	for _, w := range ov.Waiting {
		stg := w.Status.Next
		if stg == "" {
			continue
		}
		waits[stg]++
		if deciders[stg] == nil {
			deciders[stg] = map[string]bool{}
		}
		for _, p := range w.Status.Allowed {
			deciders[stg][p] = true
		}
	}
	if len(waits) > 0 {
		b.WriteString("## Waiting for\n\n")
		for _, stg := range reviews.Stages {
			if waits[stg] == 0 {
				continue
			}
			people := make([]string, 0, len(deciders[stg]))
			for p := range deciders[stg] {
				people = append(people, p)
			}
			sort.Strings(people)
			noun := "units"
			if waits[stg] == 1 {
				noun = "unit"
			}
			fmt.Fprintf(&b, "- **%s** (%d %s): %s\n", stg, waits[stg], noun, orNobody(mentions(people, accounts)))
		}
		b.WriteString("\n")
	}

	byOwner := map[string][]reviews.WaitingUnit{}
	for _, w := range ov.Waiting {
		byOwner[w.Unit.Owner] = append(byOwner[w.Unit.Owner], w)
	}
	owners := make([]string, 0, len(byOwner))
	for o := range byOwner {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	if len(owners) > 0 {
		b.WriteString("## Waiting, by owner\n\n")
	}
	for _, o := range owners {
		list := byOwner[o]
		fmt.Fprintf(&b, "### %s (%d)\n\n", orNobody(o), len(list))
		b.WriteString("| Unit | Version | Language | State | Waits for | Who may decide |\n|---|---|---|---|---|---|\n")
		var findings []reviews.Finding
		for _, w := range list {
			fmt.Fprintf(&b, "| `%s` | v%d | %s | %s | %s | %s |\n", knowledge.FilePath(w.Unit.ID), w.Unit.Version, w.Unit.Language,
				w.Status.State, w.Status.Next, cell(who(w.Status.Allowed)))
			findings = append(findings, w.Findings...)
		}
		b.WriteString("\n")
		if len(findings) > 0 {
			b.WriteString("Findings:\n\n")
			for _, f := range findings {
				sev := "advice"
				if f.Blocking {
					sev = "**blocking**"
				}
				loc := f.File
				if f.Line > 0 {
					loc = fmt.Sprintf("%s:%d", f.File, f.Line)
				}
				fmt.Fprintf(&b, "- %s `%s` (%s, %s): %s\n", sev, loc, f.Stage, f.Code, oneLine(f.Message))
			}
			b.WriteString("\n")
		}
	}
	if len(ov.Removals) > 0 {
		b.WriteString("## Removals\n\n")
		for _, rm := range ov.Removals {
			v := 0
			if rm.Removed != nil {
				v = rm.Removed.Version
			}
			fmt.Fprintf(&b, "- `%s` v%d deleted by %s: %s (may approve: %s)\n", knowledge.FilePath(rm.ID), v, orNobody(rm.Deleter), oneLine(rm.Why), strings.Join(rm.Allowed, ", "))
		}
		b.WriteString("\n")
	}
	if len(errs) > 0 {
		b.WriteString("## Errors of the last ingest\n\n")
		for _, e := range errs {
			fmt.Fprintf(&b, "- %s\n", oneLine(e))
		}
		b.WriteString("\n")
	}
	b.WriteString("Decide a stage here: the Approve or Request changes review (it decides the first stage waiting for you), " +
		"or a comment `/approve technical|expression|consistency [UNIT-ID...]` or `/reject STAGE REASON [UNIT-ID...]`; " +
		"or with `kbops review approve --stage STAGE`.\n")
	if b.Len() > maxBody {
		s := b.String()[:maxBody]
		s = s[:strings.LastIndexByte(s, '\n')+1]
		return s + "\n… cut to fit the pull request; `kbops review status` lists everything.\n"
	}
	return b.String()
}

// mentions writes reviewers as host mentions where OWNERS maps them to an
// account, else as their address.
func mentions(people []string, accounts map[string]string) string {
	out := make([]string, 0, len(people))
	for _, p := range people {
		if l := accounts[p]; l != "" {
			out = append(out, "@"+l)
		} else {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

func orNobody(s string) string {
	if s == "" {
		return "(no owner)"
	}
	return s
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cell(s string) string { return strings.ReplaceAll(oneLine(s), "|", "\\|") }
