package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/urfave/cli/v2"
	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/html"
	"github.com/kbops/kbops/sources/httploc"
	_ "github.com/kbops/kbops/sources/markdown"
	"github.com/kbops/kbops/sources/pdf"
	"github.com/kbops/kbops/sources/segment"
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

// runExtract reads args[0] (a file or an http(s) URL) and writes what
// kbops makes of it to out.
func runExtract(ctx context.Context, opts extractOptions, args []string, out io.Writer) error {
	if len(args) != 1 {
		return usageErr("extract takes one FILE or URL")
	}
	target := args[0]
	name, data, contentType, err := readTarget(ctx, target)
	if err != nil {
		return err
	}
	format := sources.Default.FormatOf(name)
	if format == "" && strings.Contains(contentType, "html") {
		format = "html"
	}
	if format == "" {
		return usageErr("%s: no extractor reads this kind of file (known formats: %s)", name, strings.Join(sources.Default.Formats(), ", "))
	}
	ex, _ := sources.Default.Extractor(format)
	rep := extractReport{Document: name, Format: format, Headings: []string{}, Warnings: []string{}, Units: []extractUnit{}}
	var secs []sources.Section
	collect := func(s sources.Section) error { secs = append(secs, s); return nil }
	warn := func(e error) { rep.Warnings = append(rep.Warnings, e.Error()) }
	switch format {
	case "pdf":
		d, err := pdf.Parse(ctx, name, data, warn)
		if err != nil {
			return err
		}
		rep.Pages, rep.Decrypted = d.Pages, d.Decrypted
		err = d.Sections(ctx, opts.Language, collect)
		if err != nil {
			return err
		}
	default:
		doc := sources.Document{Item: sources.Item{Key: name, Size: int64(len(data))}, Name: name, ContentType: contentType, Body: bytes.NewReader(data), Language: opts.Language}
		if err := ex.Extract(ctx, doc, collect, warn); err != nil {
			return err
		}
	}
	seenHead := map[string]bool{}
	for _, s := range secs {
		for i := range s.Headings {
			k := strings.Join(s.Headings[:i+1], "\x00")
			if !seenHead[k] {
				seenHead[k] = true
				rep.Headings = append(rep.Headings, strings.Repeat("  ", i)+s.Headings[i])
			}
		}
	}
	seen := map[string]int{}
	for _, s := range segment.Split(secs, segment.Options{Target: opts.Target, Max: opts.Max}) {
		rep.Units = append(rep.Units, extractUnit{
			ID:       knowledge.Disambiguate(seen, knowledge.MakeID("extract", name, s.Headings)),
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
		return attention("%s: %d warning(s); the rest was read", name, len(rep.Warnings))
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

// readTarget reads a file, or fetches a URL through the HTTP location (so
// that its timeouts, retries and size limit apply).
func readTarget(ctx context.Context, target string) (name string, data []byte, contentType string, err error) {
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		data, err := os.ReadFile(target)
		if err != nil {
			return "", nil, "", fmt.Errorf("read %s: %w", target, err)
		}
		return filepath.ToSlash(filepath.Base(target)), data, "", nil
	}
	cache, err := os.MkdirTemp("", "kbops-extract-")
	if err != nil {
		return "", nil, "", err
	}
	defer os.RemoveAll(cache)
	spec := sources.Spec{Name: "extract", Kind: "manuals", Location: sources.Locations{target}, Owner: "extract"}
	var n yaml.Node
	_ = yaml.Unmarshal([]byte("retries: 1\ntimeout: 60s"), &n)
	spec.Options = *n.Content[0]
	loc, err := httploc.New(ctx, spec, sources.Env{Cache: cache})
	if err != nil {
		return "", nil, "", usageErr("%v", err)
	}
	items, errs, err := loc.List(ctx)
	if err != nil {
		return "", nil, "", err
	}
	if len(errs) > 0 {
		return "", nil, "", errs[0]
	}
	if len(items) == 0 {
		return "", nil, "", fmt.Errorf("%s: not found (HTTP 404)", target)
	}
	r, err := loc.Open(ctx, items[0])
	if err != nil {
		return "", nil, "", err
	}
	defer r.Close()
	data, err = io.ReadAll(r)
	if err != nil {
		return "", nil, "", fmt.Errorf("read %s: %w", target, err)
	}
	return items[0].Key, data, loc.(*httploc.Location).ContentType(items[0]), nil
}

// Make sure the HTML extractor is registered even if plugins.go does not
// list it yet.
var _ = html.MaxSize

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
