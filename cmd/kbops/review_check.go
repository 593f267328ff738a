package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge/contextlib"
	"github.com/kbops/kbops/knowledge/text/redact"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// checkOptions gathers what the checks can use from the workspace: the
// glossary, and the change tokens the last ingestion saw.
func checkOptions(ws *workspace.Workspace) reviews.CheckOptions {
	var o reviews.CheckOptions
	if tb, err := glossary.Load(ws.GlossaryDir()); err == nil && tb.Len() > 0 {
		if m, err := glossary.NewMatcher(tb, glossary.MatcherOptions{}); err == nil {
			o.Glossary = m
		}
	}
	if b, err := os.ReadFile(filepath.Join(ws.Root, contextlib.File)); err == nil {
		if lib, err := contextlib.Parse(contextlib.File, b); err == nil {
			o.Context = lib
		}
	}
	o.RedactorFor = sourceRedactors(ws)
	if tokens, ok := ingest.SourceTokens(ws); ok {
		o.SourceToken = tokens
	}
	return o
}

func runReviewCheck(ctx context.Context, ws *workspace.Workspace, headRef string, stages []reviews.Stage, ids []string, out io.Writer) error {
	var snap *reviews.Snapshot
	if headRef != "" {
		h, err := ws.Repo.Resolve(headRef)
		if err != nil {
			return usageErr("--head: %v", err)
		}
		if snap, err = reviews.Load(ctx, ws.Repo, h); err != nil {
			return err
		}
	} else {
		s, ok, err := reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Branch)
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(out, "no review branch %s: nothing waits for review\n", ws.Config.Review.Branch)
			return nil
		}
		snap = s
	}
	if len(ids) == 0 {
		base, err := mainBase(ctx, ws, snap)
		if err != nil {
			return err
		}
		ids = snap.ChangedUnits(base)
	} else {
		for _, id := range ids {
			if snap.Units[id] == nil {
				return usageErr("no unit %s at %s", id, snap.Commit.String()[:12])
			}
		}
	}
	o := checkOptions(ws)
	o.Stages = stages
	fs := reviews.Check(snap, ids, o)
	for _, f := range fs {
		fmt.Fprintln(out, f)
	}
	if len(fs) > 0 {
		return attention("%d finding(s) in %s checked", len(fs), plural(len(ids), "unit", "units"))
	}
	fmt.Fprintf(out, "no findings in %s\n", plural(len(ids), "unit", "units"))
	return nil
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
