package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// syncBuffer is a log sink serve writes to while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeWebhookRecordsAndPublishesTheMerge: kbops serve receives the
// real Gitea's webhook. A delivery with a forged or missing signature is
// answered 401, logged, and records nothing; the same delivery signed with
// the secret records the comment; delivered twice it records once. Each
// reviewer's comment or review is recorded within moments of being typed,
// without any poll; the merge through the API makes serve fetch main and
// publish exactly the approved units; a later squash merge is reported in
// its pull request.
func TestServeWebhookRecordsAndPublishesTheMerge(t *testing.T) {
	wv := weaviatetest.Start(t)
	d := startHostDemo(t)
	const secretVar = "KBOPS_TEST_WEBHOOK_SECRET"
	secret := "whsec-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	t.Setenv(secretVar, secret)
	cfg, _ := os.ReadFile(d.cfgPath)
	cfg = bytes.Replace(cfg, []byte("    repo: "+d.repo.FullName()+"\n"), []byte("    repo: "+d.repo.FullName()+"\n    webhook_secret_env: "+secretVar+"\n"), 1)
	cfg = bytes.Replace(cfg, []byte("  collection: KnowledgeUnit\n"), []byte("  collection: KnowledgeUnit\n  url: http://"+wv.Host()+"\n  grpc: "+wv.GRPCHost()+"\n"), 1)
	writeFile(t, d.cfgPath, cfg)
	port := freeTCPPort(t)
	// Nothing runs at start and nothing polls during the test: whatever
	// is recorded came through the webhook.
	writeFile(t, filepath.Join(d.ws, "serve.yaml"), []byte("listen: 127.0.0.1:"+port+"\nmissed: skip\njobs:\n  ingest: {disabled: true}\n"+
		"  review-sync: {schedule: \"@every 100h\"}\n  publish: {schedule: \"@every 100h\"}\n  review-due: {disabled: true}\n  health: {disabled: true}\n"))
	must(t, d.ws, "ingest", "--push")

	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		var out bytes.Buffer
		done <- run(ctx, []string{"kbops", "-w", d.ws, "serve"}, &out, logs)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(60 * time.Second):
			t.Error("serve did not stop")
		}
		if t.Failed() {
			t.Logf("serve's log:\n%s", logs.String())
		}
	})
	base := "http://127.0.0.1:" + port
	waitFor(t, 30*time.Second, "serve's /healthz", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	hookURL := base + "/hooks/git-host"

	// Ana's command, typed while no webhook is registered, and a delivery
	// of it that is forged, then one that is unsigned.
	id := d.srv.Comment(t, d.users["ana"], d.repo, 1, "/approve technical")
	body := []byte(fmt.Sprintf(`{"action":"created","is_pull":true,"issue":{"number":1},"comment":{"id":%d,"body":"/approve technical"}}`, id))
	deliver := func(sig string) int {
		req, _ := http.NewRequest(http.MethodPost, hookURL, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Gitea-Event", "issue_comment")
		req.Header.Set("X-Gitea-Delivery", "test-"+strconv.Itoa(len(sig)))
		if sig != "" {
			req.Header.Set("X-Gitea-Signature", sig)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	wrong := hmac.New(sha256.New, []byte("not-the-secret"))
	wrong.Write(body)
	head := branchHash(t, d.ws, "kbops/review")
	if code := deliver(hex.EncodeToString(wrong.Sum(nil))); code != http.StatusUnauthorized {
		t.Fatalf("forged delivery answered %d; want 401", code)
	}
	if code := deliver(""); code != http.StatusUnauthorized {
		t.Fatalf("unsigned delivery answered %d; want 401", code)
	}
	time.Sleep(1500 * time.Millisecond)
	if branchHash(t, d.ws, "kbops/review") != head || len(d.botComments(t)) != 0 || d.syncRuns(t, base) != 0 {
		t.Fatalf("a forged delivery started a sync (runs %d, answers %q)", d.syncRuns(t, base), d.botComments(t))
	}
	if l := logs.String(); strings.Count(l, "webhook refused: bad signature") != 2 {
		t.Fatalf("refused deliveries not logged:\n%s", l)
	}

	// The same delivery, signed: recorded.
	right := hmac.New(sha256.New, []byte(secret))
	right.Write(body)
	if code := deliver(hex.EncodeToString(right.Sum(nil))); code != http.StatusAccepted {
		t.Fatalf("signed delivery answered %d; want 202", code)
	}
	waitFor(t, 60*time.Second, "ana's approval", func() bool { return d.recordedBy(t, "ana") })
	waitFor(t, 30*time.Second, "the sync run", func() bool { return d.syncRuns(t, base) == 1 })
	head = branchHash(t, d.ws, "kbops/review")
	answers := len(d.botComments(t))
	// Delivered again: a second sync, nothing recorded, nothing answered.
	if code := deliver(hex.EncodeToString(right.Sum(nil))); code != http.StatusAccepted {
		t.Fatalf("second delivery answered %d", code)
	}
	waitFor(t, 30*time.Second, "the second sync run", func() bool { return d.syncRuns(t, base) == 2 })
	if branchHash(t, d.ws, "kbops/review") != head || len(d.botComments(t)) != answers {
		t.Fatalf("a duplicate delivery recorded or answered again: %q", d.botComments(t))
	}

	// The host's own webhook from here on.
	d.srv.MustDo(t, d.bot.Token, http.MethodPost, "/repos/"+d.repo.FullName()+"/hooks", map[string]any{
		"type": "gitea", "active": true, "events": []string{"issue_comment", "pull_request", "pull_request_review"},
		"config": map[string]string{"url": hookURL, "content_type": "json", "secret": secret},
	}, nil)
	var took []time.Duration
	for _, step := range []struct{ login, review, comment string }{
		{"tom", "", "/approve expression"},
		{"li", "APPROVED", ""},
		{"lucia", "", "Revisado.\n/approve expression"},
		{"carol", "", "/approve consistency"},
	} {
		begin := time.Now()
		if step.review != "" {
			d.srv.Review(t, d.users[step.login], d.repo, 1, step.review, "", "")
		} else {
			d.srv.Comment(t, d.users[step.login], d.repo, 1, step.comment)
		}
		waitFor(t, 60*time.Second, step.login+"'s approval", func() bool { return d.recordedBy(t, step.login) })
		took = append(took, time.Since(begin))
	}
	sort.Slice(took, func(i, j int) bool { return took[i] < took[j] })
	t.Logf("webhook to record (comment or review typed → decision commit), median of %d: %s (min %s, max %s)",
		len(took), took[len(took)/2].Round(time.Millisecond), took[0].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond))
	head = branchHash(t, d.ws, "kbops/review")
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st := d.verifyStatuses(t, head)
		if len(st) > 0 && st[0].State == "success" {
			break
		}
		if time.Now().After(deadline) {
			out, _ := kb(t, d.ws, "review", "status")
			t.Fatalf("kbops/verify on %s is not success: %+v\nbranch now %s, host %s\nanswers: %q\n%s", head, st, branchHash(t, d.ws, "kbops/review"), d.hostBranch(t), d.botComments(t), out)
		}
	}

	// A fresh clone of the host's repository accepts the recorded decisions.
	ci := clone(t, d.srv.AuthURL(d.repo, d.bot), "ci")
	if out := must(t, ci, "review", "verify", "--base", "main", "--head", "origin/kbops/review"); !strings.Contains(out, "verify passed: 11 units") {
		t.Fatalf("verify on a fresh clone: %s", out)
	}

	// The merge: serve fetches main and publishes the approved units.
	d.srv.Merge(t, d.bot, d.repo, 1, "merge")
	published := filepath.Join(d.ws, ".kbops", "published.json")
	waitFor(t, 120*time.Second, "the publish after the merge", func() bool { _, err := os.Stat(published); return err == nil })
	if p := publishCounts(t, d.ws); p.Written != 0 || p.Plan.Unchanged != 11 || p.Plan.Desired != 11 {
		t.Fatalf("after serve's publish, publish finds %+v; want the 11 approved units published", p)
	}

	for _, a := range d.botComments(t) {
		if strings.Contains(a, "merged by squash") {
			t.Fatalf("a true merge was reported as a squash: %q", a)
		}
	}

	// A squash merge of the next change is reported in its pull request.
	note := firstNote(t, d.notes)
	b, _ := os.ReadFile(note)
	writeFile(t, note, append(b, []byte("\n\nOne more sentence about the VF-200.\n")...))
	must(t, d.ws, "ingest", "--push")
	d.srv.Merge(t, d.bot, d.repo, 2, "squash")
	waitFor(t, 60*time.Second, "the squash report", func() bool {
		var cs []hostComment
		d.srv.MustDo(t, d.bot.Token, http.MethodGet, "/repos/"+d.repo.FullName()+"/issues/2/comments", nil, &cs)
		return len(cs) > 0 && strings.HasPrefix(cs[len(cs)-1].Body, "Pull request #2 was merged by squash or rebase")
	})
	waitFor(t, 30*time.Second, "the squash merge in the log", func() bool {
		return strings.Contains(logs.String(), `"msg":"pull request merged without a merge commit","pull_request":2,"method":"squash-or-rebase"`)
	})
}

// recordedBy reports whether the review branch's head is a decision
// recorded from the host account login. The branch is read as the
// running serve writes it, so a read that finds no branch (a reference
// being rewritten) is "not yet", not a change.
func (d *hostDemo) recordedBy(t *testing.T, login string) bool {
	t.Helper()
	r, err := kbrepo.Open(d.ws)
	if err != nil {
		return false
	}
	h, ok, err := r.Branch("kbops/review")
	if err != nil || !ok {
		return false
	}
	c, err := r.Git.CommitObject(h)
	return err == nil && strings.Contains(c.Message, "\nKbops-Host-Account: "+login+"\n")
}

// syncRuns is how many review-sync runs serve's /metrics counts.
func (d *hostDemo) syncRuns(t *testing.T, base string) int {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n := 0
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, `kbops_job_runs_total{job="review-sync",`) {
			v, _ := strconv.Atoi(l[strings.LastIndexByte(l, ' ')+1:])
			n += v
		}
	}
	return n
}

func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %s for %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func freeTCPPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

// TestServeIngestJobSetsVerifyStatus: serve's ingest job does on the host
// what `kbops ingest --push` does: it pushes, opens the pull request and
// sets the kbops/verify status of the new head.
func TestServeIngestJobSetsVerifyStatus(t *testing.T) {
	d := startHostDemo(t)
	port := freeTCPPort(t)
	writeFile(t, filepath.Join(d.ws, "serve.yaml"), []byte("listen: 127.0.0.1:"+port+"\nmissed: run\njobs:\n"+
		"  review-sync: {disabled: true}\n  publish: {disabled: true}\n  review-due: {disabled: true}\n  health: {disabled: true}\n"))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		var out, errb bytes.Buffer
		done <- run(ctx, []string{"kbops", "-w", d.ws, "serve"}, &out, &errb)
	}()
	defer func() { cancel(); <-done }()
	waitFor(t, 120*time.Second, "the ingest job's pull request", func() bool {
		var ps []struct{ Number int }
		return d.srv.Do(ctx, d.bot.Token, http.MethodGet, "/repos/"+d.repo.FullName()+"/pulls?state=open", nil, &ps) == nil && len(ps) == 1
	})
	head := d.hostBranch(t)
	waitFor(t, 60*time.Second, "the kbops/verify status of "+head, func() bool { return len(d.verifyStatuses(t, head)) > 0 })
	if st := d.verifyStatuses(t, head); len(st) != 1 || st[0].State != "failure" || st[0].Description != "11 units wait: technical 11" {
		t.Fatalf("statuses after serve's ingest: %+v", st)
	}
}
