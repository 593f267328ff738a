package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/workspace"
)

func triggerCommand() *cli.Command {
	return &cli.Command{
		Name:  "trigger",
		Usage: "send all units of a product back to review after a product event",
		Description: `The triggered update track: every active unit of the product goes back to
its owner, with the reason, in due/<unit>.yaml on the review branch (one
commit). Owners edit the unit (a new version is reviewed as usual) or
confirm it still holds with ` + "`kbops due confirm`" + `. Repeating the same
trigger changes nothing. See docs/operations.md.

Example:
   kbops trigger --product vf-200 --reason "firmware 2.1 released"`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "product", Required: true, Usage: "the product whose units go back"},
			&cli.StringFlag{Name: "reason", Required: true, Usage: "why, for the owners (a release, a recall)"},
			&cli.StringFlag{Name: "as", Usage: "who triggers, \"Name <email>\" (default KBOPS_REVIEWER or git user)"},
			&cli.BoolFlag{Name: "wait", Usage: "wait for a running job instead of exiting"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
		},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			who, err := reviewer(ws, c.String("as"))
			if err != nil {
				who = ""
			}
			return runTrigger(c.Context, ws, c.String("product"), c.String("reason"), who, c.Bool("wait"), c.Bool("json"), c.App.Writer, c.App.ErrWriter)
		},
	}
}

func runTrigger(ctx context.Context, ws *workspace.Workspace, product, reason, who string, wait, asJSON bool, out, errOut io.Writer) error {
	if strings.TrimSpace(reason) == "" {
		return usageErr("--reason must say why the units go back")
	}
	start := timeNow()
	ctx, finish, err := beginRun(ctx, ws, "trigger", runs.BeginOptions{Locks: []string{lock.Repo}, Wait: wait}, errOut)
	if err != nil {
		return err
	}
	res, err := tracks.Trigger(ctx, ws, product, reason, who, start)
	finish(res, err)
	if err != nil {
		return err
	}
	return printTrack(out, res, asJSON)
}

func printTrack(out io.Writer, res tracks.Result, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	fmt.Fprintln(out, res.Summary())
	for _, p := range res.Problems {
		fmt.Fprintln(out, "  left out:", p)
	}
	return nil
}

func dueCommand() *cli.Command {
	return &cli.Command{
		Name:  "due",
		Usage: "units sent back to review (regular, triggered, feedback tracks); confirm they still hold",
		Description: `Lists the units with open due entries on the review branch, or records that
their owner checked them and they still hold (cleared, and the regular
track counts the interval from then). Editing a unit clears its entries
too: the new version is reviewed as usual.

Example:
   kbops due list --owner ana.ruiz@example.com
   kbops due confirm --as ana.ruiz@example.com expert-notes/en/faults/e07-earth-fault`,
		Subcommands: []*cli.Command{{
			Name:  "list",
			Usage: "list due units",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "owner", Usage: "only this owner's units"},
				&cli.StringFlag{Name: "product", Usage: "only this product's units"},
				&cli.BoolFlag{Name: "json", Usage: "print as JSON"},
			},
			Action: func(c *cli.Context) error {
				ws, err := openWorkspace(c)
				if err != nil {
					return err
				}
				return runDueList(c.Context, ws, c.String("owner"), c.String("product"), c.Bool("json"), c.App.Writer)
			},
		}, {
			Name:      "confirm",
			Usage:     "confirm due units still hold (owners, i.e. technical reviewers)",
			ArgsUsage: "UNIT-ID...",
			Flags: []cli.Flag{
				&cli.StringFlag{Name: "as", Usage: "who confirms, \"Name <email>\""},
				&cli.BoolFlag{Name: "all-mine", Usage: "all due units the reviewer may confirm"},
				&cli.StringFlag{Name: "comment", Usage: "a note kept with the confirmation"},
				&cli.BoolFlag{Name: "wait", Usage: "wait for a running job instead of exiting"},
			},
			Action: func(c *cli.Context) error {
				ws, who, err := workspaceAndReviewer(c)
				if err != nil {
					return err
				}
				if c.Args().Len() == 0 && !c.Bool("all-mine") {
					return usageErr("name the units to confirm, or pass --all-mine")
				}
				return runDueConfirm(c.Context, ws, who, c.Args().Slice(), c.Bool("all-mine"), c.String("comment"), c.Bool("wait"), c.App.Writer, c.App.ErrWriter)
			},
		}},
	}
}

func runDueList(ctx context.Context, ws *workspace.Workspace, owner, product string, asJSON bool, out io.Writer) error {
	st, err := tracks.Load(ctx, ws)
	if err != nil {
		return err
	}
	var list []tracks.DueUnit
	for _, d := range st.OpenDue() {
		if owner != "" && !strings.EqualFold(d.Owner, owner) || product != "" && !strings.EqualFold(d.Product, product) {
			continue
		}
		list = append(list, d)
	}
	if asJSON {
		if list == nil {
			list = []tracks.DueUnit{}
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(out, "no units due for review")
	}
	for _, d := range list {
		fmt.Fprintf(out, "%s (owner %s)\n", d.ID, d.Owner)
		for _, e := range d.Entries {
			fmt.Fprintf(out, "  %-9s since %s: %s\n", e.Track, e.Since.Format(time.DateOnly), e.Reason)
		}
	}
	return nil
}

func runDueConfirm(ctx context.Context, ws *workspace.Workspace, who string, ids []string, allMine bool, comment string, wait bool, out, errOut io.Writer) error {
	ctx, finish, err := beginRun(ctx, ws, "due-confirm", runs.BeginOptions{Locks: []string{lock.Repo}, Wait: wait, Holder: "kbops due confirm"}, errOut)
	if err != nil {
		return err
	}
	if allMine {
		st, err := tracks.Load(ctx, ws)
		if err != nil {
			finish(nil, err)
			return err
		}
		ids = append(ids, st.DueFor(who)...)
	}
	res, err := tracks.Confirm(ctx, ws, who, ids, comment, timeNow())
	finish(res, err)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "confirmed %s", plural(len(res.Units), "unit", "units"))
	if res.Commit != "" {
		fmt.Fprintf(out, " (commit %.12s on %s)", res.Commit, res.Branch)
	}
	fmt.Fprintln(out)
	for _, p := range res.Problems {
		fmt.Fprintln(out, "  not confirmed:", p)
	}
	if len(res.Problems) > 0 {
		return attention("%s could not be confirmed", plural(len(res.Problems), "unit", "units"))
	}
	return nil
}
