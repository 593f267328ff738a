package glossary

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"github.com/kbops/kbops/knowledge"

	"github.com/kbops/kbops/sources/sourcetest"
)

// fixture loads testdata/inverter.tbx, a small termbase about an
// industrial frequency inverter in nine languages with deprecated,
// forbidden and regional-variant terms.
func fixture(t testing.TB) *Termbase {
	t.Helper()
	im, err := ImportFile(context.Background(), filepath.Join("testdata", "inverter.tbx"), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(im.Problems) > 0 {
		t.Fatalf("fixture has problems: %v", im.Problems)
	}
	return im.Termbase
}

func fixtureMatcher(t testing.TB) *Matcher {
	t.Helper()
	m, err := NewMatcher(fixture(t), MatcherOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func unit(id, lang, body string) *knowledge.Unit {
	return &knowledge.Unit{ID: id, Language: lang, Body: body, Product: "vf-200"}
}

// corpusDir is ../shared/corpus/glossary relative to the repository root.
func corpusDir(t testing.TB) string {
	t.Helper()
	return sourcetest.Corpus(t, "glossary")
}

// texts returns the matched texts in order.
func texts(ms []Match) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Text)
	}
	return out
}

func conceptsOf(ms []Match) []string {
	var out []string
	for _, m := range ms {
		if !slices.Contains(out, m.Concept) {
			out = append(out, m.Concept)
		}
	}
	slices.Sort(out)
	return out
}

func findingsWith(res Result, code Code) []Finding {
	var out []Finding
	for _, f := range res.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}
