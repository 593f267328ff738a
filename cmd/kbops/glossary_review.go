package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// termbaseStore reads and writes the termbase on a workspace's review
// branch: an import becomes a commit there, authored by the person who
// imported, and waits for a glossary reviewer like a unit change.
type termbaseStore struct {
	Name string // shown to the user
	ws   *workspace.Workspace
	who  string
}

// reviewBranchTermbase returns the store for the workspace kbops runs in,
// or nil (use --dir) when --dir is given or there is no workspace.
func reviewBranchTermbase(c *cli.Context) (*termbaseStore, error) {
	if c.String("dir") != "" {
		return nil, nil
	}
	dir := c.String("workspace")
	if dir == "" {
		dir = "."
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		return nil, nil // not in a workspace: a plain folder
	}
	who, err := reviewer(ws, c.String("as"))
	if err != nil {
		who = ws.Config.Git.Author
	}
	return &termbaseStore{Name: ws.Config.Review.Branch + ":glossary", ws: ws, who: who}, nil
}

// tip is the commit the change builds on: the review branch, else main.
func (s *termbaseStore) tip() (plumbing.Hash, error) {
	cfg := s.ws.Config
	if h, ok, err := s.ws.Repo.Branch(cfg.Review.Branch); err != nil || ok {
		return h, err
	}
	h, ok, err := s.ws.Repo.Branch(cfg.Review.Main)
	if err == nil && !ok {
		err = fmt.Errorf("branch %s does not exist: run `kbops init`", cfg.Review.Main)
	}
	return h, err
}

// Load reads the termbase at the tip; missing is true when there is none.
func (s *termbaseStore) Load() (*glossary.Termbase, bool, error) {
	h, err := s.tip()
	if err != nil {
		return nil, false, err
	}
	tree, err := s.ws.Repo.Tree(h)
	if err != nil {
		return nil, false, err
	}
	b, ok, err := s.ws.Repo.ReadPath(tree, reviews.GlossaryFile)
	if err != nil {
		return nil, false, err
	}
	if !ok {
		return glossary.New(), true, nil
	}
	im, err := glossary.ImportReader(context.Background(), reviews.GlossaryFile, bytes.NewReader(b), glossary.ImportOptions{Format: glossary.FormatTBX, MaxBytes: -1})
	if err != nil {
		return nil, false, err
	}
	return im.Termbase, false, nil
}

// Save commits the termbase to the review branch.
func (s *termbaseStore) Save(tb *glossary.Termbase) error {
	h, err := s.tip()
	if err != nil {
		return err
	}
	sig, err := kbrepo.Signature(s.who, time.Now())
	if err != nil {
		return err
	}
	_, err = s.ws.Repo.Commit(context.Background(), kbrepo.CommitOptions{
		Branch: s.ws.Config.Review.Branch, Parents: []plumbing.Hash{h},
		Changes: []kbrepo.Change{{Path: reviews.GlossaryFile, Data: glossary.MarshalTBX(tb)}},
		Message: fmt.Sprintf("glossary: import, %d concepts\n\nApprove with `kbops review approve --stage glossary`.\n", tb.Len()),
		Author:  sig,
	})
	if errors.Is(err, kbrepo.ErrNothingToCommit) {
		return nil
	}
	return err
}
