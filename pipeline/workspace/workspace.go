// Package workspace is a kbops workspace: a git repository (the knowledge
// repository) with kbops.yaml, OWNERS, glossary/ and units/ at its root,
// and local state under .kbops/ that git ignores.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	git "github.com/go-git/go-git/v5"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// StateDir is the folder of local, uncommitted state: the embedded
// Weaviate's data, caches, run reports, locks.
const StateDir = ".kbops"

// Workspace is an open workspace.
type Workspace struct {
	Root   string
	Config *config.Config
	Repo   *kbrepo.Repo
}

// FindRoot returns the root of the workspace containing dir: dir or the
// nearest parent holding kbops.yaml.
func FindRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for root := abs; ; root = filepath.Dir(root) {
		if _, err := os.Stat(filepath.Join(root, config.FileName)); err == nil {
			return root, nil
		}
		if filepath.Dir(root) == root {
			return "", fmt.Errorf("no %s in %s or any parent folder: run kbops inside a workspace, pass --workspace DIR, or create one with `kbops init DIR`", config.FileName, abs)
		}
	}
}

// GlossaryDir is the workspace's glossary folder.
func (w *Workspace) GlossaryDir() string { return filepath.Join(w.Root, glossary.Dir) }

// Open finds the workspace containing dir (dir or a parent holding
// kbops.yaml) and loads its config and repository.
func Open(dir string) (*Workspace, error) {
	root, err := FindRoot(dir)
	if err != nil {
		return nil, err
	}
	cfg, err := config.Load(filepath.Join(root, config.FileName))
	if err != nil {
		return nil, err
	}
	repo, err := kbrepo.Open(root)
	if err != nil {
		return nil, fmt.Errorf("%s is not a git repository: %w; run `kbops init %s` to make it a workspace", root, err, root)
	}
	repo.Locker = repoLocker{root}
	return &Workspace{Root: root, Config: cfg, Repo: repo}, nil
}

// repoLocker is the knowledge repository's write lock: lock.Repo under the
// workspace's .kbops/locks, the one every kbops process writing it takes.
type repoLocker struct{ root string }

func (l repoLocker) Lock(ctx context.Context, what string, wait bool) (func() error, error) {
	lk, err := lock.Acquire(ctx, lock.Dir(l.root), lock.Repo, wait, what)
	if err != nil {
		return nil, err
	}
	return lk.Release, nil
}

// State returns a path under the workspace's .kbops folder, creating the
// folder.
func (w *Workspace) State(elem ...string) (string, error) {
	p := filepath.Join(append([]string{w.Root, StateDir}, elem...)...)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return "", fmt.Errorf("create state folder: %w", err)
	}
	return p, nil
}

// InitResult says what Init did.
type InitResult struct {
	Root    string
	Created []string // files written
	Commit  string   // initial commit, "" if the repository had commits
}

// Init makes dir a workspace: it writes the files that are missing (a
// commented kbops.yaml, OWNERS, units/, glossary/, .gitignore), keeps the
// ones that exist (so a prepared folder can be adopted), makes it a git
// repository and commits them on main. An existing kbops.yaml must be
// valid: Init fails before writing anything otherwise.
func Init(dir string, now time.Time) (InitResult, error) {
	root, err := filepath.Abs(dir)
	if err != nil {
		return InitResult{}, err
	}
	res := InitResult{Root: root}
	cfgPath := filepath.Join(root, config.FileName)
	mainBranch := "main"
	author := "kbops <kbops@localhost>"
	if _, err := os.Stat(cfgPath); err == nil {
		cfg, err := config.Load(cfgPath)
		if err != nil {
			return res, fmt.Errorf("existing %w; fix it, then run init again", err)
		}
		mainBranch, author = cfg.Review.Main, cfg.Git.Author
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return res, fmt.Errorf("create %s: %w", root, err)
	}
	files := []struct{ path, content string }{
		{config.FileName, config.Template},
		{reviews.OwnersFile, reviews.OwnersTemplate},
		{".gitignore", "# local state of kbops: embedded Weaviate data, caches, run reports\n" + StateDir + "/\n"},
		{knowledge.UnitsDir + "/README.md", "Knowledge units, one Markdown file each, written by `kbops ingest`.\nReview changes as pull requests; see docs/review-model.md in the kbops project.\n"},
		{"glossary/README.md", "The termbase. Import with `kbops glossary import FILE`.\n"},
		{reviews.ApprovalsDir + "/README.md", "Review decisions, one file per unit, written by `kbops review approve|reject`.\n"},
	}
	for _, f := range files {
		p := filepath.Join(root, filepath.FromSlash(f.path))
		if _, err := os.Stat(p); err == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return res, err
		}
		if err := os.WriteFile(p, []byte(f.content), 0o644); err != nil {
			return res, fmt.Errorf("write %s: %w", f.path, err)
		}
		res.Created = append(res.Created, f.path)
	}
	r, err := git.PlainOpen(root)
	if errors.Is(err, git.ErrRepositoryNotExists) {
		kr, err := kbrepo.Init(root, mainBranch)
		if err != nil {
			return res, err
		}
		r = kr.Git
	} else if err != nil {
		return res, fmt.Errorf("open git repository in %s: %w", root, err)
	}
	if _, err := r.Head(); err == nil {
		return res, nil // already has history: leave committing to the user
	}
	wt, err := r.Worktree()
	if err != nil {
		return res, fmt.Errorf("%s: %w", root, err)
	}
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		return res, fmt.Errorf("git add in %s: %w", root, err)
	}
	sig, err := kbrepo.Signature(author, now)
	if err != nil {
		return res, fmt.Errorf("git.author: %w", err)
	}
	h, err := wt.Commit("kbops: initialise workspace\n", &git.CommitOptions{Author: &sig})
	if err != nil {
		return res, fmt.Errorf("initial commit in %s: %w", root, err)
	}
	res.Commit = h.String()
	// Trust in OWNERS starts at this commit; pinning it here means a
	// history merged in later with its own first commit grants nothing.
	kr, err := kbrepo.Open(root)
	if err != nil {
		return res, err
	}
	if err := kr.SetTrustRoot(h); err != nil {
		return res, fmt.Errorf("pin the first commit in %s: %w", root, err)
	}
	return res, nil
}
