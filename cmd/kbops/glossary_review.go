package main

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/pipeline/glossarypass"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// glossaryWorkspace is the workspace the glossary commands work in, or
// nil when --dir names a folder or there is no workspace (a plain folder).
func glossaryWorkspace(c *cli.Context) *workspace.Workspace {
	if c.String("dir") != "" {
		return nil
	}
	dir := c.String("workspace")
	if dir == "" {
		dir = "."
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		return nil
	}
	return ws
}

// reviewBranchTermbase returns the store for the workspace kbops runs in,
// or nil (use --dir) when --dir is given or there is no workspace.
func reviewBranchTermbase(c *cli.Context) (*reviews.TermbaseStore, error) {
	ws := glossaryWorkspace(c)
	if ws == nil {
		return nil, nil
	}
	who, err := reviewer(ws, c.String("as"))
	if err != nil {
		who = ws.Config.Git.Author
	}
	return &reviews.TermbaseStore{Repo: ws.Repo, Branch: ws.Config.Review.Branch, Main: ws.Config.Review.Main, Author: who}, nil
}

// termbaseReader is a committed termbase (glossarypass.Source).
type termbaseReader interface {
	Load(ctx context.Context) (*glossary.Termbase, bool, error)
	Name() string
	WorkingCopyDiffers() bool
}

// committedTermbase is the termbase check, export and stats read: with
// --dir, or outside a workspace, none (they read the folder); in a
// workspace, the one glossarypass.Which gives for Pending, the termbase
// import writes to and the review checks read.
func committedTermbase(c *cli.Context) (termbaseReader, error) {
	ws := glossaryWorkspace(c)
	if ws == nil {
		return nil, nil
	}
	src, err := glossarypass.Which(ws, glossarypass.Pending)
	if err != nil {
		return nil, err
	}
	return src, nil
}

// loadTermbase reads tr, or dir when tr is nil, and names what it read.
func loadTermbase(ctx context.Context, tr termbaseReader, dir string) (tb *glossary.Termbase, missing bool, name string, err error) {
	if tr == nil {
		tb, missing, err = loadGlossaryDir(dir)
		return tb, missing, filepath.Join(dir, glossary.TermbaseFile), err
	}
	tb, missing, err = tr.Load(ctx)
	return tb, missing, tr.Name(), err
}

// workingCopyNote tells, when it is so, that the termbase file in the
// working folder is not the one read.
func workingCopyNote(out io.Writer, tr termbaseReader) {
	if tr != nil && tr.WorkingCopyDiffers() {
		fmt.Fprintf(out, "note: %s in the working folder differs from %s, which was read (commit it, or pass --dir %s to use the folder)\n",
			filepath.Join(glossary.Dir, glossary.TermbaseFile), tr.Name(), glossary.Dir)
	}
}
