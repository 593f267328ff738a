package release

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// ReindexResult is what Reindex did, one result per target.
type ReindexResult struct {
	Commit  string                  `json:"commit"`
	Aliases []string                `json:"aliases"`
	Results []publish.ReindexResult `json:"results"`
	// Unapproved are the active units on main that lack approvals: left
	// out.
	Unapproved []reviews.UnitStatus `json:"-"`
}

// Summary describes the run for its run report.
func (r ReindexResult) Summary() string {
	var parts []string
	for _, x := range r.Results {
		parts = append(parts, fmt.Sprintf("%s → %s (%d objects)", orDash(x.Previous), x.Current, x.Objects))
	}
	return "reindexed " + strings.Join(parts, "; ")
}

// Reindex rebuilds every target from main in a new physical collection
// and moves its alias there (publish.Reindex), with the same units, access
// split and terms as Publish, keeping weaviate.keep collections; then it
// records the run in published.json. The caller holds the publish lock.
func Reindex(ctx context.Context, ws *workspace.Workspace, status func(string)) (ReindexResult, error) {
	m, err := LoadMain(ctx, ws)
	if err != nil {
		return ReindexResult{}, err
	}
	res := ReindexResult{Commit: m.Commit.String(), Unapproved: m.Unapproved}
	targets, done, err := OpenTargets(ctx, ws, status)
	if err != nil {
		return res, err
	}
	defer done()
	objects := 0
	var cols []string
	for _, t := range targets {
		r, err := publish.Reindex(ctx, t.Target, t.Units(m.Approved), publish.Options{Terms: m.Terms, Links: m.Links, SupersededBy: m.SupersededBy(), Siblings: m.Siblings}, ws.Config.Weaviate.Keep)
		if err != nil {
			if len(targets) > 1 {
				return res, fmt.Errorf("%s: %w", t.Alias, err)
			}
			return res, err
		}
		res.Aliases = append(res.Aliases, t.Alias)
		res.Results = append(res.Results, r)
		objects += r.Objects
		cols = append(cols, r.Current)
	}
	err = Record(ws, Published{Commit: res.Commit, Collection: ws.Config.Weaviate.Collection, Aliases: res.Aliases, Collections: cols, Objects: objects, At: time.Now().UTC()})
	if err != nil {
		return res, fmt.Errorf("reindexed main at %.12s, but %w", res.Commit, err)
	}
	return res, nil
}

// ErrRollbackNamed is returned when a collection is named for rollback
// while knowledge is split by access: one name cannot serve every level.
var ErrRollbackNamed = errors.New("with weaviate.split_by_access, rollback moves every access level's alias back one step; name no collection")

// Move is one alias moved by Rollback.
type Move struct {
	Alias string `json:"alias"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// RollbackResult is what Rollback did.
type RollbackResult struct {
	Moves []Move `json:"moves"`
}

// Summary describes the run for its run report.
func (r RollbackResult) Summary() string {
	var parts []string
	for _, m := range r.Moves {
		parts = append(parts, fmt.Sprintf("%s: %s → %s", m.Alias, orDash(m.From), m.To))
	}
	return "rolled back " + strings.Join(parts, "; ")
}

// Rollback points every target's alias at the collection before its live
// one, or at the collection named to ("" for the previous one; naming one
// with weaviate.split_by_access is ErrRollbackNamed). It stops at the first
// alias that cannot move; the result holds the moves done. The caller
// holds the publish lock.
func Rollback(ctx context.Context, ws *workspace.Workspace, to string) (RollbackResult, error) {
	var res RollbackResult
	if to != "" && ws.Config.Weaviate.SplitByAccess {
		return res, ErrRollbackNamed
	}
	targets, done, err := OpenTargets(ctx, ws, nil)
	if err != nil {
		return res, err
	}
	defer done()
	for _, t := range targets {
		from, dest, err := publish.Rollback(ctx, t.Target, to)
		if err != nil {
			return res, fmt.Errorf("%s: %w", t.Alias, err)
		}
		res.Moves = append(res.Moves, Move{Alias: t.Alias, From: from, To: dest})
	}
	return res, nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
