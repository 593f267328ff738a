package release

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// PublishedFile is the record of what is live, under the state folder.
const PublishedFile = "published.json"

// Published is the content of .kbops/published.json: what is live, for
// people and for the next run.
type Published struct {
	Commit string `json:"commit"`
	// Collection is the base alias (weaviate.collection).
	Collection string `json:"collection"`
	// Aliases are the aliases written: the base alias, or one per access
	// level with weaviate.split_by_access.
	Aliases []string `json:"aliases,omitempty"`
	// Collections are the physical collections a reindex built.
	Collections []string  `json:"collections,omitempty"`
	Objects     int       `json:"objects"`
	At          time.Time `json:"at"`
}

// ErrRecord marks a run that changed Weaviate but could not write
// published.json: what is live is right, the record of it is not.
var ErrRecord = errors.New("could not record what is live")

// Record writes .kbops/published.json atomically (a temporary file, then a
// rename), so a reader never sees half of it. Its error wraps ErrRecord
// and names the file.
func Record(ws *workspace.Workspace, p Published) error {
	path, err := ws.State(PublishedFile)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrRecord, err)
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return fmt.Errorf("%w in %s: %w", ErrRecord, path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("%w in %s: %w; check that the folder is writable", ErrRecord, path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("%w in %s: %w; remove what is in its place, then publish again", ErrRecord, path, err)
	}
	return nil
}

// Options control Publish.
type Options struct {
	// DryRun plans and writes nothing (published.json included).
	DryRun bool
	// Repair reads every object in full (see publish.Options.Repair).
	Repair bool
	// Progress, when set, is told how many writes are done of how many,
	// per target.
	Progress func(done, total int)
	// Status, when set, receives one-line notes for people ("starting
	// embedded Weaviate …").
	Status func(string)
	// Now stamps published.json; nil means time.Now.
	Now func() time.Time
}

// Result is what a publish run did, summed over its targets.
type Result struct {
	// Plan, Written, Deleted and Failed are summed over the targets;
	// Plan.Collection is the base alias.
	publish.Result
	// Commit is main's commit that was published.
	Commit string `json:"commit"`
	DryRun bool   `json:"dry_run"`
	// Aliases are the aliases written, in order.
	Aliases []string `json:"aliases"`
	// Unapproved are the active units on main that lack approvals: left
	// out.
	Unapproved []reviews.UnitStatus `json:"unapproved,omitempty"`
	// Unreadable are unit files on main that cannot be read, by unit id;
	// what was published of them stays.
	Unreadable map[string]error `json:"-"`
	// Superseded are the approved units published marked superseded_by
	// the winner of a conflict, sorted by unit.
	Superseded []reviews.Supersession `json:"superseded,omitempty"`
}

// Summary describes the run for its run report.
func (r Result) Summary() string {
	var b strings.Builder
	if r.DryRun {
		fmt.Fprintf(&b, "plan for %s at %.12s: %d add, %d update, %d delete, %d unchanged", r.Plan.Collection, r.Commit,
			r.Plan.Count(publish.OpAdd), r.Plan.Count(publish.OpUpdate), r.Plan.Count(publish.OpDelete), r.Plan.Unchanged)
	} else {
		fmt.Fprintf(&b, "published %s at %.12s: %d written, %d deleted, %d unchanged, %d failed (plan: %d add, %d update, %d delete)",
			r.Plan.Collection, r.Commit, r.Written, r.Deleted, r.Plan.Unchanged, len(r.Failed),
			r.Plan.Count(publish.OpAdd), r.Plan.Count(publish.OpUpdate), r.Plan.Count(publish.OpDelete))
	}
	if len(r.Aliases) > 1 {
		fmt.Fprintf(&b, " into %s", strings.Join(r.Aliases, ", "))
	}
	if len(r.Unapproved) > 0 {
		fmt.Fprintf(&b, "; %d active units on main lack approvals", len(r.Unapproved))
	}
	if len(r.Unreadable) > 0 {
		fmt.Fprintf(&b, "; %d unit files on main cannot be read", len(r.Unreadable))
	}
	if len(r.Superseded) > 0 {
		fmt.Fprintf(&b, "; %d superseded by the winner of a conflict (left out of default search)", len(r.Superseded))
	}
	return b.String()
}

// ItemErrors are the objects Weaviate refused.
func (r Result) ItemErrors() []string { return r.Failed }

func (r *Result) add(alias string, x publish.Result) {
	r.Aliases = append(r.Aliases, alias)
	r.Written += x.Written
	r.Deleted += x.Deleted
	r.Failed = append(r.Failed, x.Failed...)
	r.Plan.Desired += x.Plan.Desired
	r.Plan.Actual += x.Plan.Actual
	r.Plan.Unchanged += x.Plan.Unchanged
	r.Plan.Kept += x.Plan.Kept
	r.Plan.Actions = append(r.Plan.Actions, x.Plan.Actions...)
}

// Publish makes Weaviate hold exactly the approved units on main: it
// loads main (LoadMain), opens every target (OpenTargets), reconciles and
// verifies each with the access levels it holds, and then records the
// run in published.json. It stops at the first target that fails; the
// Result holds what was done until then. Unapproved and unreadable units
// are not errors: they are in the Result, for the caller to report. The
// caller holds the publish lock (lock.Publish) and writes the run report.
func Publish(ctx context.Context, ws *workspace.Workspace, o Options) (Result, error) {
	m, err := LoadMain(ctx, ws)
	if err != nil {
		return Result{}, err
	}
	res := Result{Commit: m.Commit.String(), DryRun: o.DryRun, Unapproved: m.Unapproved, Unreadable: m.Unreadable}
	for _, s := range m.Superseded {
		res.Superseded = append(res.Superseded, s)
	}
	sort.Slice(res.Superseded, func(i, j int) bool { return res.Superseded[i].Unit < res.Superseded[j].Unit })
	res.Plan.Collection = ws.Config.Weaviate.Collection
	targets, done, err := OpenTargets(ctx, ws, o.Status)
	if err != nil {
		return res, err
	}
	defer done()
	for _, t := range targets {
		r, err := publish.Publish(ctx, t.Target, t.Units(m.Approved), publish.Options{
			DryRun: o.DryRun, Repair: o.Repair, Terms: m.Terms, Links: m.Links, Progress: o.Progress, Keep: m.Held, Hold: m.Hold,
			SupersededBy: m.SupersededBy(), Siblings: m.Siblings,
		})
		res.add(t.Alias, r)
		if err != nil {
			if len(targets) > 1 {
				return res, fmt.Errorf("%s: %w", t.Alias, err)
			}
			return res, err
		}
	}
	if o.DryRun {
		return res, nil
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	err = Record(ws, Published{Commit: res.Commit, Collection: res.Plan.Collection, Aliases: res.Aliases, Objects: res.Plan.Desired, At: now().UTC()})
	if err != nil {
		return res, fmt.Errorf("published main at %.12s, but %w", res.Commit, err)
	}
	return res, nil
}
