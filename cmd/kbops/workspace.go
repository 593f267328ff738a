package main

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// openWorkspace opens the workspace named by --workspace or found from
// the current folder. Config errors exit with the usage code.
func openWorkspace(c *cli.Context) (*workspace.Workspace, error) {
	dir := c.String("workspace")
	if dir == "" {
		dir = "."
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		return nil, &exitError{exitUsage, err}
	}
	return ws, nil
}

// openParseCache and saveParseCache are release's, named here for the
// review commands.
func openParseCache(ws *workspace.Workspace) *reviews.ParseCache { return release.OpenParseCache(ws) }

func saveParseCache(c *reviews.ParseCache) { release.SaveParseCache(c) }

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
