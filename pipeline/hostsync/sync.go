package hostsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/githost"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// Options of Sync.
type Options struct {
	// Checks are the blocking checks' options, as `kbops review approve`
	// and `verify` use them.
	Checks *reviews.CheckOptions
	// Now is when decisions are recorded (time.Now when nil).
	Now func() time.Time
}

// Report is what Sync did.
type Report struct {
	// PullRequest is the open pull request's number; 0 when there is none.
	PullRequest int             `json:"pull_request"`
	URL         string          `json:"url,omitempty"`
	Commands    []CommandReport `json:"commands,omitempty"`
	// Pushed is set when the review branch was pushed: decisions were
	// recorded, or the local branch was ahead of the remote's.
	Pushed bool          `json:"pushed"`
	Status *StatusReport `json:"status,omitempty"`
}

// CommandReport is one command read from the pull request.
type CommandReport struct {
	Event    string   `json:"event"` // the host's comment id, e.g. comment-12
	URL      string   `json:"url,omitempty"`
	Account  string   `json:"account"`            // host login
	Reviewer string   `json:"reviewer,omitempty"` // the OWNERS e-mail it maps to
	Command  string   `json:"command"`
	Recorded []string `json:"recorded,omitempty"`
	// Refused says why nothing was recorded, as answered in the pull
	// request; Problems are the units Decide refused among recorded ones.
	Refused  string   `json:"refused,omitempty"`
	Problems []string `json:"problems,omitempty"`
	Answer   string   `json:"-"`
}

// Sync reads the comments of the review branch's open pull request that
// are newer than the cursor kept in the workspace state, records each
// `/approve STAGE [UNIT...]` from a reviewer OWNERS maps the account to
// (reviews.Decide, the commit authored by that reviewer, with trailers
// naming the host, the pull request and the comment), pushes the review
// branch when it recorded something or the local branch is ahead of the
// remote's, answers every command in the pull request (what was recorded, or
// why nothing was), saves the cursor, and sets the kbops/verify status on
// the head. The review branch is fetched from git.remote first. Running it
// again with nothing new records nothing, answers nothing and, the verdict
// being the same, posts no status.
func Sync(ctx context.Context, ws *workspace.Workspace, host githost.Host, o Options) (Report, error) {
	var rep Report
	if o.Now == nil {
		o.Now = time.Now
	}
	cfg := ws.Config
	// As ws.FetchReviewBranch, keeping the remote's head to see whether
	// the local branch is ahead of it.
	remoteHead, fetched, err := ws.Repo.Fetch(ctx, cfg.Git.Remote, cfg.Review.Branch, os.Getenv(config.EnvGitToken))
	if err != nil {
		return rep, err
	}
	if fetched {
		if err := ws.Advance(ctx, cfg.Review.Branch, remoteHead); err != nil {
			return rep, err
		}
	}
	pr, ok, err := host.FindPullRequest(ctx, cfg.Review.Branch, cfg.Review.Main)
	if err != nil {
		return rep, err
	}
	if !ok {
		return rep, nil
	}
	rep.PullRequest, rep.URL = pr.Number, pr.URL
	cursors, err := loadCursors(ws)
	if err != nil {
		return rep, err
	}
	key := cursorKey(cfg.Git.Host.URL, cfg.Git.Host.Repo, pr.Number)
	events, next, err := host.Events(ctx, pr.Number, cursors[key])
	if err != nil {
		return rep, err
	}
	push := false // something recorded, or the local branch ahead
	for _, ev := range events {
		cmd, ok := parseCommand(ev)
		if !ok {
			continue
		}
		cr := decide(ctx, ws, pr, ev, cmd, o)
		if len(cr.Recorded) > 0 {
			push = true
		}
		rep.Commands = append(rep.Commands, cr)
	}
	// Decisions recorded here but not pushed (approve without --push, a
	// sync whose push failed) go too: the status is set on the local head,
	// which the host must have.
	if !push {
		if local, ok, err := ws.Repo.Branch(cfg.Review.Branch); err == nil && ok && (!fetched || local != remoteHead) {
			push = true
		}
	}
	if push {
		if err := ws.PushBranch(ctx, cfg.Review.Branch, false); err != nil {
			// Not answered and the cursor not moved: the next sync meets
			// the same comments, finds them recorded locally and says so.
			return rep, err
		}
		rep.Pushed = true
	}
	var answerErr error
	for _, cr := range rep.Commands {
		if _, err := host.Comment(ctx, pr.Number, cr.Answer); err != nil {
			answerErr = errors.Join(answerErr, fmt.Errorf("answering %s: %w", cr.URL, err))
		}
	}
	// The decisions are on the branch: the cursor moves even when an
	// answer failed, so that no comment is decided twice.
	cursors[key] = next
	if err := saveCursors(ws, cursors); err != nil {
		return rep, errors.Join(answerErr, err)
	}
	st, ok, err := SetVerifyStatus(ctx, ws, host, o.Checks)
	if err != nil {
		return rep, errors.Join(answerErr, err)
	}
	if ok {
		rep.Status = &st
	}
	return rep, answerErr
}

// command is a parsed `/approve STAGE [UNIT...]`.
type command struct {
	text  string // the command line as typed
	stage string
	units []string
}

// parseCommand finds the command in a conversation comment: the first
// line starting with /approve. Other comments, reviews and kbops' own
// answers (which never start a line with "/") are not commands.
func parseCommand(ev githost.Event) (command, bool) {
	if ev.Kind != githost.KindComment {
		return command{}, false
	}
	for _, line := range strings.Split(ev.Body, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !strings.EqualFold(f[0], "/approve") {
			continue
		}
		c := command{text: strings.Join(f, " ")}
		if len(f) > 1 {
			c.stage = strings.ToLower(f[1])
			c.units = f[2:]
		}
		return c, true
	}
	return command{}, false
}

// decide turns one command into records, or into the reason it cannot.
func decide(ctx context.Context, ws *workspace.Workspace, pr githost.PullRequest, ev githost.Event, cmd command, o Options) CommandReport {
	cfg := ws.Config
	cr := CommandReport{Event: ev.ID, URL: ev.URL, Account: ev.Author, Command: cmd.text}
	refuse := func(format string, args ...any) CommandReport {
		cr.Refused = fmt.Sprintf(format, args...)
		cr.Answer = fmt.Sprintf("@%s `%s`: not recorded. %s", ev.Author, cmd.text, cr.Refused)
		return cr
	}
	stage, err := reviews.ParseStage(cmd.stage)
	if err != nil || stage.Index() < 0 {
		return refuse("Name the stage: `/approve technical`, `/approve expression` or `/approve consistency`, optionally followed by unit ids.")
	}
	snap, ok, err := reviews.LoadBranch(ctx, ws.Repo, cfg.Review.Branch)
	if err != nil {
		return refuse("kbops could not read the review branch: %v", err)
	}
	if !ok {
		return refuse("There is no review branch %s.", cfg.Review.Branch)
	}
	if err := snap.ReadHistory(ctx); err != nil {
		return refuse("kbops could not read the review branch: %v", err)
	}
	// The OWNERS in force on the branch: a change of the mapping counts
	// only once approved, like any change of OWNERS.
	owners := snap.EffectiveOwners()
	who, ok := owners.ReviewerForAccount(ev.Author)
	if !ok {
		return refuse("The account %s is not a reviewer's: OWNERS `accounts:` maps no e-mail address to it.", ev.Author)
	}
	cr.Reviewer = who
	if owners.Strict {
		// Decide would refuse too, telling the reviewer to pass a flag.
		return refuse("OWNERS is in strict mode: an approval must be signed with %s's own key, which a comment cannot carry. Approve with `kbops review approve --stage %s --sign-key FILE --push`.", who, stage)
	}
	if c, moved, err := movedSince(ctx, ws.Repo, snap.Commit, ev.At); err != nil {
		return refuse("kbops could not read the review branch's history: %v", err)
	} else if moved {
		return refuse("The review branch changed after this comment (commit %s at %s): look at the pull request again and repeat the command if it still holds.",
			c.Hash.String()[:12], c.Committer.When.UTC().Format(time.RFC3339))
	}
	units := cmd.units
	if len(units) == 0 {
		for _, id := range snap.IDs() {
			st := snap.Status(id)
			if st.State == reviews.StatePending && st.Next == stage && slices.Contains(st.Allowed, who) {
				units = append(units, id)
			}
		}
		if len(units) == 0 {
			return refuse("Nothing waits for %s approval by %s: either the units wait for another stage first, or OWNERS lets others decide them (`kbops review status` lists who may).", stage, who)
		}
	}
	d := reviews.Decision{
		Branch: cfg.Review.Branch, Main: cfg.Review.Main, Reviewer: who, Stage: stage, Verdict: reviews.Approved,
		Units: units, Comment: fmt.Sprintf("Approved in pull request #%d: %s", pr.Number, ev.URL), Now: o.Now(), Checks: o.Checks,
		Trailers: []string{
			"Kbops-Host: " + cfg.Git.Host.Kind + " " + strings.TrimSuffix(cfg.Git.Host.URL, "/") + "/" + cfg.Git.Host.Repo,
			"Kbops-Pull-Request: " + strconv.Itoa(pr.Number),
			"Kbops-Host-Comment: " + ev.ID + " " + ev.URL,
			"Kbops-Host-Account: " + ev.Author,
		},
	}
	done, problems, err := reviews.Decide(ctx, ws.Repo, d)
	if err != nil {
		return refuse("%v", err)
	}
	for _, p := range problems {
		cr.Problems = append(cr.Problems, p.Error())
	}
	if len(done) == 0 {
		return refuse("%s", strings.Join(cr.Problems, "; "))
	}
	cr.Recorded = done
	var b strings.Builder
	fmt.Fprintf(&b, "@%s `%s`: recorded %s approval by %s for %d unit(s) on `%s`:\n\n", ev.Author, cmd.text, stage, who, len(done), cfg.Review.Branch)
	for _, id := range done {
		fmt.Fprintf(&b, "- `%s`\n", knowledge.FilePath(id))
	}
	if len(cr.Problems) > 0 {
		b.WriteString("\nNot recorded:\n\n")
		for _, p := range cr.Problems {
			fmt.Fprintf(&b, "- %s\n", oneLine(p))
		}
	}
	cr.Answer = b.String()
	return cr
}

// movedSince returns the newest commit on the branch at head committed
// after t that changes what reviewers judge (units, OWNERS, the termbase);
// decision commits, which only add approvals, do not move it. A comment
// typed before such a commit was about content that is no longer there.
func movedSince(ctx context.Context, r *kbrepo.Repo, head plumbing.Hash, t time.Time) (*object.Commit, bool, error) {
	var found *object.Commit
	prefixes := []string{knowledge.UnitsDir + "/", reviews.OwnersFile, glossary.Dir + "/"}
	err := r.WalkChanges(ctx, head, prefixes, func(c *object.Commit, ch []kbrepo.PathChange) (bool, error) {
		// Hosts and git keep whole seconds: a commit in the comment's
		// second counts as before it.
		if !c.Committer.When.Truncate(time.Second).After(t.Truncate(time.Second)) {
			return false, nil
		}
		if len(ch) > 0 {
			found = c
			return false, nil
		}
		return true, nil
	})
	return found, found != nil, err
}

// cursorFile keeps the position in each pull request's events.
const cursorFile = "githost-cursors.json"

func cursorKey(url, repo string, number int) string {
	return fmt.Sprintf("%s %s #%d", strings.TrimSuffix(url, "/"), repo, number)
}

func loadCursors(ws *workspace.Workspace) (map[string]githost.Cursor, error) {
	p, err := ws.State(cursorFile)
	if err != nil {
		return nil, err
	}
	out := map[string]githost.Cursor{}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the git-host cursor: %w", err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %w; delete it to read the pull requests from the start (commands already recorded are then refused as decided)", p, err)
	}
	return out, nil
}

func saveCursors(ws *workspace.Workspace, c map[string]githost.Cursor) error {
	p, err := ws.State(cursorFile)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(p), cursorFile+".*")
	if err != nil {
		return fmt.Errorf("saving the git-host cursor: %w", err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("saving the git-host cursor %s: %w", p, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("saving the git-host cursor %s: %w", p, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("saving the git-host cursor %s: %w", p, err)
	}
	return nil
}
