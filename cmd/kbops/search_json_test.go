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
