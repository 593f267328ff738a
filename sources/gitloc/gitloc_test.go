package gitloc

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

// fixture is a bare repository on disk (the remote, reached by a file://
// URL) and a working clone that commits and pushes to it.
type fixture struct {
	remote, work, cache string
	repo                *git.Repository
	opts                string
	n                   int
}

func newFixture(t *testing.T) *fixture {
	dir := t.TempDir()
	f := &fixture{remote: filepath.Join(dir, "remote.git"), work: filepath.Join(dir, "work"), cache: filepath.Join(dir, "cache")}
	if _, err := git.PlainInit(f.remote, true); err != nil {
		t.Fatal(err)
	}
	r, err := git.PlainInit(f.work, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.CreateRemote((&configRemote{f.remote}).config()); err != nil {
		t.Fatal(err)
	}
	f.repo = r
	return f
}

func (f *fixture) commit(t *testing.T, msg string) {
	t.Helper()
	wt, err := f.repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	f.n++
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: time.Unix(1700000000+int64(f.n), 0)}
	if _, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig, AllowEmptyCommits: true, All: true}); err != nil {
		t.Fatal(err)
	}
	if err := f.repo.Push(&git.PushOptions{RemoteName: "origin"}); err != nil && err != git.NoErrAlreadyUpToDate {
		t.Fatal(err)
	}
}

func (f *fixture) Put(t *testing.T, key string, data []byte) {
	p := filepath.Join(f.work, filepath.FromSlash(key))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	f.commit(t, "put "+key)
}

func (f *fixture) Remove(t *testing.T, key string) {
	wt, _ := f.repo.Worktree()
	if _, err := wt.Remove(key); err != nil {
		t.Fatal(err)
	}
	f.commit(t, "remove "+key)
}

// Break replaces the document by a symbolic link, which the location
// reports instead of reading.
func (f *fixture) Break(t *testing.T, key string) bool {
	p := filepath.Join(f.work, filepath.FromSlash(key))
	os.Remove(p)
	if err := os.Symlink("/etc/passwd", p); err != nil {
		t.Fatal(err)
	}
	f.commit(t, "break "+key)
	return true
}

func (f *fixture) Location(t *testing.T) sources.Location {
	spec := sources.Spec{Name: "g", Kind: "manuals", Location: sources.Locations{"file://" + f.remote}, Owner: "o"}
	if f.opts != "" {
		var n yaml.Node
		if err := yaml.Unmarshal([]byte(f.opts), &n); err != nil {
			t.Fatal(err)
		}
		spec.Options = *n.Content[0]
	}
	loc, err := New(context.Background(), spec, sources.Env{Cache: f.cache})
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestConformance(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture { return newFixture(t) })
}

func TestCloneOnceThenFetchBranchAndPath(t *testing.T) {
	f := newFixture(t)
	f.Put(t, "docs/en/a.md", []byte("# A"))
	f.Put(t, "src/main.go", []byte("package main"))
	f.opts = "path: docs\nbranch: master"
	loc := f.Location(t)
	items := mustList(t, loc)
	if len(items) != 1 || items[0].Key != "en/a.md" || !strings.HasPrefix(items[0].Version, "git:") {
		t.Fatalf("items %+v", items)
	}
	// A second Location (next run) reuses the clone and sees new commits.
	f.Put(t, "docs/en/b.md", []byte("# B"))
	items = mustList(t, f.Location(t))
	if len(items) != 2 {
		t.Fatalf("after fetch: %+v", items)
	}
	entries, _ := os.ReadDir(f.cache)
	if len(entries) != 1 {
		t.Errorf("cache holds %d entries, want one clone", len(entries))
	}
	f.opts = "branch: nope"
	if _, _, err := f.Location(t).List(context.Background()); err == nil || !strings.Contains(err.Error(), "options.branch") {
		t.Errorf("missing branch: %v", err)
	}
}

func TestTokenFromEnvironmentOnly(t *testing.T) {
	t.Setenv(TokenEnv, "s3cret")
	env := sources.Env{Cache: t.TempDir(), GitRemote: "https://git.example.com/kb.git"}
	loc, err := New(context.Background(), sources.Spec{Name: "g", Location: sources.Locations{"https://git.example.com/docs.git"}}, env)
	if err != nil {
		t.Fatal(err)
	}
	if loc.(*Location).auth == nil {
		t.Error("token from the environment not used for an https remote on git.remote's host")
	}
	spec := sources.Spec{Name: "g", Location: sources.Locations{"https://git.example.com/docs.git"}}
	var n yaml.Node
	yaml.Unmarshal([]byte("token: abc"), &n)
	spec.Options = *n.Content[0]
	if _, err := New(context.Background(), spec, env); err == nil {
		t.Error("a token in the config was accepted")
	}
}

func mustList(t *testing.T, loc sources.Location) []sources.Item {
	t.Helper()
	items, errs, err := loc.List(context.Background())
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	return items
}

// A file's date is the commit that last changed it, not the branch's tip:
// an edit of one manual does not re-date the others.
func TestItemsAreDatedByTheirLastCommit(t *testing.T) {
	f := newFixture(t)
	f.Put(t, "docs/a.md", []byte("# A"))
	f.Put(t, "docs/b.md", []byte("# B"))
	f.Put(t, "docs/b.md", []byte("# B, edited"))
	f.Put(t, "other.txt", []byte("x"))
	f.opts = "path: docs\nbranch: master"
	items := mustList(t, f.Location(t))
	if len(items) != 2 {
		t.Fatalf("items %+v", items)
	}
	want := map[string]time.Time{"a.md": time.Unix(1700000001, 0).UTC(), "b.md": time.Unix(1700000003, 0).UTC()}
	for _, it := range items {
		if !it.ModTime.Equal(want[it.Key]) || it.DateSource != "git-commit" {
			t.Errorf("%s: dated %v (%q), want %v from its last commit", it.Key, it.ModTime, it.DateSource, want[it.Key])
		}
	}
}
