package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/reviews/githost/giteatest"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// hostDemo is the demo workspace with its repository on a real Gitea:
// the kbops account pushes, and the five demo reviewers have accounts
// that OWNERS maps to their addresses; mallory has one it does not map.
type hostDemo struct {
	srv                *giteatest.Server
	repo               giteatest.Repo
	bot                giteatest.User
	users              map[string]giteatest.User
	ws, notes, cfgPath string
}

func startHostDemo(t *testing.T) *hostDemo {
	t.Helper()
	srv := giteatest.Start(t)
	d := &hostDemo{srv: srv, bot: srv.CreateUser(t, "kbops-bot", ""), users: map[string]giteatest.User{}}
	d.repo = srv.CreateEmptyRepo(t, d.bot, "knowledge")
	var accounts strings.Builder
	accounts.WriteString("accounts:\n")
	for _, p := range []struct{ login, email string }{
		{"ana", "ana.ruiz@example.com"}, {"tom", "tom.baker@example.com"}, {"li", "li.wei@example.com"},
		{"lucia", "lucia.gomez@example.com"}, {"carol", "carol.chen@example.com"}, {"mallory", "mallory@example.com"},
	} {
		u := srv.CreateUser(t, p.login, p.email)
		srv.AddCollaborator(t, d.repo, u, "write")
		d.users[p.login] = u
		if p.login != "mallory" {
			accounts.WriteString("  " + p.email + ": " + p.login + "\n")
		}
	}
	t.Setenv(config.EnvGitToken, d.bot.Token)

	dir := t.TempDir()
	d.ws, d.notes = filepath.Join(dir, "kb"), filepath.Join(dir, "notes")
	copyDir(t, "../../examples/demo/workspace", d.ws)
	copyDir(t, "../../examples/demo/notes", d.notes)
	owners, _ := os.ReadFile(filepath.Join(d.ws, "OWNERS"))
	writeFile(t, filepath.Join(d.ws, "OWNERS"), append(owners, accounts.String()...))
	d.cfgPath = filepath.Join(d.ws, "kbops.yaml")
	cfg, _ := os.ReadFile(d.cfgPath)
	cfg = bytes.Replace(cfg, []byte("git:\n"), []byte("git:\n  remote: "+d.repo.CloneURL+"\n  host:\n    kind: gitea\n    url: "+srv.URL+"\n    repo: "+d.repo.FullName()+"\n"), 1)
	writeFile(t, d.cfgPath, cfg)
	var out bytes.Buffer
	if code := run(context.Background(), []string{"kbops", "init", d.ws}, &out, &out); code != 0 {
		t.Fatalf("init: %s", out.String())
	}
	r, err := kbrepo.Open(d.ws)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Push(context.Background(), d.repo.CloneURL, "main", d.bot.Token); err != nil {
		t.Fatal(err)
	}
	return d
}

// verifyStatuses are the kbops/verify statuses Gitea keeps on sha, newest
// first.
func (d *hostDemo) verifyStatuses(t *testing.T, sha string) []giteatest.Status {
	t.Helper()
	var out []giteatest.Status
	for _, s := range d.srv.Statuses(t, d.bot, d.repo, sha) {
		if s.Context == "kbops/verify" {
			out = append(out, s)
		}
	}
	return out
}

type hostComment struct {
	ID   int64  `json:"id"`
	Body string `json:"body"`
	User struct {
		Login string `json:"login"`
	} `json:"user"`
}

func (d *hostDemo) comments(t *testing.T) []hostComment {
	t.Helper()
	var cs []hostComment
	d.srv.MustDo(t, d.bot.Token, http.MethodGet, "/repos/"+d.repo.FullName()+"/issues/1/comments", nil, &cs)
	return cs
}

// lastAnswer is the newest comment kbops wrote.
func (d *hostDemo) lastAnswer(t *testing.T) string {
	t.Helper()
	cs := d.comments(t)
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].User.Login == d.bot.Login {
			return cs[i].Body
		}
	}
	t.Fatal("kbops answered nothing in the pull request")
	return ""
}

// TestReviewSyncVerifyStatus: `ingest --push` sets kbops/verify to failure
// with what waits on the pull request's head; it turns to success only
// after the last stage, here recorded with `kbops review approve --push`
// and read by `kbops review sync`; setting the same verdict again (a
// second sync, a no-op ingest) posts no new status, although Gitea keeps
// every status posted. With main protected as docs/review-model.md says,
// Gitea refuses the merge while the status fails and merges once it passes.
func TestReviewSyncVerifyStatus(t *testing.T) {
	d := startHostDemo(t)
	res := must(t, d.ws, "ingest", "--push")
	head := branchHash(t, d.ws, "kbops/review")
	if !strings.Contains(res, "status kbops/verify on "+head[:12]+" set: failure: 11 units wait: technical 11") {
		t.Fatalf("ingest --push: %s", res)
	}
	if st := d.verifyStatuses(t, head); len(st) != 1 || st[0].State != "failure" || st[0].Description != "11 units wait: technical 11" {
		t.Fatalf("statuses after ingest: %+v", st)
	}
	res = must(t, d.ws, "review", "sync")
	if !strings.Contains(res, "status kbops/verify on "+head[:12]+" unchanged: failure") || !strings.Contains(res, "pull request #1: 0 commands") {
		t.Fatalf("sync with nothing new: %s", res)
	}
	must(t, d.ws, "ingest", "--push")
	if st := d.verifyStatuses(t, head); len(st) != 1 {
		t.Fatalf("the same verdict set again made %d statuses; want 1: %+v", len(st), st)
	}

	// Branch protection as docs/review-model.md gives it: the host refuses
	// the merge while kbops/verify fails.
	d.srv.MustDo(t, d.bot.Token, http.MethodPost, "/repos/"+d.repo.FullName()+"/branch_protections",
		map[string]any{"branch_name": "main", "enable_status_check": true, "status_check_contexts": []string{"kbops/verify"}}, nil)
	mergePath := "/repos/" + d.repo.FullName() + "/pulls/1/merge"
	var mergeErr error
	for i := 0; i < 50; i++ { // Gitea answers 405 while it checks mergeability, too
		mergeErr = d.srv.Do(context.Background(), d.bot.Token, http.MethodPost, mergePath, map[string]any{"Do": "merge"}, nil)
		if mergeErr == nil || strings.Contains(mergeErr.Error(), "required status checks") {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if mergeErr == nil || !strings.Contains(mergeErr.Error(), "Not all required status checks successful") {
		t.Fatalf("merge while kbops/verify fails: %v; want refused for the required check", mergeErr)
	}

	for _, step := range []struct{ stage, who string }{
		{"technical", "Ana Ruiz <ana.ruiz@example.com>"},
		{"expression", "Tom Baker <tom.baker@example.com>"},
		{"expression", "Li Wei <li.wei@example.com>"},
		{"expression", "Lucía Gómez <lucia.gomez@example.com>"},
	} {
		must(t, d.ws, "review", "approve", "--stage", step.stage, "--as", step.who, "--all-mine", "--push")
	}
	res = must(t, d.ws, "review", "sync")
	head = branchHash(t, d.ws, "kbops/review")
	if !strings.Contains(res, "set: failure: 11 units wait: consistency 11") {
		t.Fatalf("sync before consistency: %s", res)
	}
	// Recorded here without --push: sync pushes it before the status, so
	// that the host has the commit it marks.
	must(t, d.ws, "review", "approve", "--stage", "consistency", "--as", "Carol Chen <carol.chen@example.com>", "--all-mine")
	res = must(t, d.ws, "review", "sync")
	head = branchHash(t, d.ws, "kbops/review")
	if !strings.Contains(res, "pushed kbops/review") || !strings.Contains(res, "status kbops/verify on "+head[:12]+" set: success: verify passes: 11 changed units approved") {
		t.Fatalf("sync after all stages: %s", res)
	}
	must(t, d.ws, "review", "sync")
	if st := d.verifyStatuses(t, head); len(st) != 1 || st[0].State != "success" {
		t.Fatalf("statuses on the approved head: %+v; want one success", st)
	}
	d.srv.Merge(t, d.bot, d.repo, 1, "merge")
}

// TestReviewSyncRecordsCommentApprovals: reviewers approve by typing
// `/approve STAGE` in the pull request. `kbops review sync` records a
// mapped reviewer's command as their approval (commit authored by them,
// trailers naming host, pull request and comment), answers every command
// — with the reason when it refuses an account OWNERS does not map, a
// stage out of order, or a comment older than a change of the branch —
// and a second sync records and answers nothing.
func TestReviewSyncRecordsCommentApprovals(t *testing.T) {
	d := startHostDemo(t)
	must(t, d.ws, "ingest", "--push")
	comment := func(login, body string) int64 { return d.srv.Comment(t, d.users[login], d.repo, 1, body) }

	// Commands nobody may act on: answered, nothing recorded.
	head := branchHash(t, d.ws, "kbops/review")
	comment("mallory", "/approve technical")
	comment("tom", "Looks fine to me.\n/approve expression")
	comment("ana", "Reading it now, no command here.")
	res := must(t, d.ws, "review", "sync")
	if branchHash(t, d.ws, "kbops/review") != head || strings.Contains(res, "pushed") {
		t.Fatalf("refused commands moved the branch: %s", res)
	}
	cs := d.comments(t)
	var answers []string
	for _, c := range cs {
		if c.User.Login == d.bot.Login {
			answers = append(answers, c.Body)
		}
	}
	if len(answers) != 2 ||
		!strings.HasPrefix(answers[0], "@mallory `/approve technical`: not recorded. The account mallory is not a reviewer's: OWNERS `accounts:` maps no e-mail address to it.") ||
		!strings.HasPrefix(answers[1], "@tom `/approve expression`: not recorded. Nothing waits for expression approval by tom.baker@example.com") {
		t.Fatalf("answers: %q\nsync: %s", answers, res)
	}

	// A command typed before the branch changed is refused.
	comment("ana", "/approve technical")
	time.Sleep(1100 * time.Millisecond) // comment and commit times have whole seconds
	note := firstNote(t, d.notes)
	b, _ := os.ReadFile(note)
	writeFile(t, note, append(b, []byte("\n\nA further sentence about the VF-200 that was not there before.\n")...))
	must(t, d.ws, "ingest", "--push")
	head = branchHash(t, d.ws, "kbops/review")
	res = must(t, d.ws, "review", "sync")
	if branchHash(t, d.ws, "kbops/review") != head {
		t.Fatalf("an outdated command was recorded: %s", res)
	}
	if a := d.lastAnswer(t); !strings.HasPrefix(a, "@ana `/approve technical`: not recorded. The review branch changed after this comment (commit "+head[:12]) {
		t.Fatalf("answer to the outdated command: %q", a)
	}

	// Ana's command on the current head is recorded as hers.
	id := comment("ana", "Checked against the VF-200 manual.\n\n/approve technical")
	begin := time.Now()
	res = must(t, d.ws, "review", "sync")
	t.Logf("review sync recording one command for 11 units, pushing, answering, setting the status: %s", time.Since(begin).Round(time.Millisecond))
	if !strings.Contains(res, "by ana: /approve technical: 11 units recorded as ana.ruiz@example.com") || !strings.Contains(res, "pushed kbops/review") ||
		!strings.Contains(res, "set: failure: 11 units wait: expression 11") {
		t.Fatalf("sync of ana's approval: %s", res)
	}
	r, err := kbrepo.Open(d.ws)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Git.CommitObject(plumbing.NewHash(branchHash(t, d.ws, "kbops/review")))
	if err != nil {
		t.Fatal(err)
	}
	commentURL := d.srv.URL + "/" + d.repo.FullName() + "/pulls/1#issuecomment-" + strconv.FormatInt(id, 10)
	for _, want := range []string{"Kbops-Reviewer: ana.ruiz@example.com\n", "Kbops-Host: gitea " + d.srv.URL + "/" + d.repo.FullName() + "\n",
		"Kbops-Pull-Request: 1\n", "Kbops-Host-Comment: comment-" + strconv.FormatInt(id, 10) + " " + commentURL + "\n", "Kbops-Host-Account: ana\n"} {
		if !strings.Contains(c.Message, want) {
			t.Errorf("decision commit lacks %q:\n%s", want, c.Message)
		}
	}
	if c.Author.Email != "ana.ruiz@example.com" {
		t.Errorf("decision commit authored by %s; want ana.ruiz@example.com", c.Author.Email)
	}
	if a := d.lastAnswer(t); !strings.HasPrefix(a, "@ana `/approve technical`: recorded technical approval by ana.ruiz@example.com for 11 unit(s) on `kbops/review`:") {
		t.Fatalf("answer to ana: %q", a)
	}
	if pushed := branchHash(t, d.ws, "kbops/review"); d.hostBranch(t) != pushed {
		t.Fatalf("the host's kbops/review is at %s; want the decision %s", d.hostBranch(t), pushed)
	}

	// Nothing new: nothing recorded, nothing answered.
	n := len(d.comments(t))
	head = branchHash(t, d.ws, "kbops/review")
	res = must(t, d.ws, "review", "sync")
	if branchHash(t, d.ws, "kbops/review") != head || len(d.comments(t)) != n || !strings.Contains(res, "0 commands") {
		t.Fatalf("second sync did something: %s", res)
	}
	// The same comment once more (a second reviewer's copy-paste, or an
	// account acting twice) is answered, not recorded twice.
	comment("ana", "/approve technical")
	res = must(t, d.ws, "review", "sync")
	if branchHash(t, d.ws, "kbops/review") != head {
		t.Fatalf("a repeated approval made a commit: %s", res)
	}
	if a := d.lastAnswer(t); !strings.Contains(a, "not recorded. Nothing waits for technical approval by ana.ruiz@example.com") {
		t.Fatalf("answer to a repeated command: %q", a)
	}
}

// hostBranch is where the host's kbops/review points.
func (d *hostDemo) hostBranch(t *testing.T) string {
	t.Helper()
	var b struct {
		Commit struct {
			ID string `json:"id"`
		} `json:"commit"`
	}
	d.srv.MustDo(t, d.bot.Token, http.MethodGet, "/repos/"+d.repo.FullName()+"/branches/kbops%2Freview", nil, &b)
	return b.Commit.ID
}
