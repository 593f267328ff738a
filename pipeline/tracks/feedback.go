package tracks

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kbops/kbops/pipeline/workspace"
)

// Feedback reasons the front-end sends.
var Reasons = []string{"inaccurate", "outdated", "unclear", "missing"}

// Thresholds decide when feedback sends a unit back. Only feedback given
// after the unit's last review counts, so a confirmed or edited unit
// starts afresh.
type Thresholds struct {
	// MinRatings is how many ratings a unit needs before its average
	// counts (default 3).
	MinRatings int `yaml:"min_ratings" json:"min_ratings"`
	// MaxAverage: an average rating (1–5) at or below it sends the unit
	// back (default 2.5).
	MaxAverage float64 `yaml:"max_average" json:"max_average"`
	// Reasons: this many reports of a reason send the unit back (defaults
	// inaccurate 1, outdated 2, unclear 3, missing 3).
	Reasons map[string]int `yaml:"reasons" json:"reasons"`
	// MinRetrievals, MaxEffectiveness and WindowDays are the usage rule:
	// a unit retrieved at least MinRetrievals times in the last WindowDays
	// days, rated at least twice there, with an effectiveness (0–1) at or
	// below MaxEffectiveness goes back (defaults 20, 0.25, 30).
	MinRetrievals    int     `yaml:"min_retrievals" json:"min_retrievals"`
	MaxEffectiveness float64 `yaml:"max_effectiveness" json:"max_effectiveness"`
	WindowDays       int     `yaml:"window_days" json:"window_days"`
}

// DefaultThresholds are the thresholds without serve.yaml.
func DefaultThresholds() Thresholds {
	return Thresholds{MinRatings: 3, MaxAverage: 2.5, Reasons: map[string]int{"inaccurate": 1, "outdated": 2, "unclear": 3, "missing": 3},
		MinRetrievals: 20, MaxEffectiveness: 0.25, WindowDays: 30}
}

// Merge returns t with the set fields of o.
func (t Thresholds) Merge(o Thresholds) Thresholds {
	if o.MinRatings != 0 {
		t.MinRatings = o.MinRatings
	}
	if o.MaxAverage != 0 {
		t.MaxAverage = o.MaxAverage
	}
	if o.MinRetrievals != 0 {
		t.MinRetrievals = o.MinRetrievals
	}
	if o.MaxEffectiveness != 0 {
		t.MaxEffectiveness = o.MaxEffectiveness
	}
	if o.WindowDays != 0 {
		t.WindowDays = o.WindowDays
	}
	if len(o.Reasons) > 0 {
		m := map[string]int{}
		for k, v := range t.Reasons {
			m[k] = v
		}
		for k, v := range o.Reasons {
			m[k] = v
		}
		t.Reasons = m
	}
	return t
}

// Row is one piece of feedback from the agent front-end.
type Row struct {
	Unit    string    `json:"unit_id"`
	Rating  float64   `json:"rating,omitempty"` // 1–5; 0 when none
	Reason  string    `json:"reason,omitempty"`
	Comment string    `json:"comment,omitempty"`
	Query   string    `json:"query,omitempty"`
	Time    time.Time `json:"time"`
	Key     string    `json:"key"` // dedup key: hash of the row
}

// FeedbackFile is where imported feedback is kept, under .kbops (it holds
// end users' queries and comments, so it stays local and `kbops forget`
// scrubs it).
func FeedbackFile(ws *workspace.Workspace) string {
	return filepath.Join(ws.Root, workspace.StateDir, "feedback", "feedback.jsonl")
}

// ParseFeedback reads CSV (with a header row) or JSONL. Columns / keys:
// unit_id (or unit, id), rating (1–5, or up/down), reason, comment, query,
// time (RFC 3339 or YYYY-MM-DD). Bad rows are returned as problems with
// their line and the rest is read.
func ParseFeedback(name string, r io.Reader) ([]Row, []error) {
	return parse(name, r, false)
}

// ParseUsage reads a retrieval log in the same formats: unit_id and time
// per row (query optional); each row says a query retrieved the unit.
func ParseUsage(name string, r io.Reader) ([]Row, []error) {
	return parse(name, r, true)
}

func parse(name string, r io.Reader, usage bool) ([]Row, []error) {
	br := bufio.NewReader(r)
	peek, _ := br.Peek(512)
	trim := bytes.TrimLeft(bytes.TrimPrefix(peek, []byte("\xef\xbb\xbf")), " \t\r\n")
	if len(trim) > 0 && trim[0] == '{' {
		return parseJSONL(name, br, usage)
	}
	return parseCSV(name, br, usage)
}

func parseJSONL(name string, r io.Reader, usage bool) ([]Row, []error) {
	var rows []Row
	var errs []error
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		s := strings.TrimSpace(strings.TrimPrefix(sc.Text(), "\xef\xbb\xbf"))
		if s == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(s), &m); err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: not a JSON object: %v", name, line, err))
			continue
		}
		f := map[string]string{}
		for k, v := range m {
			switch x := v.(type) {
			case string:
				f[strings.ToLower(k)] = x
			case float64:
				f[strings.ToLower(k)] = strconv.FormatFloat(x, 'f', -1, 64)
			case bool:
				f[strings.ToLower(k)] = strconv.FormatBool(x)
			}
		}
		row, err := rowOf(f, usage)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			continue
		}
		rows = append(rows, row)
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", name, err))
	}
	return rows, errs
}

func parseCSV(name string, r io.Reader, usage bool) ([]Row, []error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err != nil {
		return nil, []error{fmt.Errorf("%s: no header row: %w; the first line names the columns (unit_id,rating,reason,comment,query,time)", name, err)}
	}
	for i := range head {
		head[i] = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(head[i], "\xef\xbb\xbf")))
	}
	var rows []Row
	var errs []error
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			continue
		}
		f := map[string]string{}
		for i, v := range rec {
			if i < len(head) {
				f[head[i]] = v
			}
		}
		row, err := rowOf(f, usage)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", name, line, err))
			continue
		}
		rows = append(rows, row)
	}
	return rows, errs
}

func rowOf(f map[string]string, usage bool) (Row, error) {
	var r Row
	for _, k := range []string{"unit_id", "unit", "id"} {
		if v := strings.TrimSpace(f[k]); v != "" {
			r.Unit = v
			break
		}
	}
	if r.Unit == "" {
		return r, errors.New("no unit_id")
	}
	switch v := strings.ToLower(strings.TrimSpace(f["rating"])); v {
	case "":
	case "up", "+1", "thumbs_up", "good":
		r.Rating = 5
	case "down", "-1", "thumbs_down", "bad":
		r.Rating = 1
	default:
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || x < 1 || x > 5 {
			return r, fmt.Errorf("rating %q is not 1–5, up or down", f["rating"])
		}
		r.Rating = x
	}
	r.Reason = strings.ToLower(strings.TrimSpace(f["reason"]))
	r.Comment, r.Query = f["comment"], f["query"]
	ts := strings.TrimSpace(f["time"])
	if ts == "" {
		ts = strings.TrimSpace(f["timestamp"])
	}
	if ts == "" {
		return r, errors.New("no time")
	}
	t, err := time.Parse(time.RFC3339, ts)
	if err != nil {
		if t, err = time.Parse(time.DateOnly, ts); err != nil {
			return r, fmt.Errorf("time %q is not RFC 3339 (2026-01-31T10:00:00Z) or a date", ts)
		}
	}
	r.Time = t.UTC()
	if r.Rating == 0 && r.Reason == "" && !usage {
		return r, errors.New("neither rating nor reason")
	}
	h := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%v\x00%s\x00%s\x00%s\x00%s", r.Unit, r.Rating, r.Reason, r.Comment, r.Query, r.Time.Format(time.RFC3339))))
	r.Key = hex.EncodeToString(h[:12])
	return r, nil
}

// LoadFeedback reads the stored feedback; a missing file gives none.
func LoadFeedback(ws *workspace.Workspace) ([]Row, error) {
	rows, _, err := loadRows(FeedbackFile(ws))
	return rows, err
}

func loadRows(p string) ([]Row, bool, error) {
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", p, err)
	}
	var rows []Row
	for i, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) == 0 {
			continue
		}
		var r Row
		if err := json.Unmarshal(l, &r); err != nil {
			return nil, true, fmt.Errorf("%s:%d: %w; the file is kbops's own store: restore it or delete the line", p, i+1, err)
		}
		rows = append(rows, r)
	}
	return rows, true, nil
}

// SaveFeedback replaces the stored feedback atomically.
func SaveFeedback(ws *workspace.Workspace, rows []Row) error {
	return saveRows(FeedbackFile(ws), rows)
}

func saveRows(p string, rows []Row) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("feedback store: %w", err)
	}
	var b bytes.Buffer
	for _, r := range rows {
		j, _ := json.Marshal(r)
		b.Write(append(j, '\n'))
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b.Bytes(), 0o600); err != nil {
		return fmt.Errorf("feedback store: %w", err)
	}
	return os.Rename(tmp, p)
}

// ImportResult says what a feedback import did.
type ImportResult struct {
	Read      int      `json:"rows_read"`
	New       int      `json:"rows_new"`
	Duplicate int      `json:"rows_duplicate"`
	Unknown   int      `json:"rows_unknown_unit"`
	Problems  []string `json:"problems,omitempty"`
	SendBack  Result   `json:"send_back"`
}

// Summary is the one-line description for run reports.
func (r ImportResult) Summary() string {
	return fmt.Sprintf("feedback: %d rows read, %d new, %d already imported, %d for unknown units, %d bad; %s",
		r.Read, r.New, r.Duplicate, r.Unknown, len(r.Problems), r.SendBack.Summary())
}

// Import adds rows to the store (rows already imported are skipped, so
// importing a file twice changes nothing), then sends back the units
// whose feedback since their last review crosses the thresholds. Callers
// hold the lock.Repo lock.
func Import(ctx context.Context, ws *workspace.Workspace, rows []Row, th Thresholds, now time.Time) (ImportResult, error) {
	ctx, unlock, err := ws.Repo.WriteLock(ctx, "kbops feedback import", true)
	if err != nil {
		return ImportResult{}, err
	}
	defer unlock()
	res := ImportResult{Read: len(rows)}
	st, err := Load(ctx, ws)
	if err != nil {
		return res, err
	}
	stored, err := LoadFeedback(ws)
	if err != nil {
		return res, err
	}
	seen := map[string]bool{}
	for _, r := range stored {
		seen[r.Key] = true
	}
	for _, r := range rows {
		if seen[r.Key] {
			res.Duplicate++
			continue
		}
		if st.Snap.Units[r.Unit] == nil && (st.Main == nil || st.Main.Units[r.Unit] == nil) {
			res.Unknown++
			res.Problems = append(res.Problems, fmt.Sprintf("unit %s: not in the knowledge repository (kept, in case it comes back)", r.Unit))
		}
		seen[r.Key] = true
		stored = append(stored, r)
		res.New++
	}
	if res.New > 0 {
		if err := SaveFeedback(ws, stored); err != nil {
			return res, err
		}
	}
	retrievals, _, err := LoadRetrievals(ws)
	if err != nil {
		return res, err
	}
	items := mergeItems(DueByFeedback(st, stored, th), dueByUsage(st, retrievals, stored, th, now))
	res.SendBack, err = SendBack(ctx, ws, st, Feedback, items, "", now)
	return res, err
}

// Score is a unit's feedback since its last review.
type Score struct {
	Ratings int            `json:"ratings"`
	Average float64        `json:"average"` // 0 without ratings
	Reasons map[string]int `json:"reasons,omitempty"`
	All     int            `json:"all_time"` // rows ever, including before the last review
}

// Scores sums the feedback per unit; only rows after the unit's last
// review count towards Ratings, Average and Reasons.
func Scores(st *State, rows []Row) map[string]*Score {
	out := map[string]*Score{}
	for _, r := range rows {
		s := out[r.Unit]
		if s == nil {
			s = &Score{Reasons: map[string]int{}}
			out[r.Unit] = s
		}
		s.All++
		if u := st.Snap.Units[r.Unit]; u != nil {
			var recs = st.Snap.Records[r.Unit]
			if last := LastReviewed(u, recs, st.Due[r.Unit]); !last.IsZero() && !r.Time.After(last) {
				continue
			}
		}
		if r.Rating > 0 {
			s.Average = (s.Average*float64(s.Ratings) + r.Rating) / float64(s.Ratings+1)
			s.Ratings++
		}
		if r.Reason != "" {
			s.Reasons[r.Reason]++
		}
	}
	return out
}

// DueByFeedback lists the units whose feedback crosses the thresholds.
func DueByFeedback(st *State, rows []Row, th Thresholds) []Item {
	scores := Scores(st, rows)
	ids := make([]string, 0, len(scores))
	for id := range scores {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var items []Item
	for _, id := range ids {
		s := scores[id]
		if st.Snap.Units[id] == nil {
			continue
		}
		var why []string
		if s.Ratings >= th.MinRatings && th.MinRatings > 0 && s.Average <= th.MaxAverage {
			why = append(why, fmt.Sprintf("average rating %.1f of %d", s.Average, s.Ratings))
		}
		reasons := make([]string, 0, len(s.Reasons))
		for r := range s.Reasons {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		for _, r := range reasons {
			if n := th.Reasons[r]; n > 0 && s.Reasons[r] >= n {
				why = append(why, fmt.Sprintf("%s ×%d", r, s.Reasons[r]))
			}
		}
		if len(why) > 0 {
			items = append(items, Item{Unit: id, Entry: Entry{Track: Feedback, Reason: "feedback: " + strings.Join(why, ", ")}})
		}
	}
	return items
}

// UsageFile is where imported retrievals are kept (local, like feedback).
func UsageFile(ws *workspace.Workspace) string {
	return filepath.Join(ws.Root, workspace.StateDir, "feedback", "usage.jsonl")
}

// ImportUsage adds retrieval rows to the usage store; rows already
// imported are skipped. It returns how many were new and how many
// duplicates.
func ImportUsage(ws *workspace.Workspace, rows []Row) (added, dup int, err error) {
	stored, _, err := loadRows(UsageFile(ws))
	if err != nil {
		return 0, 0, err
	}
	seen := map[string]bool{}
	for _, r := range stored {
		seen[r.Key] = true
	}
	for _, r := range rows {
		if seen[r.Key] {
			dup++
			continue
		}
		seen[r.Key] = true
		stored = append(stored, r)
		added++
	}
	if added > 0 {
		err = saveRows(UsageFile(ws), stored)
	}
	return added, dup, err
}

// LoadUsage returns retrievals per unit, and false when no usage data was
// ever imported.
func LoadUsage(ws *workspace.Workspace) (map[string]int, bool, error) {
	rows, ok, err := loadRows(UsageFile(ws))
	if err != nil || !ok {
		return nil, ok, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Unit]++
	}
	return out, true, nil
}
