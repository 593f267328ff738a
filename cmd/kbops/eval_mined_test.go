package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/eval/evaltest"
)

// Terms mined from the corpus editions, approved through the glossary
// stage like any termbase change and then listed on the units by the next
// ingest (new versions, reviewed), carry questions to a manual that has no
// edition in their language (mined-queries.yaml: Chinese questions about
// the English-only WCH-Link manual), where no translation sibling can:
// hit@5 rises. On the corpus query set, same-language and cross-language
// hit@5 lose nothing. Without the approval they do not reach main. The
// figures are logged for docs/retrieval.md ("Mined terms"). A TypeScript
// front-end sending the expansions gets the same top five.
func TestMinedTermsLiftCrossLanguageRetrieval(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws := corpusWorkspace(t, srv)
	minedQ := filepath.Join(filepath.Dir(corpusQueries), "mined-queries.yaml")
	mb, _, _ := evalReport(t, ws, minedQ)
	before, _, _ := evalReport(t, ws, corpusQueries)

	out := must(t, ws, "glossary", "suggest", "--json", "--as", "Miner <miner@example.com>")
	var sugg []suggestionJSON
	if err := json.Unmarshal([]byte(out[strings.Index(out, "["):]), &sugg); err != nil {
		t.Fatalf("suggest --json: %v\n%s", err, out)
	}
	found := map[string]bool{}
	for _, s := range sugg {
		found[s.Terms[0]+"="+s.Terms[1]] = true
		if s.Together < 3 || len(s.Evidence) == 0 || s.Score < 0.6 {
			t.Errorf("suggestion %+v: want evidence of at least 3 aligned pairs and a score of at least 0.6", s)
		}
	}
	// Pairs of the two editions a translator would give.
	for _, want := range []string{"Akku=battery", "Kalibriermodus=calibration mode", "Displaymodul=display module", "Bodenplatte=base plate", "evaluation board=评估板", "chip=芯片"} {
		if !found[want] {
			t.Errorf("suggest did not propose %s; it proposed %d pairs", want, len(sugg))
		}
	}
	// The next ingest lists the new concepts on the units that name them
	// (a new version of each, reviewed with the termbase change); merge
	// takes them to main only with the termbase approved, and publish
	// then writes their terms in every language.
	must(t, ws, "ingest")
	for i, stage := range evaltest.Stages {
		must(t, ws, append([]string{"review", "approve", "--stage", stage, "--as", evaltest.Reviewers[i], "--all-mine"}, evaltest.Waivers...)...)
	}
	if out, code := kb(t, ws, "review", "merge", "--as", evaltest.Reviewers[0]); code == 0 {
		t.Fatalf("merge with the mined terms unapproved succeeded:\n%s", out)
	}
	must(t, ws, "review", "approve", "--stage", "glossary", "--as", evaltest.Reviewers[2])
	must(t, ws, "review", "merge", "--as", evaltest.Reviewers[0])
	must(t, ws, "publish")
	after, _, _ := evalReport(t, ws, corpusQueries)
	ma, _, _ := evalReport(t, ws, minedQ)
	for _, g := range mb.Groups {
		t.Logf("MINED %-28s %3d queries  hit@5 %.3f → %.3f", g.Name, g.Queries, g.Hit5, group(ma, g.Name))
	}
	for _, g := range before.Groups {
		t.Logf("%-28s %3d queries  hit@5 %.3f → %.3f with %d mined terms", g.Name, g.Queries, g.Hit5, group(after, g.Name), len(sugg))
	}
	if b, a := group(mb, "cross-language"), group(ma, "cross-language"); a <= b {
		t.Errorf("questions about a manual with no edition in their language: hit@5 %.3f with the approved mined terms, want more than %.3f without", a, b)
	}
	for _, g := range []string{"same language", "cross-language"} {
		if b, a := group(before, g), group(after, g); a < b {
			t.Errorf("%s hit@5 %.3f with the mined terms, want at least %.3f as without", g, a, b)
		}
	}
	// With an approved termbase, a front-end that sends the expansions
	// (search 3 of docs/weaviate-schema.md) still gets kbops's top five.
	if r := compareWithTypeScript(t, tsFrontEnd(t), srv, ws); r.expansions == 0 {
		t.Error("no question of the corpus query set was expanded with the mined terms")
	}
}

func group(r evalJSON, name string) float64 {
	for _, g := range r.Groups {
		if g.Name == name {
			return g.Hit5
		}
	}
	return -1
}
