package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/forget"
	"github.com/kbops/kbops/pipeline/workspace"
)

type forgetOptions struct {
	Subject    forget.Subject
	Now        bool
	NoWeaviate bool
	JSON       bool
	Wait       bool
	As         string
}

func forgetCommand() *cli.Command {
	return &cli.Command{
		Name:  "forget",
		Usage: "erase a person's data from the knowledge repo, local caches and Weaviate",
		Description: `Finds the e-mail address, name or ticket id everywhere kbops keeps data and
removes it: in the knowledge repository values become "(erased)" (units
whose id holds them are deleted) in a commit on the review branch, or on
main at once with --now; in .kbops cache files holding it are deleted and
state, run reports, feedback and health snapshots are rewritten; in
Weaviate every object holding it is deleted from every collection kbops
wrote under weaviate.collection (access-level aliases and a combined one
left from before split_by_access included). It prints counts and places,
never the values, and running it again changes nothing.

Old git commits still hold the old data: see docs/operations.md for the
history rewrite. The sources themselves (helpdesk, manuals) are not
changed: erase there too, or the next ingestion brings the data back.

Example:
   kbops forget --email jane.doe@example.com --name "Jane Doe" --now`,
		Flags: []cli.Flag{
			&cli.StringSliceFlag{Name: "email", Usage: "an e-mail `ADDRESS` (repeatable)"},
			&cli.StringSliceFlag{Name: "name", Usage: "a person's `NAME` (repeatable)"},
			&cli.StringSliceFlag{Name: "ticket", Usage: "a ticket `ID` (repeatable)"},
			&cli.BoolFlag{Name: "now", Usage: "commit to main at once instead of the review branch"},
			&cli.BoolFlag{Name: "no-weaviate", Usage: "leave Weaviate alone (erase it later with another run)"},
			&cli.StringFlag{Name: "as", Usage: "author of the erasure commit, \"Name <email>\" (default git.author)"},
			&cli.BoolFlag{Name: "wait", Usage: "wait for a running job instead of exiting"},
			&cli.BoolFlag{Name: "json", Usage: "print the result as JSON"},
		},
		Action: func(c *cli.Context) error {
			s := forget.Subject{Emails: c.StringSlice("email"), Names: c.StringSlice("name"), Tickets: c.StringSlice("ticket")}
			if len(s.Emails)+len(s.Names)+len(s.Tickets) == 0 {
				return usageErr("whom to forget? give --email, --name or --ticket")
			}
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			return runForget(c.Context, ws, forgetOptions{Subject: s, Now: c.Bool("now"), NoWeaviate: c.Bool("no-weaviate"),
				JSON: c.Bool("json"), Wait: c.Bool("wait"), As: c.String("as")}, c.App.Writer, c.App.ErrWriter)
		},
	}
}

func runForget(ctx context.Context, ws *workspace.Workspace, o forgetOptions, out, errOut io.Writer) error {
	res, err := forget.Erase(ctx, ws, forget.EraseOptions{
		Subject: o.Subject, Now: o.Now, Author: o.As, NoWeaviate: o.NoWeaviate, Wait: o.Wait,
		Status: statusTo(out, o.JSON), Log: slog.New(slog.NewTextHandler(errOut, nil)),
	})
	if err != nil && !errors.Is(err, forget.ErrRemaining) {
		return err
	}
	if o.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		if jerr := enc.Encode(res); jerr != nil {
			return jerr
		}
	} else {
		printForget(out, res, o.Now)
	}
	if err != nil {
		return &exitError{exitAttention, err}
	}
	return nil
}

func printForget(out io.Writer, res forget.Result, now bool) {
	if res.Total() == 0 {
		fmt.Fprintln(out, "nothing found: nothing changed")
	}
	for _, p := range res.Places {
		fmt.Fprintf(out, "%-48s %d %s\n", p.Place, p.Count, p.Action)
	}
	if res.Commit != "" {
		fmt.Fprintf(out, "committed %.12s to %s", res.Commit, res.Branch)
		if !now {
			fmt.Fprint(out, " (review and merge it, or rerun with --now)")
		}
		fmt.Fprintln(out)
	}
	if res.WeaviateSkipped != "" {
		fmt.Fprintln(out, "Weaviate was not searched")
	} else {
		fmt.Fprintf(out, "Weaviate: searched %s", plural(len(res.WeaviateSearched), "collection", "collections"))
		if len(res.WeaviateSearched) > 0 {
			fmt.Fprintf(out, ": %s", strings.Join(res.WeaviateSearched, ", "))
		}
		fmt.Fprintln(out)
	}
	for _, it := range res.ItemErrors() {
		fmt.Fprintln(out, it)
	}
	fmt.Fprintln(out, "git history still holds earlier versions: see docs/operations.md, \"Erasure\"")
}
