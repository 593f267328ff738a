package kbrepo

import (
	"context"
	"errors"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

func TestCommitWritesOnlyChanges(t *testing.T) {
	ctx := context.Background()
	r, err := Init(t.TempDir(), "main")
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := Signature("T <t@example.com>", time.Now())
	h1, err := r.Commit(ctx, CommitOptions{Branch: "b", Changes: []Change{{Path: "units/a/b/c.md", Data: []byte("x")}, {Path: "OWNERS", Data: []byte("o")}}, Message: "one", Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit(ctx, CommitOptions{Branch: "b", Parents: []plumbing.Hash{h1}, Changes: []Change{{Path: "units/a/b/c.md", Data: []byte("x")}}, Message: "same", Author: sig}); !errors.Is(err, ErrNothingToCommit) {
		t.Fatalf("unchanged content committed: %v", err)
	}
	h2, err := r.Commit(ctx, CommitOptions{Branch: "b", Parents: []plumbing.Hash{h1}, Changes: []Change{{Path: "units/a/b/c.md", Data: nil}}, Message: "del", Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := r.Tree(h2)
	if len(tr) != 1 || tr["OWNERS"].Hash.IsZero() {
		t.Errorf("tree after delete: %v", tr)
	}
	// git itself can read what was written.
	c, err := r.Git.CommitObject(h2)
	if err != nil || c.NumParents() != 1 {
		t.Fatalf("commit: %v", err)
	}
}

func TestMerge3(t *testing.T) {
	e := func(s string) Entry { return Entry{Hash: BlobHash([]byte(s)), Mode: 0o100644} }
	base := Tree{"a": e("1"), "b": e("1"), "c": e("1")}
	ours := Tree{"a": e("2"), "b": e("1"), "c": e("2")}
	theirs := Tree{"a": e("1"), "b": e("3"), "c": e("3"), "d": e("new")}
	got, conflicts := Merge3(base, ours, theirs)
	if got["a"] != e("2") || got["b"] != e("3") || got["d"] != e("new") {
		t.Errorf("merged %v", got)
	}
	if len(conflicts) != 1 || conflicts[0] != "c" {
		t.Errorf("conflicts %v", conflicts)
	}
}

func TestPushToBareRemote(t *testing.T) {
	ctx := context.Background()
	remoteDir := t.TempDir()
	if _, err := git.PlainInit(remoteDir, true); err != nil {
		t.Fatal(err)
	}
	r, _ := Init(t.TempDir(), "main")
	sig, _ := Signature("T <t@example.com>", time.Now())
	h, err := r.Commit(ctx, CommitOptions{Branch: "kbops/review", Changes: []Change{{Path: "f", Data: []byte("x")}}, Message: "m", Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Push(ctx, remoteDir, "kbops/review", ""); err != nil {
		t.Fatal(err)
	}
	rem, _ := Open(remoteDir)
	got, ok, err := rem.Branch("kbops/review")
	if err != nil || !ok || got != h {
		t.Fatalf("remote branch %v %v %v, want %v", got, ok, err, h)
	}
	if err := r.Push(ctx, "nosuchremote", "kbops/review", ""); err == nil {
		t.Error("push to an unknown remote succeeded")
	}
}
