package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
)

const (
	supplyGeneric = "notes/en/supply/mains-supply"                          // 230 V, no market
	supplyUS      = "notes/en/supply-us/mains-supply"                       // 120 V, adapts the generic for the US
	supplyOEM     = "notes/en/supply-integrators/mains-supply-in-a-cabinet" // EU, oem, expert
)

// contextWorkspace is testdata/context ingested, approved, merged and
// published to a throwaway Weaviate.
func contextWorkspace(t *testing.T) string {
	t.Helper()
	srv := weaviatetest.Start(t)
	dir := t.TempDir()
	copyDir(t, "testdata/context", dir)
	ws := filepath.Join(dir, "workspace")
	cfg, _ := os.ReadFile(filepath.Join(ws, "kbops.yaml"))
	cfg = bytes.Replace(cfg, []byte("  collection: Context\n"), []byte("  collection: Context\n  url: http://"+srv.Host()+"\n  grpc: "+srv.GRPCHost()+"\n"), 1)
	writeFile(t, filepath.Join(ws, "kbops.yaml"), cfg)
	must(t, "", "init", ws)
	out := must(t, ws, "ingest")
	if !strings.Contains(out, "unknown-context: market \"BR\" is not in context.yaml") {
		t.Errorf("ingest does not report a market missing from the library:\n%s", out)
	}
	for _, step := range [][]string{{"technical", "ana.ruiz@example.com"}, {"expression", "tom.baker@example.com"}, {"consistency", "carol.chen@example.com"}} {
		must(t, ws, "review", "approve", "--stage", step[0], "--as", step[1], "--all-mine")
	}
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	must(t, ws, "publish")
	return ws
}

// order returns the unit ids of a search, best first.
func order(t *testing.T, ws string, args ...string) []string {
	t.Helper()
	var out []string
	for _, h := range searchList(t, ws, args...) {
		out = append(out, h.UnitID)
	}
	return out
}

// A US customer asking about the supply gets the US adaptation (120 V)
// first and the generic unit after it; the EU integrators' unit is not
// for them. Without a market every unit is found; industry and audience
// select likewise, and the adaptation and the generic unit, which
// differ on purpose, are no conflict.
func TestMarketAdaptationRanksFirstAndGenericStaysReachable(t *testing.T) {
	ws := contextWorkspace(t)
	us := order(t, ws, "--market", "US", "mains outlet supply")
	if len(us) != 2 || us[0] != supplyUS || us[1] != supplyGeneric {
		t.Errorf("--market US: %v, want the US adaptation, then the generic unit", us)
	}
	if all := order(t, ws, "mains outlet supply"); len(all) != 3 {
		t.Errorf("without a market: %v, want all three units", all)
	}
	eu := order(t, ws, "--market", "EU", "mains outlet supply")
	if len(eu) != 2 || contains(eu, supplyUS) {
		t.Errorf("--market EU: %v, want the generic and the integrators' unit", eu)
	}
	if nov := order(t, ws, "--audience", "novice", "mains outlet supply"); contains(nov, supplyOEM) || len(nov) != 2 {
		t.Errorf("--audience novice: %v, want the two units for everyone", nov)
	}
	if oem := order(t, ws, "--industry", "oem", "--audience", "expert", "mains outlet supply"); !contains(oem, supplyOEM) || len(oem) != 3 {
		t.Errorf("--industry oem --audience expert: %v, want all three", oem)
	}
	if h := searchHits(t, ws, "--include-superseded", "mains outlet supply"); h[supplyGeneric].SupersededBy != "" || h[supplyUS].SupersededBy != "" {
		t.Errorf("an adaptation and its generic unit are treated as a conflict: %+v", h)
	}
}

// Health shows, per market that requires adaptations, the core units that
// apply there and lack one.
func TestHealthShowsMarketCoverage(t *testing.T) {
	ws := contextWorkspace(t)
	out := must(t, ws, "health", "--json")
	var rep struct {
		Markets []struct {
			Market  string   `json:"market"`
			Core    int      `json:"core_units"`
			Adapted int      `json:"adapted"`
			Missing []string `json:"missing"`
		} `json:"market_coverage"`
	}
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &rep); err != nil {
		t.Fatalf("health --json: %v\n%s", err, out)
	}
	if len(rep.Markets) != 1 || rep.Markets[0].Market != "US" || rep.Markets[0].Core != 2 || rep.Markets[0].Adapted != 1 ||
		len(rep.Markets[0].Missing) != 1 || rep.Markets[0].Missing[0] != "notes/en/fuses/fuses" {
		t.Errorf("market coverage: %+v, want US: 2 core units, the supply adapted, the fuses missing", rep.Markets)
	}
	if text := must(t, ws, "health"); !strings.Contains(text, "market US: 2 core units, 1 adapted, 1 without the adaptation context.yaml requires") {
		t.Errorf("health text:\n%s", text)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
