package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/knowledge/text/segment"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/tickets"
)

// extractTicketsOptions are the settings of `kbops extract --tickets`.
type extractTicketsOptions struct {
	// Preset forces a helpdesk layout (zendesk, freshdesk, tobi-bueck);
	// empty detects it.
	Preset string
	// Delimiter and Encoding override CSV sniffing.
	Delimiter, Encoding string
	// IncludeUnsolved shows what unsolved tickets would give too.
	IncludeUnsolved bool
	// JSON prints one JSON object per file instead of text.
	JSON bool
	// Show is how many scenario sections to print per file; 0 prints all.
	Show int
	// Progress, if set (a terminal), receives a progress line.
	Progress io.Writer
	// Log receives the extractor's summary log; nil discards it.
	Log *slog.Logger
}

// extractTicketsFlags are the flags of `kbops extract` for ticket exports.
func extractTicketsFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringSliceFlag{Name: "tickets", Usage: "show the scenario units and the redaction report a ticket export `FILE` (CSV, JSON, JSONL) would make"},
		&cli.StringFlag{Name: "preset", Usage: "helpdesk layout of the export: " + strings.Join(tickets.PresetNames(), ", ") + " (default: detect)"},
		&cli.StringFlag{Name: "delimiter", Usage: "CSV delimiter (default: sniff)"},
		&cli.StringFlag{Name: "encoding", Usage: "text encoding of a CSV export, e.g. windows-1252 (default: UTF-8 or byte-order mark)"},
		&cli.BoolFlag{Name: "include-unsolved", Usage: "also make scenarios of unsolved tickets"},
		&cli.IntFlag{Name: "show", Value: 10, Usage: "scenario sections to print per file (0 = all)"},
		&cli.BoolFlag{Name: "json", Usage: "print JSON: one object per file with report and sections"},
	}
}

// extractTicketsFromCLI reads the flags of extractTicketsFlags.
func extractTicketsFromCLI(c *cli.Context) (extractTicketsOptions, []string) {
	o := extractTicketsOptions{
		Preset: c.String("preset"), Delimiter: c.String("delimiter"), Encoding: c.String("encoding"),
		IncludeUnsolved: c.Bool("include-unsolved"), JSON: c.Bool("json"), Show: c.Int("show"),
	}
	if fi, err := os.Stderr.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
		o.Progress = os.Stderr
	}
	return o, append(c.StringSlice("tickets"), c.Args().Slice()...)
}

type ticketFileJSON struct {
	File     string          `json:"file"`
	Error    string          `json:"error,omitempty"`
	Report   *ticketReport   `json:"report,omitempty"`
	Warnings []string        `json:"warnings,omitempty"`
	Sections []ticketSection `json:"sections"`
}

type ticketReport struct {
	Format    string         `json:"format"`
	Preset    string         `json:"preset"`
	Encoding  string         `json:"encoding,omitempty"`
	Rows      int            `json:"rows"`
	Bytes     int64          `json:"bytes"`
	Tickets   int            `json:"tickets"`
	Skipped   map[string]int `json:"skipped"`
	Sections  int            `json:"sections"`
	Merged    int            `json:"merged"`
	MergeRate float64        `json:"merge_rate"`
	Languages map[string]int `json:"languages"`
	Redacted  map[string]int `json:"redacted"`
	Seconds   float64        `json:"seconds"`
}

type ticketSection struct {
	Headings    []string `json:"headings"`
	Title       string   `json:"title"`
	Kind        string   `json:"kind"`
	Layer       string   `json:"layer"`
	Language    string   `json:"language,omitempty"`
	Product     string   `json:"product,omitempty"`
	Locator     string   `json:"locator"`
	Occurrences int      `json:"occurrences"`
	Effective   string   `json:"effective,omitempty"`
	Text        string   `json:"text"`
}

// runExtractTickets reads each ticket export in args and prints, without a
// workspace, the scenario sections it would make and its report: rows,
// skipped rows by reason, merges, languages and personal data redacted
// (counts only). A file that cannot be read is reported and the others
// go on; the error then says how many failed (exit code 3 when only
// rows had problems, 1 when a file failed).
func runExtractTickets(ctx context.Context, opts extractTicketsOptions, args []string, out io.Writer) error {
	if len(args) == 0 {
		return usageErr("give a ticket export: kbops extract --tickets FILE (CSV, JSON or JSONL)")
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	failed, warned := 0, 0
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	for _, file := range args {
		res := ticketFileJSON{File: file, Sections: []ticketSection{}}
		rep, warns, err := extractTicketFile(ctx, opts, log, file, func(s sources.Section) {
			if opts.Show == 0 || len(res.Sections) < opts.Show {
				res.Sections = append(res.Sections, toTicketSection(s))
			}
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			failed++
			res.Error = err.Error()
		} else {
			res.Report = toTicketReport(rep)
		}
		for _, w := range warns {
			res.Warnings = append(res.Warnings, w.Error())
		}
		warned += len(warns)
		if opts.JSON {
			if err := enc.Encode(res); err != nil {
				return err
			}
			continue
		}
		printTicketFile(out, res, rep)
	}
	switch {
	case failed > 0:
		return &exitError{exitFailed, fmt.Errorf("%d of %d ticket exports could not be read", failed, len(args))}
	case warned > 0:
		return attention("%d problems reported in the ticket exports (rows skipped or fields not understood); see the warnings above", warned)
	}
	return nil
}

// extractTicketFile reads one export through the path ingestion reads a
// document of a tickets source (ingest.ReadDocument), the flags standing
// in for the source's `extract:` settings.
func extractTicketFile(ctx context.Context, opts extractTicketsOptions, log *slog.Logger, file string, emit func(sources.Section)) (tickets.Report, []error, error) {
	settings := map[string]any{}
	for k, v := range map[string]string{"preset": opts.Preset, "delimiter": opts.Delimiter, "encoding": opts.Encoding} {
		if v != "" {
			settings[k] = v
		}
	}
	if opts.IncludeUnsolved {
		settings["include_unsolved"] = true
	}
	spec := sources.Spec{Name: "extract", Kind: "tickets", Owner: "extract"}
	if err := spec.Extract.Encode(settings); err != nil {
		return tickets.Report{}, nil, err
	}
	// The registered extractor, with this run's progress line and log.
	o := tickets.Options{Logger: log}
	if opts.Progress != nil {
		var last time.Time
		o.Progress = func(p tickets.Progress) {
			if time.Since(last) < 200*time.Millisecond {
				return
			}
			last = time.Now()
			pct := ""
			if p.TotalBytes > 0 {
				pct = fmt.Sprintf(" %3.0f%%", 100*float64(p.Bytes)/float64(p.TotalBytes))
			}
			fmt.Fprintf(opts.Progress, "\r%s: %d rows, %.1f MB%s ", filepath.Base(file), p.Rows, float64(p.Bytes)/1e6, pct)
		}
		defer fmt.Fprint(opts.Progress, "\r\033[K")
	}
	reg := &sources.Registry{}
	folder, ok := sources.Default.Scheme("folder")
	format, ok2 := sources.Default.Format("tickets")
	if !ok || !ok2 {
		return tickets.Report{}, nil, errors.New("the folder and tickets plugins are not built in")
	}
	format.Extractor = tickets.New(o)
	reg.RegisterScheme(folder)
	reg.RegisterFormat(format)

	loc, it, cleanup, err := openTarget(ctx, spec, file)
	if err != nil {
		return tickets.Report{}, nil, err
	}
	defer cleanup()
	var warns []error
	doc, err := ingest.ReadDocument(ctx, loc, spec, it, ingest.ReadOptions{
		Registry: reg,
		Segment:  func(secs []sources.Section) []sources.Section { return segment.Split(secs, segment.Options{}) },
		Warn:     func(e error) { warns = append(warns, e) },
	})
	rep, _ := doc.Info.Report.(tickets.Report)
	if err != nil {
		return rep, warns, err
	}
	for _, s := range doc.Sections {
		emit(s)
	}
	return rep, warns, nil
}
