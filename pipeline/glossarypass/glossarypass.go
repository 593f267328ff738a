// Package glossarypass connects the glossary to the pipeline: it loads the
// termbase committed in the knowledge repository and gives ingestion its
// terminology pass (concepts and findings per unit) and publishing and
// search their cross-language terms.
package glossarypass

import (
	"bytes"
	"context"
	"fmt"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// Path is the termbase's path in the knowledge repository.
const Path = "glossary/" + glossary.TermbaseFile

// Load returns a matcher for the termbase in tree, or nil when the tree
// has no termbase. targets are the workspace's target languages.
func Load(ctx context.Context, r *kbrepo.Repo, tree kbrepo.Tree, targets []string) (*glossary.Matcher, error) {
	b, ok, err := r.ReadPath(tree, Path)
	if err != nil || !ok {
		return nil, err
	}
	im, err := glossary.ImportReader(ctx, Path, bytes.NewReader(b), glossary.ImportOptions{Format: glossary.FormatTBX, MaxBytes: -1})
	if err != nil {
		return nil, fmt.Errorf("termbase %s: %w; fix it with `kbops glossary check`", Path, err)
	}
	m, err := glossary.NewMatcher(im.Termbase, glossary.MatcherOptions{Targets: targets})
	if err != nil {
		return nil, fmt.Errorf("termbase %s: %w", Path, err)
	}
	return m, nil
}

// Map returns the ingestion pass: it sets a unit's concepts and returns
// its terminology findings as one-line strings ("line 3: deprecated-term:
// …"). Concepts are not content, so a new concept never bumps a version.
func Map(m *glossary.Matcher) func(u *knowledge.Unit) []string {
	return func(u *knowledge.Unit) []string {
		res := m.Map(u)
		u.Concepts = res.Concepts
		var out []string
		for _, f := range res.Findings {
			if f.Severity == glossary.SeverityInfo {
				continue // gap reports belong to the glossary's stats, not to each unit
			}
			where := "title"
			if f.Field != "title" {
				where = fmt.Sprintf("line %d", f.Line)
			}
			msg := fmt.Sprintf("%s: %s: %q", where, f.Code, f.Term)
			if f.Suggestion != "" {
				msg += fmt.Sprintf(" → %q", f.Suggestion)
			}
			out = append(out, msg)
		}
		return out
	}
}

// Terms returns the cross-language terms of a unit's concepts in every
// target language, for publishing.
func Terms(m *glossary.Matcher, targets []string) func(u *knowledge.Unit) []string {
	return func(u *knowledge.Unit) []string {
		if len(u.Concepts) == 0 {
			return nil
		}
		return m.CrossLanguageTerms(u.Concepts, targets)
	}
}
