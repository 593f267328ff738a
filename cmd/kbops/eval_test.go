package main

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/eval/evaltest"
	"github.com/kbops/kbops/sources/sourcetest"
)

var corpusQueries = evaltest.QueryFile()

// corpusWorkspace makes the workspace of the corpus query set
// (evaltest.Sources, and extra) with every unit approved, merged and
// published to the server at srv.
func corpusWorkspace(t *testing.T, srv *embedded.Server, extra ...evaltest.Source) string {
	t.Helper()
	manuals := sourcetest.Corpus(t, "manuals")
	ws := filepath.Join(t.TempDir(), "kb")
	if err := evaltest.WriteWorkspace(ws, manuals, "http://"+srv.Host(), srv.GRPCHost(), extra...); err != nil {
		t.Fatal(err)
	}
	must(t, ws, "init", ws)
	must(t, ws, "ingest")
	for i, stage := range evaltest.Stages {
		must(t, ws, append([]string{"review", "approve", "--stage", stage, "--as", evaltest.Reviewers[i], "--all-mine"}, evaltest.Waivers...)...)
	}
	must(t, ws, "review", "merge", "--as", evaltest.Reviewers[0])
	must(t, ws, "publish")
	return ws
}

type evalJSON struct {
	Groups []struct {
		Name    string  `json:"name"`
		Queries int     `json:"queries"`
		Hit5    float64 `json:"hit@5"`
	} `json:"groups"`
	Queries []struct {
		Query string   `json:"query"`
		Pair  string   `json:"pair"`
		Top   []string `json:"top"`
	} `json:"queries"`
	Failures []string `json:"failures"`
}

func evalReport(t *testing.T, ws string, args ...string) (evalJSON, int, string) {
	t.Helper()
	out, code := kb(t, ws, append([]string{"eval", "--json"}, args...)...)
	var r evalJSON
	if i := strings.Index(out, "{"); i < 0 || json.NewDecoder(strings.NewReader(out[i:])).Decode(&r) != nil {
		t.Fatalf("eval --json: exit %d, no report:\n%s", code, out)
	}
	return r, code, out
}

// The corpus query set meets the thresholds written in it (what search
// reaches today, minus a margin), so a change that loses answers fails
// here; and a file asking for more exits 3 naming the figure.
func TestEvalCorpusQueriesMeetTheirThresholds(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws := corpusWorkspace(t, srv)

	r, code, out := evalReport(t, ws, corpusQueries)
	if code != 0 || len(r.Failures) > 0 {
		t.Fatalf("eval of the corpus queries: exit %d, failures %v\n%s", code, r.Failures, out)
	}
	if len(r.Queries) < 80 {
		t.Errorf("%d queries evaluated, want the whole file (at least 80)", len(r.Queries))
	}
	names := map[string]bool{}
	for _, g := range r.Groups {
		names[g.Name] = true
	}
	for _, g := range []string{"same language", "cross-language", "cross-language (no filter)", "overall"} {
		if !names[g] {
			t.Errorf("report has no %q group: %+v", g, r.Groups)
		}
	}
	text := must(t, ws, "eval", corpusQueries)
	t.Logf("kbops eval %s:\n%s", corpusQueries, text)
	if !strings.Contains(text, "es→en") || !strings.Contains(text, "hit@5") {
		t.Errorf("text report lacks the es→en pair or the hit@5 column:\n%s", text)
	}

	strict := filepath.Join(t.TempDir(), "strict.yaml")
	body := "thresholds: {\"de→en\": {hit@5: 1.0}}\nqueries:\n" +
		"  - {query: \"Neigungsmesser neu kalibrieren\", lang: de, target: en, expect: [{document: teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf, heading: \"8.1 Calibration of 2 axes\"}]}\n" +
		"  - {query: \"xyzzy plugh\", lang: de, target: en, expect: [{document: teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf, heading: \"9 Storage\"}]}\n"
	if err := os.WriteFile(strict, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code = kb(t, ws, "eval", strict)
	if code != exitAttention || !strings.Contains(out, "de→en hit@5") {
		t.Errorf("eval below a threshold: exit %d, want %d naming de→en hit@5:\n%s", code, exitAttention, out)
	}

	stale := filepath.Join(t.TempDir(), "stale.yaml")
	if err := os.WriteFile(stale, []byte("queries:\n  - {query: \"battery\", lang: en, target: en, expect: [{document: teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf, heading: \"12 Warranty\"}]}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code = kb(t, ws, "eval", stale)
	if code == 0 || !strings.Contains(out, "stale.yaml:2") || !strings.Contains(out, "12 Warranty") {
		t.Errorf("an expected heading no unit has: exit %d, want an error naming stale.yaml:2 and the heading:\n%s", code, out)
	}
}

// Search results must not depend on how long ago publish ran: the same
// questions right after publish (objects still in Weaviate's memtables)
// and after the memtables were flushed (server restarted) rank the same
// units. With BlockMax-WAND on, as weaviate-server 1.35.2 has it by
// default, they do not: run with KBOPS_TEST_BLOCKMAX=on to see it fail
// (KBOPS_TEST_BLOCKMAX=format: collections in the BlockMax format, queried
// with WAND, as collections published before the change are).
func TestSearchRightAfterPublishEqualsSearchAfterFlush(t *testing.T) {
	var o embedded.Options
	switch os.Getenv("KBOPS_TEST_BLOCKMAX") {
	case "on":
		o.Env = []string{"USE_INVERTED_SEARCHABLE=true", "USE_BLOCKMAX_WAND=true"}
	case "format":
		// Collections in the BlockMax format, as a server created them
		// before kbops turned it off: WAND queries must still be exact.
		o.Env = []string{"USE_INVERTED_SEARCHABLE=true"}
	}
	srv := weaviatetest.StartWith(t, o)
	ws := corpusWorkspace(t, srv)
	if o.Env == nil {
		if n := blockMaxCollections(t, srv); n != 0 {
			t.Errorf("%d published collections have usingBlockMaxWAND on", n)
		}
	}
	fresh, _, _ := evalReport(t, ws, corpusQueries)

	weaviatetest.Restart(t, srv, o)
	later, _, _ := evalReport(t, ws, corpusQueries)

	if len(fresh.Queries) != len(later.Queries) {
		t.Fatalf("%d queries right after publish, %d later", len(fresh.Queries), len(later.Queries))
	}
	differ := 0
	for i, q := range fresh.Queries {
		if !reflect.DeepEqual(q.Top, later.Queries[i].Top) {
			differ++
			if differ <= 5 {
				t.Errorf("%s %q: top 5 right after publish %v, after the flush %v", q.Pair, q.Query, q.Top, later.Queries[i].Top)
			}
		}
	}
	if differ > 0 {
		t.Errorf("%d of %d questions ranked differently right after publish than later", differ, len(fresh.Queries))
	}
}

// blockMaxCollections counts the collections whose inverted index uses
// BlockMax-WAND, as Weaviate's schema reports them.
func blockMaxCollections(t *testing.T, srv *embedded.Server) int {
	t.Helper()
	resp, err := http.Get("http://" + srv.Host() + "/v1/schema")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var schema struct {
		Classes []struct {
			Class               string `json:"class"`
			InvertedIndexConfig struct {
				UsingBlockMaxWAND bool `json:"usingBlockMaxWAND"`
			} `json:"invertedIndexConfig"`
		} `json:"classes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&schema); err != nil || len(schema.Classes) == 0 {
		t.Fatalf("schema of %s: %v, %d classes", srv.Host(), err, len(schema.Classes))
	}
	n := 0
	for _, c := range schema.Classes {
		if c.InvertedIndexConfig.UsingBlockMaxWAND {
			n++
		}
	}
	return n
}
