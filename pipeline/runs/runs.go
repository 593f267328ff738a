package runs

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"github.com/kbops/kbops/pipeline/workspace"
)

// Dir is the folder of run reports under the workspace's state folder.
const Dir = "runs"

// Trigger says who started a run.
const (
	Manual    = "manual"
	Scheduled = "scheduled"
	Startup   = "startup" // a scheduled run caught up at start (missed while down)
)

// SourceSummary is one source's figures in an ingest run.
type SourceSummary struct {
	Name      string   `json:"name"`
	Fetched   int      `json:"documents_fetched"`
	Unchanged int      `json:"documents_unchanged"`
	Removed   int      `json:"documents_removed"`
	New       int      `json:"units_new"`
	Changed   int      `json:"units_changed"`
	Retired   int      `json:"units_retired"`
	Errors    []string `json:"errors,omitempty"`
}

// Report is one run.
type Report struct {
	ID      string    `json:"id"`
	Kind    string    `json:"kind"` // ingest, publish, review-due, health, trigger, feedback, forget
	Job     string    `json:"job"`  // serve job name, or the kind for manual runs
	Trigger string    `json:"trigger"`
	Host    string    `json:"host,omitempty"`
	PID     int       `json:"pid,omitempty"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	// Seconds is the duration of the run.
	Seconds float64 `json:"seconds"`
	// Outcome is success, attention (finished, but items failed), failed
	// or skipped.
	Outcome string `json:"outcome"`
	// Error is why the run failed, when it did.
	Error string `json:"error,omitempty"`
	// Summary is a few lines for people.
	Summary  string          `json:"summary"`
	Sources  []SourceSummary `json:"sources,omitempty"`
	Findings []string        `json:"findings,omitempty"`
	// Errors are item errors with their places (document, row, file).
	Errors []string `json:"errors,omitempty"`
	// Commit is the commit the run wrote, if any.
	Commit string `json:"commit,omitempty"`
	// Detail is the run's own report (ingest.Report, release.Result, …).
	Detail json.RawMessage `json:"detail,omitempty"`
}

// Outcomes.
const (
	Success   = "success"
	Attention = "attention"
	Failed    = "failed"
)

// Summarizer is implemented by reports that describe themselves.
type Summarizer interface {
	Summary() string
}

// ItemErrorer is implemented by reports of runs whose items can fail one
// by one (objects Weaviate refused): their errors go into Report.Errors,
// and a run that did not fail outright ends in attention.
type ItemErrorer interface {
	ItemErrors() []string
}

// Filler is implemented by reports that fill in more of the run report
// than a summary: an ingestion's figures per source, its findings, item
// errors and commit.
type Filler interface {
	FillRun(r *Report)
}

// isNil reports whether v is nil or a nil pointer (a report not made).
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	return rv.Kind() == reflect.Pointer && rv.IsNil()
}

// Options are the optional parts of a recorded run.
type Options struct {
	Job     string // default: kind
	Trigger string // default: Manual
	End     time.Time
}

// Record writes the report of a run that started at start and ended now.
// report is the run's own result (any value, ideally a Filler or a
// Summarizer, and an ItemErrorer when items can fail); runErr is the run's error, nil on success.
// Manual commands call it after their run, whatever the outcome, so that
// `kbops runs` shows every run. A failure to write the report is returned
// but should not change the command's own outcome.
func Record(ws *workspace.Workspace, kind string, start time.Time, report any, runErr error, opts ...Options) (Report, error) {
	var o Options
	if len(opts) > 0 {
		o = opts[0]
	}
	r := Build(kind, start, report, runErr, o)
	return r, Save(ws, r)
}

// Build makes the report without writing it.
func Build(kind string, start time.Time, report any, runErr error, o Options) Report {
	end := o.End
	if end.IsZero() {
		end = time.Now()
	}
	host, _ := os.Hostname()
	r := Report{
		ID: NewID(kind, start), Kind: kind, Job: o.Job, Trigger: o.Trigger, Host: host, PID: os.Getpid(),
		Start: start.UTC(), End: end.UTC(), Seconds: end.Sub(start).Seconds(), Outcome: Success,
	}
	if r.Job == "" {
		r.Job = kind
	}
	if r.Trigger == "" {
		r.Trigger = Manual
	}
	if !isNil(report) {
		switch rep := report.(type) {
		case Filler:
			rep.FillRun(&r)
		case Summarizer:
			r.Summary = rep.Summary()
		}
		if ie, ok := report.(ItemErrorer); ok {
			r.Errors = append(r.Errors, ie.ItemErrors()...)
		}
	}
	if report != nil {
		if b, err := json.Marshal(report); err == nil && string(b) != "null" {
			r.Detail = b
		}
	}
	if len(r.Errors) > 0 {
		r.Outcome = Attention
	}
	if runErr != nil {
		r.Outcome, r.Error = Failed, runErr.Error()
		if r.Summary == "" {
			r.Summary = "failed: " + runErr.Error()
		}
	}
	return r
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// NewID returns a report id that sorts by start time.
func NewID(kind string, start time.Time) string {
	var b [2]byte
	_, _ = rand.Read(b[:])
	safe := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(kind))
	return start.UTC().Format("20060102T150405Z") + "-" + safe + "-" + hex.EncodeToString(b[:])
}

// Folder returns the run report folder of a workspace.
func Folder(ws *workspace.Workspace) string {
	return filepath.Join(ws.Root, workspace.StateDir, Dir)
}

// Save writes a report atomically (temporary file, then rename), so a
// reader never sees half a report.
func Save(ws *workspace.Workspace, r Report) error {
	dir := Folder(ws)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("run report: create %s: %w", dir, err)
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("run report %s: %w", r.ID, err)
	}
	p := filepath.Join(dir, r.ID+".json")
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("run report: write %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, p); err != nil {
		return fmt.Errorf("run report: %w", err)
	}
	return nil
}

// List returns the reports, newest first. Unreadable files are skipped
// and returned as problems naming the file.
func List(ws *workspace.Workspace) ([]Report, []error) {
	dir := Folder(ws)
	ents, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, []error{fmt.Errorf("run reports: %w", err)}
	}
	var out []Report
	var problems []error
	for _, e := range ents {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		r, err := readFile(filepath.Join(dir, e.Name()))
		if err != nil {
			problems = append(problems, err)
			continue
		}
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		if !out[i].Start.Equal(out[j].Start) {
			return out[i].Start.After(out[j].Start)
		}
		return out[i].ID > out[j].ID
	})
	return out, problems
}

func readFile(p string) (Report, error) {
	var r Report
	b, err := os.ReadFile(p)
	if err != nil {
		return r, fmt.Errorf("run report %s: %w", p, err)
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return r, fmt.Errorf("run report %s: %w; delete the file if it is damaged", p, err)
	}
	return r, nil
}

// ErrNotFound is returned by Get for an unknown id.
var ErrNotFound = errors.New("no such run")

// Get returns the report with this id, or the only one whose id starts
// with it.
func Get(ws *workspace.Workspace, id string) (Report, error) {
	id = strings.TrimSuffix(filepath.Base(id), ".json")
	if r, err := readFile(filepath.Join(Folder(ws), id+".json")); err == nil {
		return r, nil
	}
	all, _ := List(ws)
	var match []Report
	for _, r := range all {
		if strings.HasPrefix(r.ID, id) {
			match = append(match, r)
		}
	}
	switch len(match) {
	case 1:
		return match[0], nil
	case 0:
		return Report{}, fmt.Errorf("run %q: %w in %s; list them with `kbops runs`", id, ErrNotFound, Folder(ws))
	default:
		return Report{}, fmt.Errorf("run %q is ambiguous: %d runs start with it; give more of the id", id, len(match))
	}
}

// LastSuccess returns the end of the newest run of job that did not fail
// (success or attention), and false when there is none.
func LastSuccess(ws *workspace.Workspace, job string) (time.Time, bool) {
	all, _ := List(ws)
	for _, r := range all {
		if r.Job == job && (r.Outcome == Success || r.Outcome == Attention) {
			return r.End, true
		}
	}
	return time.Time{}, false
}

// Prune deletes all but the newest keep reports and returns how many it
// deleted.
func Prune(ws *workspace.Workspace, keep int) (int, error) {
	all, _ := List(ws)
	n := 0
	for i := keep; i < len(all); i++ {
		if err := os.Remove(filepath.Join(Folder(ws), all[i].ID+".json")); err != nil && !errors.Is(err, os.ErrNotExist) {
			return n, fmt.Errorf("prune run reports: %w", err)
		}
		n++
	}
	return n, nil
}

// WriteText prints a report for people: the header line, the summary,
// then errors and findings.
func WriteText(w io.Writer, r Report) {
	fmt.Fprintf(w, "run %s\n", r.ID)
	fmt.Fprintf(w, "  %s (%s, job %s) on %s pid %d\n", r.Kind, r.Trigger, r.Job, r.Host, r.PID)
	fmt.Fprintf(w, "  started %s, took %s: %s\n", r.Start.Local().Format(time.DateTime), (time.Duration(r.Seconds * float64(time.Second))).Round(time.Millisecond), r.Outcome)
	if r.Error != "" {
		fmt.Fprintf(w, "  error: %s\n", r.Error)
	}
	for _, l := range strings.Split(strings.TrimSpace(r.Summary), "\n") {
		if l != "" {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "  error: %s\n", e)
	}
	for i, f := range r.Findings {
		if i == 20 {
			fmt.Fprintf(w, "  … and %d more findings (kbops runs show --json %s)\n", len(r.Findings)-20, r.ID)
			break
		}
		fmt.Fprintf(w, "  finding: %s\n", f)
	}
}

// Line is a one-line listing of a report for `kbops runs`.
func Line(r Report) string {
	first, _, _ := strings.Cut(strings.TrimSpace(r.Summary), "\n")
	if n := strings.Count(strings.TrimSpace(r.Summary), "\n"); n > 0 {
		first += fmt.Sprintf(" (+%d lines)", n)
	}
	return fmt.Sprintf("%s  %-9s %-9s %6.1fs  %s", r.ID, r.Outcome, r.Trigger, r.Seconds, first)
}
