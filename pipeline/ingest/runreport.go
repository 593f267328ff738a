package ingest

import (
	"fmt"
	"strings"

	"github.com/kbops/kbops/pipeline/runs"
)

// FillRun fills a run report with the ingestion's figures per source, its
// findings, item errors and commit (runs.Filler).
func (rep Report) FillRun(r *runs.Report) {
	var b strings.Builder
	for _, s := range rep.Sources {
		ss := runs.SourceSummary{
			Name: s.Name, Fetched: s.Extracted, Unchanged: s.Unchanged, Removed: s.Removed,
			New: s.Added, Changed: s.Changed, Retired: s.Retired, Errors: s.Errors,
		}
		r.Sources = append(r.Sources, ss)
		r.Errors = append(r.Errors, s.Errors...)
		fmt.Fprintf(&b, "%s: %d documents fetched, %d unchanged, %d removed; units %d new, %d changed, %d retired",
			s.Name, ss.Fetched, ss.Unchanged, ss.Removed, ss.New, ss.Changed, ss.Retired)
		if len(s.Errors) > 0 {
			fmt.Fprintf(&b, "; %d errors", len(s.Errors))
		}
		b.WriteString("\n")
	}
	r.Findings = rep.Findings
	r.Commit = rep.Commit
	if rep.Commit != "" {
		fmt.Fprintf(&b, "committed %s to %s", shortHash(rep.Commit), rep.Branch)
	} else {
		b.WriteString("no changes: nothing committed")
	}
	if len(rep.Findings) > 0 {
		fmt.Fprintf(&b, "; %d findings", len(rep.Findings))
	}
	r.Summary = b.String()
}

func shortHash(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
