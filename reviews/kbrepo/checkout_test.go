package kbrepo

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// checkedOutRepo is a repository with main checked out by the git CLI, as
// a person's workspace is: tracked units, a .gitignore'd .kbops/ folder
// with state in it, and an untracked file of the person's own.
func checkedOutRepo(t *testing.T) (*Repo, string, plumbing.Hash) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	dir := t.TempDir()
	gitRun(t, dir, "init", "-q", "-b", "main")
	write(t, dir, ".gitignore", ".kbops/\n")
	write(t, dir, "units/a.md", "a1\n")
	write(t, dir, "units/b.md", "b1\n")
	write(t, dir, "units/gone/c.md", "c1\n")
	gitRun(t, dir, "add", "-A")
	gitRun(t, dir, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "one")
	write(t, dir, ".kbops/ingest.json", "{}\n")
	write(t, dir, "mynotes.txt", "mine\n")
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	h, _, err := r.Branch("main")
	if err != nil {
		t.Fatal(err)
	}
	return r, dir, h
}

func gitRun(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func write(t *testing.T, dir, p, s string) {
	t.Helper()
	full := filepath.Join(dir, p)
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, dir, p string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, p))
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

var testSig = func() CommitOptions {
	sig, _ := Signature("T <t@example.com>", time.Unix(1_700_000_000, 0))
	return CommitOptions{Author: sig, Message: "change\n"}
}

func TestCommitToCheckedOutBranchKeepsUntrackedAndIgnoredFiles(t *testing.T) {
	r, dir, h := checkedOutRepo(t)
	o := testSig()
	o.Branch, o.Parents = "main", []plumbing.Hash{h}
	o.Changes = []Change{{Path: "units/a.md", Data: []byte("a2\n")}, {Path: "units/gone/c.md"}, {Path: "units/new/d.md", Data: []byte("d1\n")}}
	if _, err := r.Commit(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		".kbops/ingest.json": "{}\n", "mynotes.txt": "mine\n", // never removed
		"units/a.md": "a2\n", "units/b.md": "b1\n", "units/new/d.md": "d1\n",
	} {
		if got := read(t, dir, p); got != want {
			t.Errorf("%s = %q, want %q", p, got, want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "units/gone")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the folder of the deleted unit is still there: %v", err)
	}
	// git sees exactly the person's own untracked file: the index is current.
	if st := gitRun(t, dir, "status", "--porcelain"); st != "?? mynotes.txt\n" {
		t.Errorf("git status after the commit:\n%s", st)
	}
}

func TestBranchMoveRefusesLocalChangesInTheWay(t *testing.T) {
	r, dir, h := checkedOutRepo(t)
	write(t, dir, "units/a.md", "edited by hand\n")
	write(t, dir, "units/b.md", "also edited\n")
	o := testSig()
	o.Branch, o.Parents = "main", []plumbing.Hash{h}
	o.Changes = []Change{{Path: "units/a.md", Data: []byte("a2\n")}}
	_, err := r.Commit(context.Background(), o)
	var dirty *DirtyError
	if !errors.As(err, &dirty) || len(dirty.Paths) != 1 || dirty.Paths[0] != "units/a.md" || !strings.Contains(err.Error(), "units/a.md") {
		t.Fatalf("commit over a locally edited file: %v", err)
	}
	if cur, _, _ := r.Branch("main"); cur != h {
		t.Error("the branch moved although the move was refused")
	}
	if got := read(t, dir, "units/a.md"); got != "edited by hand\n" {
		t.Errorf("local edit lost: %q", got)
	}
	// A local edit that is not in the way is carried over, as git does.
	o.Changes = []Change{{Path: "units/new.md", Data: []byte("n\n")}}
	if _, err := r.Commit(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if got := read(t, dir, "units/b.md"); got != "also edited\n" {
		t.Errorf("unrelated local edit lost: %q", got)
	}
	if st := gitRun(t, dir, "status", "--porcelain"); !strings.Contains(st, " M units/a.md") || !strings.Contains(st, " M units/b.md") || strings.Contains(st, "new.md") {
		t.Errorf("git status:\n%s", st)
	}
}

func TestBranchMoveRefusesUntrackedFileWhereATrackedOneGoes(t *testing.T) {
	r, dir, h := checkedOutRepo(t)
	write(t, dir, "units/d.md", "my own draft\n")
	o := testSig()
	o.Branch, o.Parents = "main", []plumbing.Hash{h}
	o.Changes = []Change{{Path: "units/d.md", Data: []byte("from the source\n")}}
	var dirty *DirtyError
	if _, err := r.Commit(context.Background(), o); !errors.As(err, &dirty) {
		t.Fatalf("commit over an untracked file: %v", err)
	}
	if got := read(t, dir, "units/d.md"); got != "my own draft\n" {
		t.Errorf("untracked file overwritten: %q", got)
	}
	// The same content is not in the way: it is simply tracked from now on.
	o.Changes = []Change{{Path: "units/d.md", Data: []byte("my own draft\n")}}
	if _, err := r.Commit(context.Background(), o); err != nil {
		t.Fatalf("commit of the content already on disk: %v", err)
	}
	if st := gitRun(t, dir, "status", "--porcelain"); st != "?? mynotes.txt\n" {
		t.Errorf("git status:\n%s", st)
	}
}

func TestCommitOnAStaleParentIsRefused(t *testing.T) {
	r, _, h := checkedOutRepo(t)
	o := testSig()
	o.Branch, o.Parents = "main", []plumbing.Hash{h}
	o.Changes = []Change{{Path: "units/x.md", Data: []byte("x\n")}}
	if _, err := r.Commit(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	o.Changes = []Change{{Path: "units/y.md", Data: []byte("y\n")}}
	if _, err := r.Commit(context.Background(), o); !errors.Is(err, ErrBranchMoved) {
		t.Fatalf("a commit made on the old tip replaced the new one: %v", err)
	}
	// Creating a branch that someone else created meanwhile is refused too.
	if err := r.MoveBranch("main", plumbing.ZeroHash, h); !errors.Is(err, ErrBranchMoved) {
		t.Fatalf("create over an existing branch: %v", err)
	}
}

// Writers in parallel, each with its own handle as separate processes
// have, each retrying on ErrBranchMoved: no commit is lost.
func TestConcurrentWritersLoseNoCommit(t *testing.T) {
	_, dir, _ := checkedOutRepo(t)
	const writers, each = 4, 10
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r, err := Open(dir)
			if err != nil {
				errs <- err
				return
			}
			for i := 0; i < each; i++ {
				for {
					tip, _, err := r.Branch("main")
					if err != nil {
						errs <- err
						return
					}
					o := testSig()
					o.Branch, o.Parents = "main", []plumbing.Hash{tip}
					o.Changes = []Change{{Path: fmt.Sprintf("units/w%d/%d.md", w, i), Data: []byte("x\n")}}
					_, err = r.Commit(context.Background(), o)
					if errors.Is(err, ErrBranchMoved) {
						continue
					}
					if err != nil {
						errs <- err
						return
					}
					break
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r, _ := Open(dir)
	tip, _, _ := r.Branch("main")
	tr, err := r.Tree(tip)
	if err != nil {
		t.Fatal(err)
	}
	for w := 0; w < writers; w++ {
		for i := 0; i < each; i++ {
			if _, ok := tr[fmt.Sprintf("units/w%d/%d.md", w, i)]; !ok {
				t.Errorf("commit of writer %d, file %d lost", w, i)
			}
		}
	}
	if st := gitRun(t, dir, "status", "--porcelain"); st != "?? mynotes.txt\n" {
		t.Errorf("git status after concurrent writers:\n%s", st)
	}
}

func TestCheckoutMovesHeadAndKeepsLocalFiles(t *testing.T) {
	r, dir, h := checkedOutRepo(t)
	o := testSig()
	o.Branch, o.Parents = "review", []plumbing.Hash{h}
	o.Changes = []Change{{Path: "units/a.md", Data: []byte("a-review\n")}}
	if _, err := r.Commit(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	if err := r.Checkout("review"); err != nil {
		t.Fatal(err)
	}
	if r.HeadBranch() != "review" || read(t, dir, "units/a.md") != "a-review\n" || read(t, dir, "mynotes.txt") != "mine\n" || read(t, dir, ".kbops/ingest.json") != "{}\n" {
		t.Errorf("after checkout: head %s, a.md %q", r.HeadBranch(), read(t, dir, "units/a.md"))
	}
	if st := gitRun(t, dir, "status", "--porcelain"); st != "?? mynotes.txt\n" {
		t.Errorf("git status after checkout:\n%s", st)
	}
}
