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
	// Recorder, when set, signs the decision commits; in strict mode
	// (OWNERS strict: true) decisions from the host are recorded only with
	// a recorder OWNERS lists under recorders:.
	Recorder *Recorder
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

// Sync reads the comments and reviews of the review branch's open pull
// request that are newer than the cursor kept in the workspace state and
// records each command from a reviewer OWNERS maps the account to, with
// reviews.Decide as `kbops review approve` / `reject` would (the commit
// authored by that reviewer, with trailers naming the host, the pull
// request and the comment or review): `/approve STAGE [UNIT...]`, `/reject
// STAGE REASON [UNIT...]`, and the host's Approve and Request changes
// reviews, which decide the stage a command line in their text names, else
// the first stage in which units wait for the reviewer (the review's text
// is a rejection's reason). An event whose decision the branch already
// holds is skipped, whatever the cursor says. It pushes the review branch
// when it recorded something or the local branch is ahead of the remote's,
// answers every new command in the pull request (what was recorded, or why
// nothing was), saves the cursor, and sets the kbops/verify status on the
// head. The review branch is fetched from git.remote first. Running it
// again with nothing new records nothing, answers nothing and, the verdict
// being the same, posts no status. Callers hold the repository write lock
// (ctx), so that a webhook and a poll never read the same cursor.
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
	var recorded map[string]plumbing.Hash
	for _, ev := range events {
		cmd, ok := parseCommand(ev)
		if !ok {
			continue
		}
		if recorded == nil {
			head, _, err := ws.Repo.Branch(cfg.Review.Branch)
			if err != nil {
				return rep, err
			}
			if recorded, err = recordedEvents(ctx, ws.Repo, head, hostLine(cfg)); err != nil {
				return rep, err
			}
		}
		if c, done := recorded[ev.ID]; done {
			// Recorded and answered before: nothing to say again.
			rep.Commands = append(rep.Commands, CommandReport{Event: ev.ID, URL: ev.URL, Account: ev.Author, Command: cmd.report(),
				Refused: "already recorded in commit " + c.String()[:12]})
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
		if cr.Answer == "" {
			continue
		}
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

// command is what one event asks for: a comment command (`/approve STAGE
// [UNIT...]`, `/reject STAGE REASON [UNIT...]`) or a host review (Approve,
// Request changes), which may carry such a line naming the stage.
type command struct {
	line    string // the command line as typed; "" for a review without one
	verdict reviews.Verdict
	// stage is as typed; "" for a review without a command line, which
	// decides the next stage the reviewer may decide.
	stage string
	// args follow the stage: units (approve); reason words, then units
	// (reject).
	args []string
	// review is set for a host review: body is its text without the
	// command line, the rejection's reason.
	review bool
	body   string
	// conflict is set for a review whose command line says the opposite.
	conflict string
}

// name is how the answer quotes the command.
func (c command) name() string {
	if !c.review {
		return "`" + c.line + "`"
	}
	n := "Approve"
	if c.verdict == reviews.Rejected {
		n = "Request changes"
	}
	if c.line != "" {
		return n + " review `" + c.line + "`"
	}
	return n + " review"
}

// report is what CommandReport.Command shows.
func (c command) report() string {
	if !c.review {
		return c.line
	}
	n := "approve review"
	if c.verdict == reviews.Rejected {
		n = "request-changes review"
	}
	if c.line != "" {
		return n + ": " + c.line
	}
	return n
}

// commandLine finds the first line starting with /approve or /reject.
// Quotes ("> /approve"), kbops' answers (which never start a line with
// "/") and words merely containing a command are not commands.
func commandLine(body string) (line string, verdict reviews.Verdict, words []string, rest string, ok bool) {
	lines := strings.Split(body, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) == 0 {
			continue
		}
		switch strings.ToLower(f[0]) {
		case "/approve":
			verdict = reviews.Approved
		case "/reject":
			verdict = reviews.Rejected
		default:
			continue
		}
		others := append(append([]string(nil), lines[:i]...), lines[i+1:]...)
		return strings.Join(f, " "), verdict, f[1:], strings.TrimSpace(strings.Join(others, "\n")), true
	}
	return "", "", nil, strings.TrimSpace(body), false
}

// parseCommand reads the command an event carries. A conversation comment
// (or a review that only comments) is one when a line starts with /approve
// or /reject; an Approve or Request changes review always is one.
func parseCommand(ev githost.Event) (command, bool) {
	line, verdict, words, rest, found := commandLine(ev.Body)
	var c command
	switch ev.Kind {
	case githost.KindComment, githost.KindReviewed:
		if !found {
			return command{}, false
		}
		c = command{line: line, verdict: verdict}
	case githost.KindApproved, githost.KindChangesRequested:
		c = command{review: true, verdict: reviews.Approved, body: rest}
		if ev.Kind == githost.KindChangesRequested {
			c.verdict = reviews.Rejected
		}
		if found {
			c.line = line
			if verdict != c.verdict {
				c.conflict = fmt.Sprintf("The review and its line `%s` say opposite things: approve with an Approve review or `/approve`, reject with Request changes or `/reject`.", line)
			}
		}
	default:
		return command{}, false
	}
	if found && len(words) > 0 {
		c.stage = strings.ToLower(words[0])
		c.args = words[1:]
	}
	return c, true
}

// waitingFor lists the units waiting for stage that who may decide.
func waitingFor(snap *reviews.Snapshot, stage reviews.Stage, who string) []string {
	var out []string
	for _, id := range snap.IDs() {
		st := snap.Status(id)
		if st.State == reviews.StatePending && st.Next == stage && slices.Contains(st.Allowed, who) {
			out = append(out, id)
		}
	}
	return out
}

// decide turns one command into records, or into the reason it cannot.
func decide(ctx context.Context, ws *workspace.Workspace, pr githost.PullRequest, ev githost.Event, cmd command, o Options) CommandReport {
	cfg := ws.Config
	cr := CommandReport{Event: ev.ID, URL: ev.URL, Account: ev.Author, Command: cmd.report()}
	refuse := func(format string, args ...any) CommandReport {
		cr.Refused = fmt.Sprintf(format, args...)
		cr.Answer = fmt.Sprintf("@%s %s: not recorded. %s", ev.Author, cmd.name(), cr.Refused)
		return cr
	}
	usage := "Name the stage: `/approve technical`, `/approve expression` or `/approve consistency`, optionally followed by unit ids."
	if cmd.verdict == reviews.Rejected {
		usage = "Name the stage and the reason: `/reject technical|expression|consistency REASON [UNIT-ID...]`."
	}
	if cmd.conflict != "" {
		return refuse("%s", cmd.conflict)
	}
	var stage reviews.Stage
	if cmd.stage != "" || !cmd.review {
		s, err := reviews.ParseStage(cmd.stage)
		if err != nil || s.Index() < 0 {
			return refuse("%s", usage)
		}
		stage = s
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
	verb := "approve"
	if cmd.verdict == reviews.Rejected {
		verb = "reject"
	}
	if owners.Strict && (o.Recorder == nil || owners.Recorders[o.Recorder.Name] == "") {
		// Decide would refuse too, telling the reviewer to pass a flag.
		st := string(stage)
		if st == "" {
			st = "STAGE"
		}
		return refuse("OWNERS is in strict mode: a decision must be signed with %s's own key, or by a recorder OWNERS lists under `recorders:`, and this kbops has none. Decide with `kbops review %s --stage %s --sign-key FILE --push`.", who, verb, st)
	}
	// A review names the commit it judged; a comment only its time.
	if ev.CommitSHA != "" {
		if why, err := movedAfter(ctx, ws.Repo, snap.Commit, plumbing.NewHash(ev.CommitSHA)); err != nil {
			return refuse("kbops could not read the review branch's history: %v", err)
		} else if why != "" {
			return refuse("%s", why)
		}
	} else if c, moved, err := movedSince(ctx, ws.Repo, snap.Commit, ev.At); err != nil {
		return refuse("kbops could not read the review branch's history: %v", err)
	} else if moved {
		return refuse("The review branch changed after this comment (commit %s at %s): look at the pull request again and repeat the command if it still holds.",
			c.Hash.String()[:12], c.Committer.When.UTC().Format(time.RFC3339))
	}
	if stage == "" {
		// A review without a command line decides the first stage, in
		// stage order, in which units wait for this reviewer: one stage
		// per review, as a reviewer reads for one stage at a time.
		for _, s := range reviews.Stages {
			if len(waitingFor(snap, s, who)) > 0 {
				stage = s
				break
			}
		}
		if stage == "" {
			return refuse("Nothing waits for a decision by %s: the units wait for others first, or OWNERS lets others decide them (`kbops review status` lists who may).", who)
		}
	}
	units, reason := cmd.args, ""
	if cmd.verdict == reviews.Rejected {
		// The units are the trailing words that name units of the branch;
		// the words before them are the reason.
		i := len(units)
		for i > 0 && snap.Units[units[i-1]] != nil {
			i--
		}
		reason = strings.Join(units[:i], " ")
		units = units[i:]
		if cmd.body != "" {
			reason = strings.TrimSpace(reason + "\n\n" + cmd.body)
		}
		if reason == "" {
			if cmd.review {
				return refuse("A rejection needs the reason: write what to fix in the review's text.")
			}
			return refuse("%s", usage)
		}
	}
	if len(units) == 0 {
		units = waitingFor(snap, stage, who)
		if len(units) == 0 {
			return refuse("Nothing waits for %s %s by %s: either the units wait for another stage first, or OWNERS lets others decide them (`kbops review status` lists who may).", stage, decisionNoun(cmd.verdict), who)
		}
	}
	where := "Approved"
	if cmd.verdict == reviews.Rejected {
		where = "Rejected"
	}
	comment := fmt.Sprintf("%s in pull request #%d: %s", where, pr.Number, ev.URL)
	if reason != "" {
		comment = reason + "\n\n" + comment
	}
	d := reviews.Decision{
		Branch: cfg.Review.Branch, Main: cfg.Review.Main, Reviewer: who, Stage: stage, Verdict: cmd.verdict,
		Units: units, Comment: comment, Now: o.Now(), Checks: o.Checks,
		Trailers: []string{
			"Kbops-Host: " + hostLine(cfg),
			"Kbops-Pull-Request: " + strconv.Itoa(pr.Number),
			"Kbops-Host-Comment: " + ev.ID + " " + ev.URL,
			reviews.HostAccountTrailer + ": " + ev.Author,
		},
	}
	if o.Recorder != nil {
		d.SignKey, d.Recorder = o.Recorder.Key, o.Recorder.Name
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
	fmt.Fprintf(&b, "@%s %s: recorded %s %s by %s for %d unit(s) on `%s`:\n\n", ev.Author, cmd.name(), stage, decisionNoun(cmd.verdict), who, len(done), cfg.Review.Branch)
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

func decisionNoun(v reviews.Verdict) string {
	if v == reviews.Rejected {
		return "rejection"
	}
	return "approval"
}

// hostLine is the Kbops-Host trailer's value: kind and repository address.
func hostLine(cfg *config.Config) string {
	return cfg.Git.Host.Kind + " " + strings.TrimSuffix(cfg.Git.Host.URL, "/") + "/" + cfg.Git.Host.Repo
}

// recordedEvents are the host events the review branch holds decisions
// of (their Kbops-Host-Comment trailers, for this host): an event is
// recorded once, whatever the cursor says — after a lost cursor, or a
// webhook and a poll meeting the same comment.
func recordedEvents(ctx context.Context, r *kbrepo.Repo, head plumbing.Hash, host string) (map[string]plumbing.Hash, error) {
	out := map[string]plumbing.Hash{}
	err := r.WalkChanges(ctx, head, []string{reviews.ApprovalsDir + "/"}, func(c *object.Commit, ch []kbrepo.PathChange) (bool, error) {
		if len(ch) == 0 || !strings.Contains(c.Message, "\nKbops-Host: "+host+"\n") {
			return true, nil
		}
		for _, l := range strings.Split(c.Message, "\n") {
			if v, ok := strings.CutPrefix(l, "Kbops-Host-Comment: "); ok {
				id, _, _ := strings.Cut(v, " ")
				out[id] = c.Hash
			}
		}
		return true, nil
	})
	return out, err
}

// movedAfter says why a review of commit reviewed no longer holds at
// head: the branch no longer contains it, or a later commit changed what
// reviewers judge (units, OWNERS, the termbase). "" when it holds.
func movedAfter(ctx context.Context, r *kbrepo.Repo, head, reviewed plumbing.Hash) (string, error) {
	if head == reviewed {
		return "", nil
	}
	short := reviewed.String()[:12]
	if _, err := r.Git.CommitObject(reviewed); err != nil {
		return fmt.Sprintf("This review is of commit %s, which the review branch does not hold: look at the pull request again and review its current head.", short), nil
	}
	if ok, err := r.IsAncestor(reviewed, head); err != nil {
		return "", err
	} else if !ok {
		return fmt.Sprintf("This review is of commit %s, which the review branch does not hold any more: look at the pull request again and review its current head.", short), nil
	}
	why := ""
	prefixes := []string{knowledge.UnitsDir + "/", reviews.OwnersFile, glossary.Dir + "/"}
	err := r.WalkChanges(ctx, head, prefixes, func(c *object.Commit, ch []kbrepo.PathChange) (bool, error) {
		if c.Hash == reviewed {
			return false, nil
		}
		if len(ch) == 0 {
			return true, nil
		}
		if anc, err := r.IsAncestor(c.Hash, reviewed); err != nil || anc {
			return false, err
		}
		why = fmt.Sprintf("The review branch changed after the commit this review is of (%s → %s at %s): look at the pull request again and review its current head.",
			short, c.Hash.String()[:12], c.Committer.When.UTC().Format(time.RFC3339))
		return false, nil
	})
	return why, err
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
