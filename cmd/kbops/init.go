package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/workspace"
)

func initCommand() *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "create a workspace (a git repository with kbops.yaml, OWNERS, units/, glossary/)",
		ArgsUsage: "DIR",
		Description: `Creates DIR if needed, writes the files that are missing and commits them on
main. Files that exist are kept, so a prepared folder (say, a copy of
examples/demo/workspace) can be adopted; an existing kbops.yaml must be valid.

Example:
   kbops init ~/kb && cd ~/kb && $EDITOR kbops.yaml`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErr("init takes one argument, the workspace folder (e.g. kbops init ./kb)")
			}
			return runInit(c.Context, c.Args().First(), c.App.Writer)
		},
	}
}

func runInit(_ context.Context, dir string, out io.Writer) error {
	res, err := workspace.Init(dir, time.Now())
	if err != nil {
		return &exitError{exitUsage, err}
	}
	for _, f := range res.Created {
		fmt.Fprintf(out, "created %s\n", f)
	}
	if res.Commit != "" {
		fmt.Fprintf(out, "initialised workspace %s (commit %s on main)\n", res.Root, res.Commit[:12])
	} else {
		fmt.Fprintf(out, "workspace %s already has history; new files are left for you to commit\n", res.Root)
	}
	fmt.Fprintf(out, "next: edit %s/kbops.yaml (sources) and OWNERS (reviewers), then run `kbops ingest`\n", res.Root)
	fmt.Fprint(out, `
review trust: OWNERS starts in default mode, where an approval counts when the
commit that added it is authored by the reviewer it names. Git authorship is
whatever a committer types, so default mode stops mistakes and casual forgery,
not someone with push access who means it. Set "strict: true" and list each
reviewer's OpenPGP key under "keys:" in OWNERS to require approvals in commits
signed with those keys (kbops review approve --sign-key). Either way, protect
main on your git host and run "kbops review verify" in its CI. See
docs/review-model.md, "Trust model".
`)
	return nil
}
