package main

import (
	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// reviewBranchTermbase returns the store for the workspace kbops runs in,
// or nil (use --dir) when --dir is given or there is no workspace.
func reviewBranchTermbase(c *cli.Context) (*reviews.TermbaseStore, error) {
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
	return &reviews.TermbaseStore{Repo: ws.Repo, Branch: ws.Config.Review.Branch, Main: ws.Config.Review.Main, Author: who}, nil
}
