package tracks

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// DueDir is the repository folder of due files.
const DueDir = "due"

// Tracks.
const (
	Regular   = "regular"
	Triggered = "triggered"
	Feedback  = "feedback"
)

// DuePath is the repository path of a unit's due file.
func DuePath(id string) string { return DueDir + "/" + id + ".yaml" }

// Entry is one reason a unit went back to review.
type Entry struct {
	Track  string    `yaml:"track" json:"track"`
	Reason string    `yaml:"reason" json:"reason"`
	Since  time.Time `yaml:"since" json:"since"`
	By     string    `yaml:"by,omitempty" json:"by,omitempty"`
}

// Confirmation records that an owner checked a due unit and it still
// holds.
type Confirmation struct {
	By          string    `yaml:"by" json:"by"`
	At          time.Time `yaml:"at" json:"at"`
	ContentHash string    `yaml:"content_hash" json:"content_hash"`
	Comment     string    `yaml:"comment,omitempty" json:"comment,omitempty"`
}

// DueFile is due/<unit id>.yaml.
type DueFile struct {
	Unit string `yaml:"unit"`
	// ContentHash and Version are the content the open entries are about;
	// a new version resolves them.
	ContentHash string        `yaml:"content_hash"`
	Version     int           `yaml:"version"`
	Open        []Entry       `yaml:"open,omitempty"`
	Confirmed   *Confirmation `yaml:"confirmed,omitempty"`
}

// OpenFor returns the entries that are open for u's current content.
func (f *DueFile) OpenFor(u *knowledge.Unit) []Entry {
	if f == nil || u == nil || f.ContentHash != u.ContentHash {
		return nil
	}
	return f.Open
}

func marshalDue(f DueFile) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("# Review due for " + f.Unit + ": written by kbops (regular sweep, `kbops trigger`, `kbops feedback import`);\n# cleared by a new version of the unit or by `kbops due confirm`. See docs/operations.md.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(&f); err != nil {
		return nil, fmt.Errorf("encode due file of %s: %w", f.Unit, err)
	}
	_ = enc.Close()
	return b.Bytes(), nil
}

func parseDue(name string, b []byte) (DueFile, error) {
	var f DueFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return f, fmt.Errorf("%s: %w; fix or delete the file", name, err)
	}
	return f, nil
}

// State is the review state the tracks work on: the units and due files
// of the branch that changes go to (the review branch, or main when there
// is none), and main's snapshot (what is approved and published).
type State struct {
	Base     plumbing.Hash // tip the next commit builds on
	Branch   string        // the review branch
	Snap     *reviews.Snapshot
	Main     *reviews.Snapshot // nil when main does not exist
	Due      map[string]*DueFile
	Problems []error
}

// Load reads the state of the workspace's repository.
func Load(ctx context.Context, ws *workspace.Workspace) (*State, error) {
	cfg := ws.Config
	st := &State{Branch: cfg.Review.Branch, Due: map[string]*DueFile{}}
	mh, okMain, err := ws.Repo.Branch(cfg.Review.Main)
	if err != nil {
		return nil, err
	}
	if okMain {
		if st.Main, err = reviews.Load(ctx, ws.Repo, mh); err != nil {
			return nil, err
		}
	}
	base, ok, err := ws.Repo.Branch(cfg.Review.Branch)
	if err != nil {
		return nil, err
	}
	if !ok {
		if !okMain {
			return nil, fmt.Errorf("neither %s nor %s exists in %s: run `kbops init` and `kbops ingest` first", cfg.Review.Main, cfg.Review.Branch, ws.Root)
		}
		base = mh
	}
	st.Base = base
	if st.Main != nil && base == st.Main.Commit {
		st.Snap = st.Main // no review branch, or one that equals main: read once
	} else if st.Snap, err = reviews.Load(ctx, ws.Repo, base); err != nil {
		return nil, err
	}
	for p, e := range st.Snap.Tree {
		if !strings.HasPrefix(p, DueDir+"/") || !strings.HasSuffix(p, ".yaml") {
			continue
		}
		b, err := ws.Repo.Read(e.Hash)
		if err != nil {
			return nil, err
		}
		f, err := parseDue(p, b)
		if err != nil {
			st.Problems = append(st.Problems, err)
			continue
		}
		st.Due[f.Unit] = &f
	}
	return st, nil
}

// OpenDue returns the units with open entries for their current content,
// sorted by id, with the entries.
func (s *State) OpenDue() []DueUnit {
	var out []DueUnit
	for id, f := range s.Due {
		u := s.Snap.Units[id]
		if e := f.OpenFor(u); len(e) > 0 {
			out = append(out, DueUnit{ID: id, Owner: u.Owner, Product: u.Product, Entries: e})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// DueUnit is a unit with open due entries.
type DueUnit struct {
	ID      string  `json:"id"`
	Owner   string  `json:"owner"`
	Product string  `json:"product,omitempty"`
	Entries []Entry `json:"entries"`
}

// LastReviewed returns when u's current content was last reviewed: the
// latest approval of its current content hash, or a later confirmation.
// Zero when neither exists.
func LastReviewed(u *knowledge.Unit, recs []reviews.Record, due *DueFile) time.Time {
	var last time.Time
	for _, r := range recs {
		if r.ContentHash == u.ContentHash && r.Verdict == reviews.Approved && r.At.After(last) {
			last = r.At
		}
	}
	if due != nil && due.Confirmed != nil && due.Confirmed.ContentHash == u.ContentHash && due.Confirmed.At.After(last) {
		last = due.Confirmed.At
	}
	return last
}

// Item asks for one unit to go back to review.
type Item struct {
	Unit  string
	Entry Entry
}

// Result says what a send-back or confirmation did.
type Result struct {
	Track    string   `json:"track"`
	Units    []string `json:"units"`              // units whose due file changed
	Already  int      `json:"already_due"`        // units that were already due for the same reason
	Commit   string   `json:"commit,omitempty"`   // commit on the review branch
	Branch   string   `json:"branch"`             //
	Problems []string `json:"problems,omitempty"` // units left out, with why
}

// Summary is the one-line description for run reports.
func (r Result) Summary() string {
	s := fmt.Sprintf("%s: %d units sent back, %d already due", r.Track, len(r.Units), r.Already)
	if r.Commit != "" {
		s += fmt.Sprintf("; committed %s to %s", r.Commit[:12], r.Branch)
	}
	if len(r.Problems) > 0 {
		s += fmt.Sprintf("; %d problems", len(r.Problems))
	}
	return s
}

// SendBack records the items as open due entries in one commit on the
// review branch, authored by author ("Name <email>"). A unit that already
// has an open entry of the same track and reason for its current content
// is left as it is, so repeating a send-back writes nothing. Callers hold
// the lock.Repo lock.
func SendBack(ctx context.Context, ws *workspace.Workspace, st *State, track string, items []Item, author string, now time.Time) (Result, error) {
	ctx, unlock, err := ws.Repo.WriteLock(ctx, "kbops sendback", true)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	res := Result{Track: track, Branch: st.Branch}
	now = now.UTC().Truncate(time.Second)
	var changes []kbrepo.Change
	changed := map[string]*DueFile{}
	for _, it := range items {
		u := st.Snap.Units[it.Unit]
		if u == nil {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: no such unit on %s", it.Unit, st.Branch))
			continue
		}
		if u.Status != knowledge.StatusActive {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: retired, not sent back", it.Unit))
			continue
		}
		f := changed[u.ID]
		if f == nil {
			f = &DueFile{Unit: u.ID}
			if old := st.Due[u.ID]; old != nil {
				cp := *old
				f = &cp
			}
		}
		if f.ContentHash != u.ContentHash {
			f.ContentHash, f.Version, f.Open = u.ContentHash, u.Version, nil
		}
		dup := false
		for _, e := range f.Open {
			if e.Track == it.Entry.Track && (e.Reason == it.Entry.Reason || e.Track != Triggered) {
				dup = true
			}
		}
		if dup {
			if changed[u.ID] == nil {
				res.Already++
			}
			continue
		}
		e := it.Entry
		if e.Since.IsZero() {
			e.Since = now
		}
		f.Open = append(append([]Entry(nil), f.Open...), e)
		changed[u.ID] = f
	}
	ids := make([]string, 0, len(changed))
	for id := range changed {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		b, err := marshalDue(*changed[id])
		if err != nil {
			return res, err
		}
		changes = append(changes, kbrepo.Change{Path: DuePath(id), Data: b})
	}
	res.Units = ids
	if len(changes) == 0 {
		return res, nil
	}
	msg := message(fmt.Sprintf("review-due (%s): %d unit(s) sent back to their owners", track, len(ids)), st, ids, changed)
	h, err := commit(ctx, ws, st, changes, msg, author, now)
	if err != nil {
		return res, err
	}
	res.Commit = h
	for id, f := range changed {
		st.Due[id] = f
	}
	return res, nil
}

func message(title string, st *State, ids []string, files map[string]*DueFile) string {
	var b strings.Builder
	b.WriteString(title + "\n\n")
	byOwner := map[string][]string{}
	for _, id := range ids {
		o := st.Snap.Units[id].Owner
		line := id
		if f := files[id]; f != nil && len(f.Open) > 0 {
			line += " — " + f.Open[len(f.Open)-1].Reason
		}
		byOwner[o] = append(byOwner[o], line)
	}
	owners := make([]string, 0, len(byOwner))
	for o := range byOwner {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		fmt.Fprintf(&b, "Owner %s (%d):\n", o, len(byOwner[o]))
		for i, l := range byOwner[o] {
			if i == 50 {
				fmt.Fprintf(&b, "  … and %d more\n", len(byOwner[o])-50)
				break
			}
			fmt.Fprintf(&b, "  - %s\n", l)
		}
	}
	b.WriteString("\nCheck each unit: edit it (a new version goes through review), or confirm it still holds with `kbops due confirm`.\n")
	return b.String()
}

func commit(ctx context.Context, ws *workspace.Workspace, st *State, changes []kbrepo.Change, msg, author string, now time.Time) (string, error) {
	if author == "" {
		author = ws.Config.Git.Author
	}
	sig, err := kbrepo.Signature(author, now)
	if err != nil {
		return "", fmt.Errorf("author: %w", err)
	}
	h, err := ws.Repo.Commit(ctx, kbrepo.CommitOptions{Branch: st.Branch, Parents: []plumbing.Hash{st.Base}, Changes: changes, Message: msg, Author: sig})
	if err != nil {
		return "", fmt.Errorf("commit to %s: %w", st.Branch, err)
	}
	st.Base = h
	return h.String(), nil
}

// Sweep is the regular track: every active, approved unit on main whose
// tier has an interval (review.intervals, days) and whose last review is
// older than it goes back to its owner.
func Sweep(ctx context.Context, ws *workspace.Workspace, now time.Time) (Result, error) {
	ctx, unlock, err := ws.Repo.WriteLock(ctx, "kbops sweep", true)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	st, err := Load(ctx, ws)
	if err != nil {
		return Result{Track: Regular}, err
	}
	items := DueByInterval(st, ws.Config.Review.Intervals, now)
	return SendBack(ctx, ws, st, Regular, items, "", now)
}

// DueByInterval lists the units on main past their tier's interval.
func DueByInterval(st *State, intervals map[knowledge.Tier]int, now time.Time) []Item {
	if st.Main == nil || len(intervals) == 0 {
		return nil
	}
	var items []Item
	for _, id := range st.Main.IDs() {
		u := st.Main.Units[id]
		days, ok := intervals[u.Tier]
		if !ok || days <= 0 || u.Status != knowledge.StatusActive {
			continue
		}
		last := LastReviewed(u, st.Main.Records[id], st.Due[id])
		if last.IsZero() {
			continue // never approved: it waits for its first review anyway
		}
		if now.Sub(last) > time.Duration(days)*24*time.Hour {
			items = append(items, Item{Unit: id, Entry: Entry{Track: Regular,
				Reason: fmt.Sprintf("last reviewed %s; %s units are reviewed every %d days", last.Format(time.DateOnly), u.Tier, days)}})
		}
	}
	return items
}

// Trigger is the triggered track: all active units of product go back
// with reason.
func Trigger(ctx context.Context, ws *workspace.Workspace, product, reason, by string, now time.Time) (Result, error) {
	ctx, unlock, err := ws.Repo.WriteLock(ctx, "kbops trigger", true)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	st, err := Load(ctx, ws)
	if err != nil {
		return Result{Track: Triggered}, err
	}
	var items []Item
	for _, id := range st.Snap.IDs() {
		u := st.Snap.Units[id]
		if strings.EqualFold(u.Product, product) && u.Status == knowledge.StatusActive {
			items = append(items, Item{Unit: id, Entry: Entry{Track: Triggered, Reason: reason, By: by}})
		}
	}
	if len(items) == 0 {
		return Result{Track: Triggered, Branch: st.Branch}, fmt.Errorf("no active units of product %q on %s; check the product name with `kbops health`", product, st.Branch)
	}
	return SendBack(ctx, ws, st, Triggered, items, by, now)
}

// Confirm records that reviewer checked the given due units and they still
// hold: their open entries are cleared and the confirmation is kept. Only
// people who may approve a unit's technical stage (OWNERS) may confirm it.
func Confirm(ctx context.Context, ws *workspace.Workspace, reviewer string, ids []string, comment string, now time.Time) (Result, error) {
	ctx, unlock, err := ws.Repo.WriteLock(ctx, "kbops confirm", true)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	res := Result{Track: "confirm"}
	st, err := Load(ctx, ws)
	if err != nil {
		return res, err
	}
	res.Branch = st.Branch
	now = now.UTC().Truncate(time.Second)
	var changes []kbrepo.Change
	files := map[string]*DueFile{}
	for _, id := range ids {
		u, f := st.Snap.Units[id], st.Due[id]
		if u == nil {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: no such unit on %s", id, st.Branch))
			continue
		}
		if len(f.OpenFor(u)) == 0 {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: not due for review", id))
			continue
		}
		if ok, allowed := st.Snap.Owners.May(reviewer, reviews.Technical, u); !ok {
			res.Problems = append(res.Problems, fmt.Sprintf("%s: %s may not confirm it (allowed: %s; see OWNERS)", id, reviews.Identity(reviewer), strings.Join(allowed, ", ")))
			continue
		}
		cp := *f
		cp.Open = nil
		cp.Confirmed = &Confirmation{By: reviews.Identity(reviewer), At: now, ContentHash: u.ContentHash, Comment: comment}
		b, err := marshalDue(cp)
		if err != nil {
			return res, err
		}
		files[id] = &cp
		changes = append(changes, kbrepo.Change{Path: DuePath(id), Data: b})
		res.Units = append(res.Units, id)
	}
	if len(changes) == 0 {
		return res, nil
	}
	msg := fmt.Sprintf("review-due: %d unit(s) confirmed by %s\n\n", len(res.Units), reviews.Identity(reviewer))
	for _, id := range res.Units {
		msg += "- " + id + "\n"
	}
	h, err := commit(ctx, ws, st, changes, msg, reviewer, now)
	if err != nil {
		return res, err
	}
	res.Commit = h
	return res, nil
}
