package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/tickets"
)

func toTicketReport(r tickets.Report) *ticketReport {
	red := map[string]int{}
	for k, n := range r.Redacted {
		red[string(k)] = n
	}
	langs := map[string]int{}
	for k, n := range r.Languages {
		if k == "" {
			k = "unknown"
		}
		langs[k] = n
	}
	return &ticketReport{
		Format: r.Format, Preset: r.Preset, Encoding: r.Encoding, Rows: r.Rows, Bytes: r.Bytes, Tickets: r.Tickets,
		Skipped: r.Skipped, Sections: r.Sections, Merged: r.Merged, MergeRate: r.MergeRate(), Languages: langs,
		Redacted: red, Seconds: r.Duration.Seconds(),
	}
}

func toTicketSection(s sources.Section) ticketSection {
	ts := ticketSection{
		Headings: s.Headings, Title: s.Title, Kind: s.Kind, Layer: s.Layer, Language: s.Language, Product: s.Product,
		Locator: s.Locator, Occurrences: s.Occurrences, Text: s.Text,
	}
	if !s.Effective.IsZero() {
		ts.Effective = s.Effective.Format(time.DateOnly)
	}
	return ts
}

func printTicketFile(out io.Writer, res ticketFileJSON, rep tickets.Report) {
	fmt.Fprintf(out, "== %s\n", res.File)
	if res.Error != "" {
		fmt.Fprintf(out, "error: %s\n\n", res.Error)
		return
	}
	r := res.Report
	fmt.Fprintf(out, "format %s, preset %s", r.Format, r.Preset)
	if r.Encoding != "" {
		fmt.Fprintf(out, " (%s)", r.Encoding)
	}
	fmt.Fprintf(out, "\nrows read %d, tickets kept %d, skipped %s\n", r.Rows, r.Tickets, countList(r.Skipped))
	fmt.Fprintf(out, "scenario sections %d, merged %d (%.1f%%), languages %s\n", r.Sections, r.Merged, 100*r.MergeRate, countList(r.Languages))
	fmt.Fprintf(out, "personal data redacted: %s\n", rep.Redacted)
	for _, w := range res.Warnings {
		fmt.Fprintf(out, "warning: %s\n", w)
	}
	for _, s := range res.Sections {
		fmt.Fprintf(out, "\n--- %s  [%s/%s %s, %d× %s]\n# %s\n\n%s\n", strings.Join(s.Headings, " › "), s.Layer, s.Kind, s.Language, s.Occurrences, s.Locator, s.Title, s.Text)
	}
	if n := r.Sections - len(res.Sections); n > 0 {
		fmt.Fprintf(out, "\n(%d more sections; --show 0 prints all)\n", n)
	}
	fmt.Fprintln(out)
}

func countList(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for k, n := range m {
		parts = append(parts, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, ", ")
}
