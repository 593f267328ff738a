package ingest

import (
	"context"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge/text/redact"
	"github.com/kbops/kbops/pipeline/glossarypass"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// ReviewChecks are the options of the automated review checks, the same
// for every operation that runs them (review check, status, approve,
// merge, sync, the pull request's body and status): the termbase the
// units checked merge with, each source's redactor and the change tokens
// the last ingestion saw, and the context library (context.yaml) of the
// commit the termbase comes from. at is the commit whose units are checked (its
// own termbase is used); zero means the review branch, whose termbase is
// glossarypass.Which(ws, glossarypass.Pending). A termbase that cannot be
// read leaves the terminology checks out: ingestion and `kbops glossary
// check` report it, and it must not stop a review.
func ReviewChecks(ctx context.Context, ws *workspace.Workspace, at plumbing.Hash) reviews.CheckOptions {
	var o reviews.CheckOptions
	src, err := glossarypass.Which(ws, glossarypass.Pending)
	if !at.IsZero() {
		src.Commit, err = at, nil
	}
	if err == nil {
		if m, err := src.Matcher(ctx); err == nil && m != nil {
			o.Glossary = m
		}
		// The context library of the same commit: the units are checked
		// against what they will merge with, as with the termbase.
		if !src.Commit.IsZero() {
			if tree, err := ws.Repo.Tree(src.Commit); err == nil {
				if lib, err := ContextLibrary(ws.Repo, tree); err == nil {
					o.Context = lib
				}
			}
		}
	}
	o.RedactorFor = sourceRedactors(ws)
	if tokens, ok := SourceTokens(ws); ok {
		o.SourceToken = tokens
	}
	return o
}

// sourceRedactors gives each source's redactor (its allow list applied)
// and whether it redacts, for the personal-data check.
func sourceRedactors(ws *workspace.Workspace) func(string) (*redact.Redactor, bool) {
	type entry struct {
		r        *redact.Redactor
		redacted bool
	}
	by := map[string]entry{}
	for _, spec := range ws.Config.Sources {
		r, err := redact.New(spec.Redact.Config)
		if err != nil {
			continue // config validation reports it
		}
		by[spec.Name] = entry{r, spec.Redacts()}
	}
	return func(source string) (*redact.Redactor, bool) {
		e, ok := by[source]
		if !ok {
			return nil, true
		}
		return e.r, e.redacted
	}
}
