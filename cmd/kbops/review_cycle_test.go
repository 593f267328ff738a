package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// cycleWorkspace makes the demo workspace with git.remote set to a local
// bare repository that stands for the company's git host, and publishes
// main there.
func cycleWorkspace(t *testing.T) (ws, remote string) {
	t.Helper()
	dir := t.TempDir()
	ws, remote = filepath.Join(dir, "kb"), filepath.Join(dir, "host.git")
	copyDir(t, "../../examples/demo/workspace", ws)
	copyDir(t, "../../examples/demo/notes", filepath.Join(dir, "notes"))
	if _, err := git.PlainInit(remote, true); err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(ws, "kbops.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	cfg = bytes.Replace(cfg, []byte("git:\n"), []byte("git:\n  remote: "+remote+"\n"), 1)
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"kbops", "init", ws}, &out, &out); code != 0 {
		t.Fatalf("init: %s", out.String())
	}
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Push(context.Background(), remote, "main", ""); err != nil {
		t.Fatal(err)
	}
	return ws, remote
}

// clone is a reviewer's checkout of the host's repository. The notes
// folder the demo config points at is beside it, as on the ingest machine.
func clone(t *testing.T, remote, name string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), name)
	if _, err := git.PlainClone(dir, false, &git.CloneOptions{URL: remote, ReferenceName: plumbing.NewBranchReferenceName("main")}); err != nil {
		t.Fatalf("clone for %s: %v", name, err)
	}
	return dir
}

func TestReviewCycleThroughARemote(t *testing.T) {
	ctx := context.Background()
	ws, remote := cycleWorkspace(t)

	// Ingestion commits to the review branch and pushes it to the host.
	out := must(t, ws, "ingest", "--push")
	if !strings.Contains(out, "11 added") || !strings.Contains(out, "pushed kbops/review") {
		t.Fatalf("ingest: %s", out)
	}
	// CI on the pull request: verify fails until all three stages pass.
	ci := clone(t, remote, "ci")
	must(t, ci, "review", "status") // a fresh clone sees the review branch
	if out, code := kb(t, ci, "review", "verify", "--base", "main", "--head", "origin/kbops/review"); code != exitAttention || !strings.Contains(out, "technical review missing") {
		t.Fatalf("verify before review: exit %d\n%s", code, out)
	}

	// Three reviewers, each in their own clone, approve in order and push.
	for _, step := range []struct{ stage, who string }{
		{"technical", "Ana Ruiz <ana.ruiz@example.com>"},
		{"expression", "Tom Baker <tom.baker@example.com>"},
		{"expression", "Li Wei <li.wei@example.com>"},
		{"expression", "Lucía Gómez <lucia.gomez@example.com>"},
		{"consistency", "Carol Chen <carol.chen@example.com>"},
	} {
		dir := clone(t, remote, reviews.Identity(step.who))
		out := must(t, dir, "review", "approve", "--stage", step.stage, "--as", step.who, "--all-mine", "--push")
		if !strings.Contains(out, "pushed kbops/review") {
			t.Fatalf("%s: %s", step.who, out)
		}
	}

	// The same CI check, on a fresh clone, now passes.
	ci = clone(t, remote, "ci2")
	out = must(t, ci, "review", "verify", "--base", "main", "--head", "origin/kbops/review")
	if !strings.Contains(out, "verify passed: 11 units") {
		t.Fatalf("verify: %s", out)
	}

	// The ingest machine merges (no git host) and pushes main.
	must(t, ws, "review", "merge", "--push", "--as", "Ops <ops@example.com>")

	// On main, as anyone cloning the host sees it, the approved set is
	// exactly the reviewed units.
	final := clone(t, remote, "final")
	r, err := kbrepo.Open(final)
	if err != nil {
		t.Fatal(err)
	}
	snap, ok, err := reviews.LoadBranch(ctx, r, "main")
	if err != nil || !ok {
		t.Fatal(err)
	}
	approved, unapproved := snap.ApprovedUnits()
	if len(unapproved) != 0 {
		t.Errorf("unapproved on main: %+v", unapproved)
	}
	var got []string
	for _, u := range approved {
		got = append(got, u.ID)
	}
	if len(got) != 11 || !slices.Contains(got, "expert-notes/zh/installation/接地") {
		t.Errorf("approved on main: %v", got)
	}
	// Each approval was committed by its reviewer.
	authors := map[string]bool{}
	h, _, _ := r.Branch("main")
	iter, _ := r.Git.Log(&git.LogOptions{From: h})
	iter.ForEach(func(c *object.Commit) error { authors[c.Author.Email] = true; return nil })
	for _, who := range []string{"ana.ruiz@example.com", "tom.baker@example.com", "li.wei@example.com", "lucia.gomez@example.com", "carol.chen@example.com"} {
		if !authors[who] {
			t.Errorf("no commit by %s on main", who)
		}
	}
}
