package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// The units of testdata/conflicts, by what they say about the permissible
// ambient temperature for use of the LAP-TEQ PLUS.
const (
	manualSet = "manuals/teqsas_lap-teq-plus_bedienungsanleitung_de/11-technische-daten.lap-teq-set" // 0 – 40 °C, official, PDF dated 2026-05-04
	noteDE    = "notes/de/einsatz/umgebungstemperatur"                                               // max. 45 °C, internal, dated 2026-11-20
	noteEN    = "notes/en/field-use/ambient-temperature"                                             // max. 45 °C, internal, dated 2026-11-20
	bulletin  = "bulletins/de/hinweis/betriebsbedingungen"                                           // max. 42 °C, official, undated
)

// conflictsWorkspace is testdata/conflicts with the German LAP-TEQ PLUS
// manual from the shared corpus, ingested, approved in all stages,
// merged and published to a throwaway Weaviate.
func conflictsWorkspace(t *testing.T) string {
	t.Helper()
	pdf := corpusManual(t, "teqsas_LAP-TEQ-PLUS_Bedienungsanleitung_de.pdf")
	srv := weaviatetest.Start(t)
	dir := t.TempDir()
	copyDir(t, "testdata/conflicts", dir)
	b, err := os.ReadFile(pdf)
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "manuals", filepath.Base(pdf)), b)
	ws := filepath.Join(dir, "workspace")
	cfg, _ := os.ReadFile(filepath.Join(ws, "kbops.yaml"))
	cfg = bytes.Replace(cfg, []byte("  collection: Conflicts\n"), []byte("  collection: Conflicts\n  url: http://"+srv.Host()+"\n  grpc: "+srv.GRPCHost()+"\n"), 1)
	writeFile(t, filepath.Join(ws, "kbops.yaml"), cfg)
	must(t, "", "init", ws)
	out := must(t, ws, "ingest")
	// The undated bulletin says that its date is the ingest date.
	if !strings.Contains(out, knowledge.FilePath(bulletin)+": effective: the document states no date") {
		t.Errorf("ingest does not say that the bulletin has no date:\n%s", out)
	}
	if !strings.Contains(out, "the same concept ambient-temperature-use") {
		t.Errorf("ingest does not report the conflict across languages:\n%s", out)
	}
	// Unrelated tables of the manual contradict each other (weights of
	// two devices); the technical reviewer waives those.
	for _, step := range [][]string{
		{"technical", "ana.ruiz@example.com"}, {"expression", "tom.baker@example.com"},
		{"expression", "jonas.weber@example.com"}, {"consistency", "carol.chen@example.com"},
	} {
		must(t, ws, "review", "approve", "--stage", step[0], "--as", step[1], "--all-mine",
			"--waive", "conflict=weights of different devices", "--waive", "personal-data=the vendor's service hotline")
	}
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	out = must(t, ws, "publish")
	if !strings.Contains(out, "superseded: "+bulletin+` ("Umgebungstemperatur für die Benutzung: max. 42 °C") by `+manualSet) {
		t.Errorf("publish does not list the bulletin as superseded by the manual:\n%s", out)
	}
	return ws
}

// searchList runs `kbops search --json` and returns its hits in order.
func searchList(t *testing.T, ws string, args ...string) []publish.Hit {
	t.Helper()
	out := must(t, ws, append([]string{"search", "--json", "--limit", "50"}, args...)...)
	var hits []publish.Hit
	if err := json.Unmarshal([]byte(out[strings.Index(out, "["):]), &hits); err != nil {
		t.Fatalf("search --json: %v\n%s", err, out)
	}
	return hits
}

func searchHits(t *testing.T, ws string, args ...string) map[string]publish.Hit {
	t.Helper()
	m := map[string]publish.Hit{}
	for _, h := range searchList(t, ws, args...) {
		m[h.UnitID] = h
	}
	return m
}

// A note saying 45 °C against the manual's 40 °C: after review and
// publish, default search gives the manual's value only, in German and in
// English (the English note found through the termbase concept), and an
// undated official bulletin does not win over the dated manual. The
// losers are published marked superseded_by the manual.
func TestConflictLoserIsSupersededAndLeftOutOfSearch(t *testing.T) {
	ws := conflictsWorkspace(t)
	def := searchHits(t, ws, "Umgebungstemperatur")
	if _, ok := def[manualSet]; !ok {
		t.Fatalf("default search lost the manual's technical data: %v", keys(def))
	}
	for _, id := range []string{noteDE, bulletin} {
		if _, ok := def[id]; ok {
			t.Errorf("default search returns %s, which contradicts the manual", id)
		}
	}
	if en := searchHits(t, ws, "ambient temperature"); len(en) != 0 {
		if _, ok := en[noteEN]; ok {
			t.Errorf("default search returns the English note that contradicts the German manual")
		}
	}
	all := searchHits(t, ws, "--include-superseded", "Umgebungstemperatur ambient temperature")
	for _, id := range []string{noteDE, noteEN, bulletin} {
		if h, ok := all[id]; !ok || h.SupersededBy != manualSet {
			t.Errorf("%s with --include-superseded: %+v, want superseded_by %s", id, h, manualSet)
		}
	}
	if h := all[manualSet]; h.SupersededBy != "" {
		t.Errorf("the manual is marked superseded by %s", h.SupersededBy)
	}
	text := must(t, ws, "search", "--include-superseded", "--limit", "50", "Servicehinweis Betriebsbedingungen")
	if !strings.Contains(text, "id: "+bulletin) || !strings.Contains(text, "superseded by: "+manualSet) {
		t.Errorf("search --include-superseded does not mark the bulletin:\n%s", text)
	}
}

// A pin by a consistency reviewer flips a conflict; a pin forged into
// that reviewer's earlier record by someone with push access does not
// count.
func TestConflictPinFlipsAndForgedPinDoesNot(t *testing.T) {
	ws := conflictsWorkspace(t)
	r, _ := kbrepo.Open(ws)
	man := readUnit(t, ws, "main", manualSet)

	// Mallory adds a pin (bulletin over manual) to Carol's consistency
	// record of the bulletin, straight on main.
	h, _, _ := r.Branch("main")
	tree, _ := r.Tree(h)
	b, _, _ := r.ReadPath(tree, reviews.ApprovalPath(bulletin))
	f, err := reviews.ParseApprovals("bulletin", b)
	if err != nil {
		t.Fatal(err)
	}
	last := &f.Records[len(f.Records)-1]
	if last.Stage != reviews.Consistency {
		t.Fatalf("last record of the bulletin: %+v", last)
	}
	last.Pins = []reviews.Pin{{Over: manualSet, Version: man.Version, ContentHash: man.ContentHash, Reason: "the bulletin is newer"}}
	forged, _ := reviews.MarshalApprovals(f)
	commitToMain(t, ws, kbrepo.Change{Path: reviews.ApprovalPath(bulletin), Data: forged})
	kb(t, ws, "publish") // exits 3: the bulletin's records no longer hold
	if def := searchHits(t, ws, "Umgebungstemperatur"); !has(def, manualSet) || has(def, bulletin) {
		t.Errorf("a forged pin changed what search returns: %v", keys(def))
	}

	// Carol pins the English field note over the manual, for a reason;
	// nothing waits for review, so the pin starts the review branch.
	if _, ok, _ := r.Branch("kbops/review"); ok {
		t.Fatal("the review branch was not deleted by the merge")
	}
	out, code := kb(t, ws, "review", "approve", "--stage", "consistency", "--as", "mallory@example.com", "--pin-over", manualSet, "-m", "mine", noteEN)
	if code == 0 || !strings.Contains(out, "may not decide") {
		t.Errorf("a pin by someone who may not decide consistency was recorded (exit %d):\n%s", code, out)
	}
	must(t, ws, "review", "approve", "--stage", "consistency", "--as", "carol.chen@example.com",
		"--pin-over", manualSet, "-m", "the table is for the first sensor; current units are rated 45 °C", noteEN)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	kb(t, ws, "publish")
	en := searchHits(t, ws, "ambient temperature")
	if h, ok := en[noteEN]; !ok || h.SupersededBy != "" {
		t.Errorf("after the pin, default search does not return the English note unmarked: %v", keys(en))
	}
	if def := searchHits(t, ws, "Umgebungstemperatur"); has(def, manualSet) {
		t.Errorf("after the pin, default search still returns the manual's 40 °C")
	}
	if h := searchHits(t, ws, "--include-superseded", "Umgebungstemperatur")[manualSet]; h.SupersededBy != noteEN {
		t.Errorf("the manual after the pin: %+v, want superseded_by %s", h, noteEN)
	}
}

func has(m map[string]publish.Hit, id string) bool { _, ok := m[id]; return ok }

func keys(m map[string]publish.Hit) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
