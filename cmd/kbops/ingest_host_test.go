package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/reviews/githost/giteatest"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// hostPull is the part of Gitea's pull request the test reads.
type hostPull struct {
	Number  int       `json:"number"`
	Title   string    `json:"title"`
	Body    string    `json:"body"`
	Updated time.Time `json:"updated_at"`
	Head    struct {
		Ref string `json:"ref"`
		SHA string `json:"sha"`
	} `json:"head"`
}

// TestIngestPushOpensPullRequest: against a real Gitea, `kbops ingest
// --push` pushes the review branch and opens its pull request with the
// review report; a second ingest with no change edits nothing on the host;
// a changed note updates the same pull request.
func TestIngestPushOpensPullRequest(t *testing.T) {
	srv := giteatest.Start(t)
	bot := srv.CreateUser(t, "kbops-bot", "")
	repo := srv.CreateEmptyRepo(t, bot, "knowledge")
	t.Setenv(config.EnvGitToken, bot.Token)

	dir := t.TempDir()
	ws, notes := filepath.Join(dir, "kb"), filepath.Join(dir, "notes")
	copyDir(t, "../../examples/demo/workspace", ws)
	copyDir(t, "../../examples/demo/notes", notes)
	cfgPath := filepath.Join(ws, "kbops.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	cfg = bytes.Replace(cfg, []byte("git:\n"), []byte("git:\n  remote: "+repo.CloneURL+"\n  host:\n    kind: gitea\n    url: "+srv.URL+"\n    repo: "+repo.FullName()+"\n"), 1)
	writeFile(t, cfgPath, cfg)
	var out bytes.Buffer
	if code := run(context.Background(), []string{"kbops", "init", ws}, &out, &out); code != 0 {
		t.Fatalf("init: %s", out.String())
	}
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Push(context.Background(), repo.CloneURL, "main", bot.Token); err != nil {
		t.Fatal(err)
	}

	pulls := func() []hostPull {
		var ps []hostPull
		srv.MustDo(t, bot.Token, http.MethodGet, "/repos/"+repo.FullName()+"/pulls?state=all", nil, &ps)
		return ps
	}
	begin := time.Now()
	res := must(t, ws, "ingest", "--push")
	took := time.Since(begin)
	if !strings.Contains(res, "pushed kbops/review") || !strings.Contains(res, "pull request #1 opened: "+srv.URL) {
		t.Fatalf("ingest --push: %s", res)
	}
	t.Logf("ingest --push to an open pull request: %s", took.Round(time.Millisecond))
	ps := pulls()
	if len(ps) != 1 {
		t.Fatalf("host has %d pull requests; want 1", len(ps))
	}
	pr := ps[0]
	if pr.Head.Ref != "kbops/review" || pr.Head.SHA != branchHash(t, ws, "kbops/review") {
		t.Fatalf("pull request head %s at %s; want kbops/review at the local branch", pr.Head.Ref, pr.Head.SHA)
	}
	today := time.Now().UTC().Format("2006-01-02")
	if !strings.HasPrefix(pr.Title, "Knowledge review "+today+": 11 changed, 11 pending") {
		t.Errorf("title %q; want the date and counts", pr.Title)
	}
	for _, want := range []string{"## Waiting, by owner", "### ana.ruiz@example.com (11)", "| technical | ana.ruiz@example.com", "`units/", "kbops review approve"} {
		if !strings.Contains(pr.Body, want) {
			t.Errorf("body lacks %q:\n%s", want, pr.Body)
		}
	}

	// The findings that name a line are on that line of the unit file.
	lines := func() []string {
		var rs []struct {
			ID int64 `json:"id"`
		}
		srv.MustDo(t, bot.Token, http.MethodGet, "/repos/"+repo.FullName()+"/pulls/1/reviews", nil, &rs)
		var out []string
		for _, r := range rs {
			var cs []struct {
				Path string `json:"path"`
				Line int    `json:"position"`
				Body string `json:"body"`
			}
			srv.MustDo(t, bot.Token, http.MethodGet, "/repos/"+repo.FullName()+"/pulls/1/reviews/"+strconv.FormatInt(r.ID, 10)+"/comments", nil, &cs)
			for _, c := range cs {
				out = append(out, fmt.Sprintf("%s:%d %s", c.Path, c.Line, c.Body))
			}
		}
		sort.Strings(out)
		return out
	}
	first := lines()
	if len(first) == 0 || !strings.Contains(res, plural(len(first), "finding", "findings")+" put on unit-file lines") ||
		!strings.HasPrefix(first[0], "units/expert-notes/") || !strings.Contains(first[0], "advice `missing-translation` (consistency stage): concept ") {
		t.Fatalf("line comments after the first ingest: %q\n%s", first, res)
	}

	// Nothing changed: the host is not written to.
	time.Sleep(1100 * time.Millisecond) // updated_at has whole seconds
	res = must(t, ws, "ingest", "--push")
	if !strings.Contains(res, "no changes") || !strings.Contains(res, "pull request #1 unchanged") || strings.Contains(res, "unit-file lines") {
		t.Fatalf("second ingest: %s", res)
	}
	if again := lines(); !slices.Equal(again, first) {
		t.Fatalf("a no-op ingest changed the line comments: %q, was %q", again, first)
	}
	if ps := pulls(); len(ps) != 1 || !ps[0].Updated.Equal(pr.Updated) || ps[0].Body != pr.Body {
		t.Fatalf("a no-op ingest changed the host: %+v, was %+v", ps, pr)
	}

	// A changed note: the same pull request is updated.
	notePath := firstNote(t, notes)
	b, _ := os.ReadFile(notePath)
	writeFile(t, notePath, append(b, []byte("\n\nA further sentence about the VF-200 that was not there before.\n")...))
	res = must(t, ws, "ingest", "--push", "--json")
	var js struct {
		Commit      string `json:"commit"`
		PullRequest *struct {
			Number int           `json:"number"`
			Change string        `json:"change"`
			Took   time.Duration `json:"took_ns"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal([]byte(res), &js); err != nil || js.Commit == "" || js.PullRequest == nil || js.PullRequest.Number != 1 || js.PullRequest.Change != "updated" {
		t.Fatalf("ingest --json after a change: %v\n%s", err, res)
	}
	t.Logf("updating the pull request on the host: %s", js.PullRequest.Took.Round(time.Millisecond))
	ps = pulls()
	if len(ps) != 1 || ps[0].Head.SHA != branchHash(t, ws, "kbops/review") || ps[0].Body == pr.Body {
		t.Fatalf("after a change: %+v; want the one pull request at the new head with a new body", ps)
	}

	// The workspace token goes only to git.remote's host: an API on
	// another host name needs its own variable.
	other := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	cfg, _ = os.ReadFile(cfgPath)
	writeFile(t, cfgPath, bytes.Replace(cfg, []byte("    url: "+srv.URL+"\n"), []byte("    url: "+other+"\n"), 1))
	if res, code := kb(t, ws, "ingest", "--push"); code == 0 || !strings.Contains(res, "not on git.remote's host") {
		t.Fatalf("API on another host with %s: exit %d\n%s", config.EnvGitToken, code, res)
	}
	cfg, _ = os.ReadFile(cfgPath)
	writeFile(t, cfgPath, bytes.Replace(cfg, []byte("    url: "+other+"\n"), []byte("    url: "+other+"\n    token_env: KBOPS_TEST_HOST_TOKEN\n"), 1))
	t.Setenv("KBOPS_TEST_HOST_TOKEN", bot.Token)
	if res := must(t, ws, "ingest", "--push"); !strings.Contains(res, "pull request #1 unchanged") {
		t.Fatalf("with token_env: %s", res)
	}
}

func firstNote(t *testing.T, notes string) string {
	t.Helper()
	var found string
	_ = filepath.WalkDir(notes, func(p string, d os.DirEntry, err error) error {
		if err == nil && found == "" && !d.IsDir() && strings.HasSuffix(p, ".md") {
			found = p
		}
		return nil
	})
	if found == "" {
		t.Fatal("no note in the demo")
	}
	return found
}
