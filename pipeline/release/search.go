package release

import (
	"context"
	"errors"
	"slices"
	"sort"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
)

// Visible reports whether a caller at access level caller may see
// knowledge at level: the same level or a more open one. An empty level
// (one collection for every level) or caller (no filter) sees everything;
// within such a collection publish.Search filters by the access property.
func Visible(level, caller knowledge.Access) bool {
	if level == "" || caller == "" {
		return true
	}
	return slices.Index(knowledge.AccessLevels, level) <= slices.Index(knowledge.AccessLevels, caller)
}

// Search answers a query as an agent front-end should: the query expanded
// with the glossary terms of main's termbase in every target language,
// against every target the caller's access level may see (collections of
// levels it may not see are never queried), best hits first across them.
// Errors wrap publish.ErrNothingPublished or publish.ErrUnknownCollection
// when nothing (or nothing current) was published. No hits is an empty,
// non-nil slice, which encodes as [] for front-ends.
func Search(ctx context.Context, ws *workspace.Workspace, q publish.Query) ([]publish.Hit, error) {
	if m := MainMatcher(ctx, ws); m != nil {
		// A Spanish question finds a Chinese unit through the concepts it
		// names.
		if exp := m.ExpandQuery(q.Text, q.Language, ws.Config.Languages); len(exp) > 1 {
			q.Expansions = exp[1:]
		}
	}
	targets, done, err := OpenTargets(ctx, ws, nil)
	if err != nil {
		return nil, err
	}
	defer done()
	hits := []publish.Hit{}
	for _, t := range targets {
		if !Visible(t.Access, knowledge.Access(q.Access)) {
			continue
		}
		hs, err := publish.Search(ctx, t.Target, q)
		if err != nil && len(targets) > 1 && errors.Is(err, publish.ErrNothingPublished) {
			continue // no units at this level
		}
		if err != nil {
			return nil, err
		}
		hits = append(hits, hs...)
	}
	if len(targets) > 1 {
		sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
		hits = publish.AdaptedFirst(hits, q.Market)
		if q.Limit > 0 && len(hits) > q.Limit {
			hits = hits[:q.Limit]
		}
	}
	return hits, nil
}

// Get returns the published unit with the id that a caller at access
// level caller may see, or nil when there is none: it looks only in the
// targets of the levels the caller may see, and within a shared
// collection filters on the access property, so a unit above the
// caller's level is not found whatever its id.
func Get(ctx context.Context, ws *workspace.Workspace, unitID string, caller knowledge.Access) (*publish.Published, error) {
	targets, done, err := OpenTargets(ctx, ws, nil)
	if err != nil {
		return nil, err
	}
	defer done()
	for _, t := range targets {
		if !Visible(t.Access, caller) {
			continue
		}
		p, err := publish.Get(ctx, t.Target, unitID, string(caller))
		if err != nil && len(targets) > 1 && errors.Is(err, publish.ErrNothingPublished) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if p != nil {
			return p, nil
		}
	}
	return nil, nil
}
