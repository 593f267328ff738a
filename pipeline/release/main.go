package release

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/align"
	"github.com/kbops/kbops/pipeline/glossarypass"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// ErrNoMain is returned when the main branch does not exist yet.
var ErrNoMain = errors.New("nothing is approved yet")

// Main is what publishing reads from main: which units may be published,
// which published objects stay, and the terms to store with them.
type Main struct {
	Commit   plumbing.Hash
	Approved []*knowledge.Unit
	// Unapproved are the active units that lack approvals: left out.
	Unapproved []reviews.UnitStatus
	// Held are units whose published objects stay (see Snapshot.Held).
	Held map[string]bool
	// Hold finds removals that were not reviewed (Snapshot.HoldRemovals).
	Hold func(context.Context, []string) (map[string]bool, error)
	// Unreadable are unit files on main that cannot be read, by unit id.
	Unreadable map[string]error
	// Terms are the cross-language terms of this commit's approved
	// termbase; nil without one.
	Terms publish.Terms
	// Links are the units' links, from their sources' public_url in
	// kbops.yaml as it is now (sources.Spec.Link).
	Links publish.Links
	// Superseded are the approved units that lose a conflict, by id
	// (reviews.Supersede over Approved, with the pins that count and the
	// approved termbase's concepts): published marked superseded_by the
	// winner, left out of default search.
	Superseded map[string]reviews.Supersession
	// Siblings are the translation siblings of the approved units
	// (align.Siblings over Approved): derived from reviewed text only, so
	// a sibling is always an approved unit.
	Siblings map[string][]string
}

// SupersededBy maps each superseded unit to the unit that wins, as
// publish.Options wants it.
func (m Main) SupersededBy() map[string]string {
	out := make(map[string]string, len(m.Superseded))
	for id, s := range m.Superseded {
		out[id] = s.By
	}
	return out
}

// LoadMain reads main as it is now, through the workspace's parse cache:
// its approved units, the active units that lack approvals, and the
// cross-language terms of its approved termbase. Every run calls it, so a
// termbase approved since the last run is used by the next.
func LoadMain(ctx context.Context, ws *workspace.Workspace) (Main, error) {
	var st Main
	mh, ok, err := ws.Repo.Branch(ws.Config.Review.Main)
	if err != nil {
		return st, err
	}
	if !ok {
		return st, fmt.Errorf("branch %s does not exist: %w", ws.Config.Review.Main, ErrNoMain)
	}
	st.Commit = mh
	cache := OpenParseCache(ws)
	snap, err := reviews.LoadCached(ctx, ws.Repo, mh, cache)
	if err != nil {
		return st, err
	}
	var unapproved []reviews.UnitStatus
	st.Approved, unapproved = snap.ApprovedUnits()
	// Saved after ApprovedUnits, whose history walk adds the record ids
	// of older approvals versions; then the snapshot's copies suffice.
	SaveParseCache(cache)
	cache.DropUnits()
	st.Held, st.Unreadable, st.Hold = snap.Held(unapproved), snap.Unreadable, snap.HoldRemovals
	for _, u := range unapproved {
		if snap.Units[u.ID].Status == knowledge.StatusActive {
			st.Unapproved = append(st.Unapproved, u)
		}
	}
	m := approvedMatcher(ctx, ws, snap)
	var concepts reviews.ConceptFinder
	if m != nil {
		st.Terms = glossarypass.Terms(m, ws.Config.Languages)
		concepts = reviews.MatcherConcepts(m)
	}
	pins, err := snap.Pins(ctx)
	if err != nil {
		return st, err
	}
	// The decision is made here, from main's approved units, so every
	// writer of Weaviate (publish, reindex, serve's job) writes the same.
	st.Superseded = reviews.Supersede(st.Approved, pins, concepts)
	st.Siblings = align.Siblings(st.Approved, align.Options{})
	st.Links = Links(ws)
	return st, nil
}

// Links returns the link of each unit, computed from its source's
// settings in the workspace's kbops.yaml: links are not stored in unit
// files, so setting or changing public_url needs no new unit versions;
// the next publish rewrites the objects whose link changed (the object
// hash covers it). A unit whose source is no longer configured links
// only to an http(s) document.
func Links(ws *workspace.Workspace) publish.Links {
	return func(u *knowledge.Unit) string {
		spec, _ := ws.Config.Source(u.Source.Name)
		return spec.Link(u.Source)
	}
}

// approvedMatcher returns the termbase at snap when that termbase is
// approved (nil otherwise): what reaches Weaviate is reviewed, terms and
// the concepts that relate statements across languages included.
func approvedMatcher(ctx context.Context, ws *workspace.Workspace, snap *reviews.Snapshot) *glossary.Matcher {
	if _, ok := snap.Tree[reviews.GlossaryFile]; !ok {
		return nil
	}
	if !snap.GlossaryApproved() {
		slog.Warn("publishing without cross-language terms: the termbase on main is not approved", "problems", strings.Join(snap.GlossaryProblems(), "; "))
		return nil
	}
	m, err := glossarypass.Load(ctx, ws.Repo, snap.Tree, ws.Config.Languages)
	if err != nil || m == nil {
		if err != nil {
			slog.Warn("publishing without cross-language terms", "error", err)
		}
		return nil
	}
	return m
}

// MainMatcher loads the termbase on main for query expansion; nil when
// there is none or it cannot be read (then search goes on without
// expansion, and `kbops glossary check` says what is wrong).
func MainMatcher(ctx context.Context, ws *workspace.Workspace) *glossary.Matcher {
	src, err := glossarypass.Which(ws, glossarypass.Published)
	if err != nil {
		return nil
	}
	m, err := src.Matcher(ctx)
	if err != nil {
		slog.Warn("searching without cross-language expansion", "error", err)
		return nil
	}
	return m
}

// OpenParseCache opens the workspace's cache of parsed unit and approval
// files (nil when the state folder cannot be made: then nothing is cached).
func OpenParseCache(ws *workspace.Workspace) *reviews.ParseCache {
	p, err := ws.State("cache", "parsed.gob")
	if err != nil {
		return nil
	}
	return reviews.OpenParseCache(p)
}

// SaveParseCache writes the cache; failing costs the next run time only.
func SaveParseCache(c *reviews.ParseCache) {
	if err := c.Save(); err != nil {
		slog.Warn("parse cache not saved; the next run parses every unit again", "error", err)
	}
}
