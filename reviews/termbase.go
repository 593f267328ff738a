package reviews

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// TermbaseStore reads and writes the termbase on a knowledge repository's
// review branch: an import becomes a commit there, authored by who
// imported, and waits for a glossary reviewer like a unit change.
type TermbaseStore struct {
	Repo *kbrepo.Repo
	// Branch is the review branch; Main is where it starts when missing.
	Branch, Main string
	// Author is "Name <email>" of the commits.
	Author string
	// Op names the change in the lock and the commit message: "import"
	// when empty, "suggest" for mined terms.
	Op string
}

func (s *TermbaseStore) op() string {
	if s.Op == "" {
		return "import"
	}
	return s.Op
}

// Name is how the store is shown to the user.
func (s *TermbaseStore) Name() string { return s.Branch + ":glossary" }

// Tip is the commit the store reads and builds on: the review branch,
// else main (a first import starts the review branch there).
func (s *TermbaseStore) Tip() (plumbing.Hash, error) {
	if h, ok, err := s.Repo.Branch(s.Branch); err != nil || ok {
		return h, err
	}
	h, ok, err := s.Repo.Branch(s.Main)
	if err == nil && !ok {
		err = fmt.Errorf("branch %s does not exist: run `kbops init`", s.Main)
	}
	return h, err
}

// Load reads the termbase at the tip; missing is true when there is none.
func (s *TermbaseStore) Load(ctx context.Context) (*glossary.Termbase, bool, error) {
	h, err := s.Tip()
	if err != nil {
		return nil, false, err
	}
	return ReadTermbase(ctx, s.Repo, h)
}

// ReadTermbase reads the termbase committed at commit, the one reader of
// a committed termbase (ingestion, publishing, search, the checks and
// `kbops glossary` all go through it); missing is true when the commit
// has none. A termbase that does not parse is an error naming the file.
func ReadTermbase(ctx context.Context, r *kbrepo.Repo, commit plumbing.Hash) (tb *glossary.Termbase, missing bool, err error) {
	tree, err := r.Tree(commit)
	if err != nil {
		return nil, false, err
	}
	return ReadTermbaseTree(ctx, r, tree)
}

// ReadTermbaseTree is ReadTermbase for a tree already read.
func ReadTermbaseTree(ctx context.Context, r *kbrepo.Repo, tree kbrepo.Tree) (tb *glossary.Termbase, missing bool, err error) {
	b, ok, err := r.ReadPath(tree, GlossaryFile)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return glossary.New(), true, nil
	}
	im, err := glossary.ImportReader(ctx, GlossaryFile, bytes.NewReader(b), glossary.ImportOptions{Format: glossary.FormatTBX, MaxBytes: -1})
	if err != nil {
		return nil, false, err
	}
	return im.Termbase, false, nil
}

// Update loads the termbase, lets change edit it and commits the result to
// the review branch, all under the repository's write lock; change
// returning false commits nothing.
func (s *TermbaseStore) Update(ctx context.Context, now time.Time, change func(tb *glossary.Termbase, missing bool) (bool, error)) error {
	ctx, release, err := s.Repo.WriteLock(ctx, "kbops glossary "+s.op(), true)
	if err != nil {
		return err
	}
	defer release()
	tb, missing, err := s.Load(ctx)
	if err != nil {
		return fmt.Errorf("%w; fix the termbase file (or restore it from git) before importing into it", err)
	}
	save, err := change(tb, missing)
	if err != nil || !save {
		return err
	}
	h, err := s.Tip()
	if err != nil {
		return err
	}
	sig, err := kbrepo.Signature(s.Author, now)
	if err != nil {
		return err
	}
	_, err = s.Repo.Commit(ctx, kbrepo.CommitOptions{
		Branch: s.Branch, Parents: []plumbing.Hash{h},
		Changes: []kbrepo.Change{{Path: GlossaryFile, Data: glossary.MarshalTBX(tb)}},
		Message: fmt.Sprintf("glossary: %s, %d concepts\n\nApprove with `kbops review approve --stage glossary`.\n", s.op(), tb.Len()),
		Author:  sig,
	})
	if errors.Is(err, kbrepo.ErrNothingToCommit) {
		return nil
	}
	return err
}
