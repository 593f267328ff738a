package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge/text/stem"
	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/eval"
	"github.com/kbops/kbops/pipeline/eval/evaltest"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/workspace"
)

// tsClientDir holds the front-end written with the official TypeScript
// client (search.mjs) and its npm packages (`make tools`).
const tsClientDir = "../../pipeline/publish/testdata/tsclient"

// A front-end that queries Weaviate itself with the official TypeScript
// client, doing what docs/weaviate-schema.md ("Querying") says, gets the
// hits `kbops search` gets: the same five units in the same order, the
// same siblings brought and near-duplicates collapsed, for every question
// of the corpus query set (with its language filter, and once more
// without one). Its stems of each question are kbops's. The Markdown and
// HTML copies of LAP-TEQ chapter 8 are published too, so that there are
// near-duplicates to collapse.
func TestTypeScriptFrontEndGetsTheTopFiveOfSearch(t *testing.T) {
	node := tsFrontEnd(t)
	srv := weaviatetest.Start(t)
	ws := corpusWorkspace(t, srv, evaltest.Source{Name: "lapteq-copies", Product: "lap-teq-plus", Glob: "teqsas_LAP-TEQ-PLUS_08_*"})
	r := compareWithTypeScript(t, node, srv, ws)
	if r.siblings == 0 || r.duplicates == 0 {
		t.Errorf("the questions brought %d siblings and collapsed %d near-duplicates: the comparison should cover both", r.siblings, r.duplicates)
	}
}

// tsFrontEnd returns node's path, skipping (failing under CI=true) when
// node or the front-end's packages are missing.
func tsFrontEnd(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	var missing []string
	for _, p := range []string{"weaviate-client", "snowball-stemmers"} {
		if _, serr := os.Stat(filepath.Join(tsClientDir, "node_modules", p)); serr != nil {
			missing = append(missing, p)
		}
	}
	if err != nil || len(missing) > 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the TypeScript front-end cannot run (node: %v, missing packages %v); run `make tools`", err, missing)
		}
		t.Skipf("needs node and `make tools` (npm packages %v in %s)", missing, tsClientDir)
	}
	return node
}

type tsQuery struct {
	Text       string   `json:"text"`
	Language   string   `json:"language,omitempty"`
	Expansions []string `json:"expansions,omitempty"`
}

type tsResult struct {
	Stems string `json:"stems"`
	Hits  []struct {
		UnitID     string   `json:"unit_id"`
		Score      float64  `json:"score"`
		SiblingOf  string   `json:"sibling_of"`
		Duplicates []string `json:"duplicates"`
	} `json:"hits"`
}

// compareWithTypeScript asks every question of the corpus query set, with
// its target language and without a filter, through `kbops search --json`
// and through search.mjs, and fails on any difference in the top five.
// The expansions a front-end takes from the approved termbase are given
// to search.mjs as kbops computes them (none without a termbase).
func compareWithTypeScript(t *testing.T, node string, srv *embedded.Server, wsDir string) (r struct{ siblings, duplicates, expansions int }) {
	t.Helper()
	ctx := context.Background()
	f, err := eval.Load(corpusQueries)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Open(wsDir)
	if err != nil {
		t.Fatal(err)
	}
	matcher := release.MainMatcher(ctx, ws)
	var qs []tsQuery
	seen := map[[2]string]bool{}
	for _, q := range f.Queries {
		for _, lang := range []string{q.Target, ""} {
			tq := tsQuery{Text: q.Query, Language: lang}
			if seen[[2]string{q.Query, lang}] {
				continue
			}
			seen[[2]string{q.Query, lang}] = true
			if matcher != nil {
				if exp := matcher.ExpandQuery(q.Query, lang, ws.Config.Languages); len(exp) > 1 {
					tq.Expansions = exp[1:]
				}
			}
			qs = append(qs, tq)
		}
	}
	req, _ := json.Marshal(map[string]any{
		"http": srv.Info.HTTPPort, "grpc": srv.Info.GRPCPort, "collection": ws.Config.Weaviate.Collection,
		"limit": 5, "queries": qs,
	})
	cmd := exec.CommandContext(ctx, node, "search.mjs")
	cmd.Dir = tsClientDir
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node search.mjs: %v\n%s", err, stderr.String())
	}
	var got []tsResult
	if err := json.Unmarshal(out, &got); err != nil || len(got) != len(qs) {
		t.Fatalf("search.mjs printed %d results for %d questions (%v):\n%s", len(got), len(qs), err, out)
	}
	differ := 0
	for i, q := range qs {
		if len(q.Expansions) > 0 {
			r.expansions++
		}
		if want := stem.Query(q.Text); got[i].Stems != want {
			t.Errorf("%q: the front-end's stems %q, kbops's %q", q.Text, got[i].Stems, want)
		}
		args := []string{"search", "--json", "--limit", "5"}
		if q.Language != "" {
			args = append(args, "--lang", q.Language)
		}
		text := must(t, wsDir, append(args, q.Text)...)
		var hits []publish.Hit
		if err := json.Unmarshal([]byte(text[strings.Index(text, "["):]), &hits); err != nil {
			t.Fatalf("search --json %q: %v\n%s", q.Text, err, text)
		}
		for _, h := range hits {
			if h.SiblingOf != "" {
				r.siblings++
			}
			r.duplicates += len(h.Duplicates)
		}
		ts := got[i].Hits
		same := len(ts) == len(hits)
		for j := 0; same && j < len(hits); j++ {
			h, o := hits[j], ts[j]
			same = h.UnitID == o.UnitID && h.SiblingOf == o.SiblingOf && slices.Equal(nonNil(h.Duplicates), nonNil(o.Duplicates)) &&
				math.Abs(h.Score-o.Score) <= 1e-4*math.Max(1, h.Score)
		}
		if !same {
			differ++
			var a, b []string
			for _, h := range hits {
				a = append(a, h.UnitID+" "+strings.TrimSpace(h.SiblingOf+" "+strings.Join(h.Duplicates, ",")))
			}
			for _, h := range ts {
				b = append(b, h.UnitID+" "+strings.TrimSpace(h.SiblingOf+" "+strings.Join(h.Duplicates, ",")))
			}
			t.Errorf("%q (language %q): kbops search\n  %s\nthe TypeScript front-end\n  %s", q.Text, q.Language, strings.Join(a, "\n  "), strings.Join(b, "\n  "))
		}
	}
	t.Logf("%d questions (%d with glossary expansions; %d siblings brought, %d near-duplicates collapsed): %d differ", len(qs), r.expansions, r.siblings, r.duplicates, differ)
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
