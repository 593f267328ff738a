package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
)

// search --json prints a JSON array a front-end can iterate over: [] when
// nothing matches, never null, and each hit with the passage it matched.
func TestSearchJSONPrintsAnArray(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws, _ := demoWorkspace(t, "http://"+srv.Host(), srv.GRPCHost())
	must(t, ws, "ingest")
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	must(t, ws, "publish")

	if out := strings.TrimSpace(must(t, ws, "search", "--json", "--lang", "fr", "grounding")); out != "[]" {
		t.Errorf("search --json without hits printed %q, want []", out)
	}
	// Without a language filter the glossary expansions (接地, puesta a
	// tierra) rank Chinese and Spanish units too: the English passage is
	// checked on an English search.
	out := must(t, ws, "search", "--json", "--lang", "en", "grounding")
	var hits []struct {
		UnitID  string `json:"unit_id"`
		Snippet string `json:"snippet"`
	}
	if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) == 0 {
		t.Fatalf("search --json --lang en grounding: %v\n%s", err, out)
	}
	if !strings.Contains(strings.ToLower(hits[0].Snippet), "ground") {
		t.Errorf("snippet of the best hit does not show the matching passage: %q", hits[0].Snippet)
	}
}

// Each hit of search --json says why it matched: the searches that found
// it, whose scores sum to its score; a hit brought by its translation
// sibling names that sibling.
func TestSearchJSONSaysWhyEachHitMatched(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws := corpusWorkspace(t, srv)
	for _, q := range [][]string{{"--lang", "en", "Akku laden"}, {"Akku laden"}, {"--lang", "en", "how do I charge the battery"}} {
		out := must(t, ws, append([]string{"search", "--json"}, q...)...)
		var hits []struct {
			UnitID    string  `json:"unit_id"`
			Score     float64 `json:"score"`
			SiblingOf string  `json:"sibling_of"`
			Why       []struct {
				Kind  string  `json:"kind"`
				Score float64 `json:"score"`
				Via   string  `json:"via"`
			} `json:"why"`
		}
		if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) == 0 {
			t.Fatalf("search --json %q: %v\n%s", q, err, out)
		}
		siblings := 0
		for _, h := range hits {
			sum, via := 0.0, ""
			for _, w := range h.Why {
				sum += w.Score
				if w.Kind == "sibling" {
					via = w.Via
				}
			}
			if len(h.Why) == 0 || sum < h.Score-1e-3 || sum > h.Score+1e-3 {
				t.Errorf("%q: %s scores %.4f, why %+v sums to %.4f", q, h.UnitID, h.Score, h.Why, sum)
			}
			if h.SiblingOf != "" {
				siblings++
				if via != h.SiblingOf {
					t.Errorf("%q: %s came through %s, why names %q", q, h.UnitID, h.SiblingOf, via)
				}
			}
		}
		if q[0] == "--lang" && q[2] == "Akku laden" && siblings == 0 {
			t.Errorf("German question for English answers: no hit came through its sibling: %s", out)
		}
	}
}
