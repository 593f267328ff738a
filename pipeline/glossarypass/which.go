package glossarypass

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// Use is a kind of operation that reads the termbase; Which says which
// termbase each kind reads. No operation reads glossary/termbase.tbx from
// the working folder: a termbase counts once it is committed, as units
// do, so every command sees the same one whatever is checked out.
type Use int

const (
	// Published is publish, reindex and search (query expansion): main's
	// termbase, since what reaches Weaviate is reviewed, terms included.
	Published Use = iota
	// Pending is ingestion, the review checks (review check, status,
	// approve, merge, sync and the pull request's checks) and `kbops
	// glossary import`, `check`, `export` and `stats` in a workspace: the
	// review branch's termbase, main's while there is no review branch.
	// It is the termbase the units under review will be merged with, and
	// the one an import has just changed while its glossary review is
	// pending, so that a knowledge owner checking units after an import
	// sees the terms they imported.
	Pending
)

// Source is the termbase an operation reads: the file at Path in the tree
// of Commit, the tip of Branch.
type Source struct {
	Use    Use
	Branch string
	// Commit is Branch's tip.
	Commit plumbing.Hash
	// Why says in a few words why this termbase, for messages.
	Why string
	ws  *workspace.Workspace
}

// Which says which termbase ws's operations of kind use read.
func Which(ws *workspace.Workspace, use Use) (Source, error) {
	cfg := ws.Config.Review
	switch use {
	case Published:
		h, ok, err := ws.Repo.Branch(cfg.Main)
		if err == nil && !ok {
			err = fmt.Errorf("branch %s does not exist: run `kbops init`", cfg.Main)
		}
		return Source{Use: use, Branch: cfg.Main, Commit: h, Why: "what is published reads the approved termbase on " + cfg.Main, ws: ws}, err
	case Pending:
		// The rule of the store an import writes with, so import and
		// check can never disagree.
		store := reviews.TermbaseStore{Repo: ws.Repo, Branch: cfg.Branch, Main: cfg.Main}
		h, err := store.Tip()
		src := Source{Use: use, Branch: cfg.Branch, Commit: h, Why: "the termbase the units under review merge with", ws: ws}
		if _, ok, _ := ws.Repo.Branch(cfg.Branch); !ok {
			src.Branch, src.Why = cfg.Main, "no review branch: nothing is pending, "+cfg.Main+" is current"
		}
		return src, err
	}
	return Source{}, fmt.Errorf("glossarypass: unknown use %d", use)
}

// Name is how the termbase is shown: branch:glossary/termbase.tbx.
func (s Source) Name() string { return s.Branch + ":" + Path }

// Load reads the termbase; missing is true when the commit has none.
func (s Source) Load(ctx context.Context) (tb *glossary.Termbase, missing bool, err error) {
	tb, missing, err = reviews.ReadTermbase(ctx, s.ws.Repo, s.Commit)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %w", s.Name(), err)
	}
	return tb, missing, nil
}

// Matcher returns a matcher for the termbase with the workspace's target
// languages, or nil when there is none.
func (s Source) Matcher(ctx context.Context) (*glossary.Matcher, error) {
	tree, err := s.ws.Repo.Tree(s.Commit)
	if err != nil {
		return nil, err
	}
	return Load(ctx, s.ws.Repo, tree, s.ws.Config.Languages)
}

// WorkingCopyDiffers reports whether glossary/termbase.tbx in the working
// folder exists and differs from the termbase read: an edit not committed
// (or another branch checked out), which the operation does not see.
func (s Source) WorkingCopyDiffers() bool {
	disk, err := os.ReadFile(filepath.Join(s.ws.GlossaryDir(), glossary.TermbaseFile))
	if err != nil {
		return false
	}
	tree, err := s.ws.Repo.Tree(s.Commit)
	if err != nil {
		return false
	}
	committed, ok, err := s.ws.Repo.ReadPath(tree, Path)
	return err == nil && (!ok || !bytes.Equal(disk, committed))
}
