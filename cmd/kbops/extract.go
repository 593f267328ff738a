package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/knowledge/text/segment"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/sources"
)

// extractOptions are the flags of `kbops extract`. Ticket exports will
// add their own (format preset, field mapping) next to these.
type extractOptions struct {
	JSON     bool   // machine-readable output
	Full     bool   // print each unit's whole text, not a preview
	Language string // declared language, as a source's `language:`
	Target   int    // segment target size (characters)
	Max      int    // segment maximum size (characters)
}

func extractCommand() *cli.Command {
	return &cli.Command{
		Name:      "extract",
		Usage:     "show what kbops sees in one document: pages, headings, units and their language",
		ArgsUsage: "FILE|URL",
		Description: `Reads one PDF, HTML or Markdown document, from a file or an http(s) URL,
without a workspace, and prints the units ingestion would make of it: the
id each would get (source name "extract"), its heading path, page or line
locator, language and size. Nothing is written.

With --tickets, reads a ticket export instead and prints the scenario units
it would make and the redaction report (see docs/tickets.md).

Examples:
   kbops extract manuals/CH32V003RM.pdf
   kbops extract --tickets exports/zendesk.json --preset zendesk
   kbops extract --json https://docs.example.com/manual/8/ | jq '.units[].id'
   kbops extract --full --target 1000 notes/grounding.md

Exit codes: 0 read without problems, 1 the document could not be read,
2 bad usage, 3 read with warnings (pages or parts skipped).`,
		Flags: append([]cli.Flag{
			&cli.BoolFlag{Name: "json", Usage: "print JSON instead of text"},
			&cli.BoolFlag{Name: "full", Usage: "print each unit's whole text instead of a preview"},
			&cli.StringFlag{Name: "lang", Usage: "declared BCP 47 `LANGUAGE` of the document (default: declared in the document, else detected)"},
			&cli.IntFlag{Name: "target", Value: segment.DefaultTarget, Usage: "unit size to aim for when splitting long sections, in `CHARS`"},
			&cli.IntFlag{Name: "max", Value: segment.DefaultMax, Usage: "sections longer than `CHARS` are split"},
		}, ticketFlagsWithoutJSON()...),
		Action: func(c *cli.Context) error {
			if c.IsSet("tickets") {
				o, files := extractTicketsFromCLI(c)
				return runExtractTickets(c.Context, o, files, c.App.Writer)
			}
			if c.NArg() != 1 {
				return usageErr("extract takes one FILE or URL, got %d arguments", c.NArg())
			}
			return runExtract(c.Context, extractOptions{
				JSON: c.Bool("json"), Full: c.Bool("full"), Language: c.String("lang"),
				Target: c.Int("target"), Max: c.Int("max"),
			}, c.Args().Slice(), c.App.Writer)
		},
	}
}

// extractReport is the JSON output of `kbops extract --json`.
type extractReport struct {
	Document  string        `json:"document"`
	Format    string        `json:"format"`
	Pages     int           `json:"pages,omitempty"`
	Decrypted bool          `json:"decrypted,omitempty"`
	Headings  []string      `json:"headings"`
	Warnings  []string      `json:"warnings"`
	Findings  []string      `json:"findings,omitempty"`
	Units     []extractUnit `json:"units"`
}

type extractUnit struct {
	ID       string   `json:"id"`
	Headings []string `json:"headings"`
	Title    string   `json:"title,omitempty"`
	Locator  string   `json:"locator,omitempty"`
	Language string   `json:"language,omitempty"`
	Chars    int      `json:"chars"`
	Text     string   `json:"text"`
}

// runExtract reads args[0] (a file or an http(s) URL) through the same
// path ingestion reads a document of a manuals source (ingest.ReadDocument)
// and writes what it makes of it to out.
func runExtract(ctx context.Context, opts extractOptions, args []string, out io.Writer) error {
	if len(args) != 1 {
		return usageErr("extract takes one FILE or URL")
	}
	spec := sources.Spec{Name: "extract", Kind: "manuals", Owner: "extract", Language: opts.Language}
	loc, it, cleanup, err := openTarget(ctx, spec, args[0])
	if err != nil {
		return err
	}
	defer cleanup()
	rep := extractReport{Document: it.Key, Headings: []string{}, Warnings: []string{}, Units: []extractUnit{}}
	doc, err := ingest.ReadDocument(ctx, loc, spec, it, ingest.ReadOptions{
		Segment: func(secs []sources.Section) []sources.Section {
			return segment.Split(secs, segment.Options{Target: opts.Target, Max: opts.Max})
		},
		Warn: func(e error) { rep.Warnings = append(rep.Warnings, e.Error()) },
	})
	if errors.Is(err, ingest.ErrNoFormat) {
		if sources.Default.Reads("tickets", sources.Default.FormatOf(it.Key)) {
			return usageErr("%v; for a ticket export use kbops extract --tickets %s", err, args[0])
		}
		return usageErr("%v", err)
	}
	if err != nil {
		return err
	}
	rep.Format, rep.Pages, rep.Decrypted, rep.Findings = doc.Format, doc.Info.Pages, doc.Info.Decrypted, doc.Info.Findings
	seenHead := map[string]bool{}
	for _, s := range doc.Extracted {
		for i := range s.Headings {
			k := strings.Join(s.Headings[:i+1], "\x00")
			if !seenHead[k] {
				seenHead[k] = true
				rep.Headings = append(rep.Headings, strings.Repeat("  ", i)+s.Headings[i])
			}
		}
	}
	for i, s := range doc.Sections {
		rep.Units = append(rep.Units, extractUnit{
			ID:       doc.IDs[i],
			Headings: append([]string{}, s.Headings...), Title: s.Title, Locator: s.Locator,
			Language: s.Language, Chars: utf8.RuneCountInString(s.Text), Text: s.Text,
		})
	}
	if opts.JSON {
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printExtract(out, rep, opts.Full)
	}
	if len(rep.Warnings) > 0 {
		return attention("%s: %d warning(s); the rest was read", it.Key, len(rep.Warnings))
	}
	return nil
}

func printExtract(out io.Writer, rep extractReport, full bool) {
	fmt.Fprintf(out, "document: %s\nformat:   %s\n", rep.Document, rep.Format)
	if rep.Pages > 0 {
		enc := ""
		if rep.Decrypted {
			enc = " (encrypted; opened without a password)"
		}
		fmt.Fprintf(out, "pages:    %d%s\n", rep.Pages, enc)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(out, "warning:  %s\n", w)
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(out, "finding:  %s\n", f)
	}
	fmt.Fprintf(out, "\nheadings (%d):\n", len(rep.Headings))
	for _, h := range rep.Headings {
		fmt.Fprintf(out, "  %s\n", h)
	}
	fmt.Fprintf(out, "\nunits (%d):\n", len(rep.Units))
	for _, u := range rep.Units {
		fmt.Fprintf(out, "\n%s\n  language: %s  locator: %s  chars: %d\n", u.ID, orDefault(u.Language, "?"), orDefault(u.Locator, "-"), u.Chars)
		text := u.Text
		if !full {
			text = preview(text, 240)
		}
		for _, l := range strings.Split(text, "\n") {
			fmt.Fprintf(out, "  | %s\n", l)
		}
	}
}

func orDefault(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

func preview(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + " …"
}

// ticketFlagsWithoutJSON returns the ticket flags; --json is shared with
// the document mode.
func ticketFlagsWithoutJSON() []cli.Flag {
	var out []cli.Flag
	for _, f := range extractTicketsFlags() {
		if f.Names()[0] != "json" {
			out = append(out, f)
		}
	}
	return out
}

// openTarget: see ingest.OpenTarget; a target that is no file is a usage
// error.
func openTarget(ctx context.Context, spec sources.Spec, target string) (sources.Location, sources.Item, func(), error) {
	loc, it, cleanup, err := ingest.OpenTarget(ctx, spec, target)
	if errors.Is(err, ingest.ErrBadTarget) {
		return nil, sources.Item{}, cleanup, usageErr("%v", err)
	}
	return loc, it, cleanup, err
}
