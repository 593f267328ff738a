package ingest_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews/kbrepo"
	"github.com/kbops/kbops/sources/sourcetest"
)

// ticketWorkspace makes a workspace with one tickets source reading dir.
func ticketWorkspace(t *testing.T, extract string) (ws, exports string) {
	t.Helper()
	root := t.TempDir()
	ws, exports = filepath.Join(root, "kb"), filepath.Join(root, "exports")
	os.MkdirAll(ws, 0o755)
	os.MkdirAll(exports, 0o755)
	os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte(`version: 1
sources:
  - name: helpdesk
    kind: tickets
    location: ../exports
    owner: support@example.com
    extract:
`+extract), 0o644)
	if _, err := workspace.Init(ws, time.Now()); err != nil {
		t.Fatal(err)
	}
	return ws, exports
}

func ingestAt(t *testing.T, ws string, day string) ingest.Report {
	t.Helper()
	w, err := workspace.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	now, _ := time.Parse(time.DateOnly, day)
	rep, err := ingest.Run(context.Background(), w, ingest.Options{Now: now})
	if err != nil || rep.Errors() > 0 {
		t.Fatalf("ingest: %v %+v", err, rep.Sources)
	}
	return rep
}

// reviewUnits reads the units and the raw text of the review branch.
func reviewUnits(t *testing.T, ws string) (map[string]knowledge.Unit, string) {
	t.Helper()
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := r.Branch("kbops/review")
	tree, _ := r.Tree(h)
	units := map[string]knowledge.Unit{}
	var all strings.Builder
	for p, e := range tree {
		b, _ := r.Read(e.Hash)
		all.WriteString(p + "\n" + string(b))
		if _, ok := knowledge.IDFromPath(p); ok {
			u, err := knowledge.Parse(p, b)
			if err != nil {
				t.Fatal(err)
			}
			units[u.ID] = u
		}
	}
	c, _ := r.Git.CommitObject(h)
	all.WriteString(c.Message)
	return units, all.String()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The same problem reported in last night's and tonight's exports is one
// scenario unit: same id, a new version with occurrences 2, both exports in
// seen_in, first and last seen from the tickets. Nothing personal from
// either export reaches the repository.
func TestRecurringIssueAcrossTwoExportsIsOneUnit(t *testing.T) {
	ws, exports := ticketWorkspace(t, "      preset: freshdesk\n")
	copyFile(t, "testdata/tickets/night-1.csv", filepath.Join(exports, "night-1.csv"))
	ingestAt(t, ws, "2026-11-30")
	first, _ := reviewUnits(t, ws)
	if len(first) != 2 {
		t.Fatalf("first export: %d units", len(first))
	}
	var e07 knowledge.Unit
	for _, u := range first {
		if strings.Contains(u.Body, "E07") {
			e07 = u
		}
	}
	if e07.ID == "" || e07.Occurrences != 1 || e07.Version != 1 || e07.FirstSeen.String() != "2026-11-30" {
		t.Fatalf("E07 unit after the first export: %+v", e07)
	}
	if !strings.Contains(e07.Body, "## Ursache\n\nFeuchtigkeit im Klemmkasten") || !strings.Contains(e07.Body, "## Lösung\n") || strings.Contains(e07.Body, "## Resolution") {
		t.Errorf("German scenario without German headings:\n%s", e07.Body)
	}

	copyFile(t, "testdata/tickets/night-2.csv", filepath.Join(exports, "night-2.csv"))
	rep := ingestAt(t, ws, "2026-12-01")
	second, text := reviewUnits(t, ws)
	if len(second) != 3 {
		t.Errorf("after the second export: %d units, want 3 (E07, display, firmware)", len(second))
	}
	u, ok := second[e07.ID]
	if !ok {
		t.Fatalf("the E07 unit %s is gone", e07.ID)
	}
	if u.Occurrences != 2 || u.Version != 2 || u.Status != knowledge.StatusActive {
		t.Errorf("E07 unit: occurrences %d version %d status %s; want 2, 2, active", u.Occurrences, u.Version, u.Status)
	}
	if u.SeenIn["night-1.csv"] != 1 || u.SeenIn["night-2.csv"] != 1 || u.FirstSeen.String() != "2026-11-30" || u.LastSeen.String() != "2026-12-01" {
		t.Errorf("seen_in %v first %s last %s", u.SeenIn, u.FirstSeen, u.LastSeen)
	}
	if u.Source.Locator != "tickets 5101, 5230" || u.Source.Document != "night-1.csv" {
		t.Errorf("provenance %+v", u.Source)
	}
	changed := 0
	for _, c := range rep.Changes {
		if c.ID == e07.ID && c.Change == "changed" {
			changed++
		}
	}
	if changed != 1 {
		t.Errorf("changes %+v", rep.Changes)
	}
	for _, leak := range []string{"Anna", "Becker", "anna.becker", "9876543", "Jürgen", "Müller", "1234567", "Petra"} {
		if strings.Contains(text, leak) {
			t.Errorf("%q reached the knowledge repository", leak)
		}
	}

	// A run without a change in the exports commits nothing.
	if again := ingestAt(t, ws, "2026-12-02"); again.Commit != "" {
		t.Errorf("an unchanged run committed %s: %+v", again.Commit, again.Changes)
	}

	// Last night's export is rotated away: the recurring scenario stays,
	// counted from tonight's export only; the one seen only last night is
	// retired.
	os.Remove(filepath.Join(exports, "night-1.csv"))
	ingestAt(t, ws, "2026-12-02")
	third, _ := reviewUnits(t, ws)
	if u := third[e07.ID]; u.Status != knowledge.StatusActive || u.Occurrences != 1 || len(u.SeenIn) != 1 {
		t.Errorf("E07 after night-1 was removed: status %s occurrences %d seen_in %v", u.Status, u.Occurrences, u.SeenIn)
	}
	retired := 0
	for _, u := range third {
		if u.Status == knowledge.StatusRetired {
			retired++
			if !strings.Contains(u.Body, "dunkel") {
				t.Errorf("retired the wrong unit: %s", u.ID)
			}
		}
	}
	if retired != 1 {
		t.Errorf("%d units retired, want 1 (the display scenario)", retired)
	}

	// An export that only reports a known problem adds no unit and is not
	// read again while it is unchanged.
	night3 := "Ticket ID;Subject;Description;Status;Group;Created time;Resolution notes;Language\n" +
		"5377;Umrichter löst nach Regen mit E07 aus;Unser VF-200 löst jedes Mal mit Fehler E07 aus, wenn es nachts geregnet hat.;Closed;Antriebe;2026-12-03 06:00;Klemmkasten des Motors trocknen und die PE-Verbindung prüfen.;de\n"
	os.WriteFile(filepath.Join(exports, "night-3.csv"), []byte(night3), 0o644)
	ingestAt(t, ws, "2026-12-03")
	fourth, _ := reviewUnits(t, ws)
	if len(fourth) != len(third) {
		t.Errorf("night-3 added units: %d → %d", len(third), len(fourth))
	}
	if u := fourth[e07.ID]; u.Occurrences != 2 || u.SeenIn["night-3.csv"] != 1 || u.LastSeen.String() != "2026-12-03" || u.FirstSeen.String() != "2026-11-30" {
		t.Errorf("E07 after night-3: occurrences %d seen_in %v first %s last %s", u.Occurrences, u.SeenIn, u.FirstSeen, u.LastSeen)
	}
	quiet := ingestAt(t, ws, "2026-12-04")
	if quiet.Commit != "" || quiet.Sources[0].Extracted != 0 {
		t.Errorf("unchanged exports were read again: %+v", quiet.Sources[0])
	}

	// That export removed: its ticket leaves the count, though it has no
	// units of its own.
	os.Remove(filepath.Join(exports, "night-3.csv"))
	rep = ingestAt(t, ws, "2026-12-05")
	fifth, _ := reviewUnits(t, ws)
	if u := fifth[e07.ID]; u.Occurrences != 1 || u.SeenIn["night-3.csv"] != 0 || u.Status != knowledge.StatusActive {
		t.Errorf("E07 after night-3 was removed: occurrences %d seen_in %v status %s", u.Occurrences, u.SeenIn, u.Status)
	}
	if rep.Sources[0].Touched != 1 || rep.Commit == "" {
		t.Errorf("the count change was not committed: %+v", rep.Sources[0])
	}
}

// Two ingests of the public ticket corpus cut into two nightly exports
// give the same scenarios as one export holding both: every recurring
// problem of the second half that the first half had is counted in the
// first half's unit, and no ticket is counted twice.
func TestCorpusSplitIntoTwoExportsMergesAcrossThem(t *testing.T) {
	dir := sourcetest.Corpus(t, "tickets")
	for _, name := range []string{"tobi-bueck_tickets_multi-lang-4-20k_en-de_first2000rows.csv", "tobi-bueck_tickets_multi-lang3_en-de-es-fr-pt_1167rows.csv"} {
		t.Run(name, func(t *testing.T) { corpusSplit(t, filepath.Join(dir, name)) })
	}
}

func corpusSplit(t *testing.T, src string) {
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	write := func(dir, name string, rows [][]string) {
		t.Helper()
		out, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(out)
		w.WriteAll(rows)
		out.Close()
	}
	half := len(recs) / 2
	header := recs[0]
	a := append([][]string{header}, recs[1:half]...)
	b := append([][]string{header}, recs[half:]...)

	ws, exports := ticketWorkspace(t, "      preset: tobi-bueck\n")
	write(exports, "2026-11-30.csv", a)
	ingestAt(t, ws, "2026-11-30")
	firstUnits, _ := reviewUnits(t, ws)
	write(exports, "2026-12-01.csv", b)
	ingestAt(t, ws, "2026-12-01")
	split, _ := reviewUnits(t, ws)

	one, oneExports := ticketWorkspace(t, "      preset: tobi-bueck\n")
	write(oneExports, "all.csv", recs)
	ingestAt(t, one, "2026-12-01")
	whole, _ := reviewUnits(t, one)

	occ := func(us map[string]knowledge.Unit) (n, total, grown int) {
		for _, u := range us {
			if u.Status == knowledge.StatusActive {
				n++
				total += u.Occurrences
				if len(u.SeenIn) == 2 {
					grown++
				}
			}
		}
		return
	}
	nSplit, totalSplit, grown := occ(split)
	nWhole, totalWhole, _ := occ(whole)
	t.Logf("first half %d units; split %d units, %d tickets, %d grown across exports; one export %d units, %d tickets", len(firstUnits), nSplit, totalSplit, grown, nWhole, totalWhole)
	if totalSplit != totalWhole {
		t.Errorf("tickets counted: %d over two exports, %d in one", totalSplit, totalWhole)
	}
	if grown == 0 {
		t.Error("no scenario of the first export recurred in the second")
	}
	if nSplit != nWhole {
		t.Errorf("two exports gave %d scenarios, one export %d", nSplit, nWhole)
	}
	for id, u := range split {
		if len(u.SeenIn) == 2 && firstUnits[id].ID == "" {
			t.Errorf("%s grew across exports but was not a unit of the first", id)
		}
	}
}

// Reading the exports again with other redaction settings reaches the
// scenario units (they are rendered afresh from their own first ticket),
// keeps their ids and does not count their tickets twice; a newer fix
// brought by a later export stays the unit's resolution.
func TestNewRedactionReachesContinuedScenarios(t *testing.T) {
	ws, exports := ticketWorkspace(t, "      preset: freshdesk\n")
	head := "Ticket ID;Subject;Description;Status;Group;Created time;Resolution notes;Language\n"
	os.WriteFile(filepath.Join(exports, "night-1.csv"), []byte(head+
		"1;Drive trips with E07 after rain;Customer KD-123456: the VF-200 drive trips with error E07 every time it has rained overnight.;Closed;Drives;2026-11-30 08:00;Dry the motor terminal box.;en\n"), 0o644)
	ingestAt(t, ws, "2026-11-30")
	os.WriteFile(filepath.Join(exports, "night-2.csv"), []byte(head+
		"2;Drive trips with E07 after rain;Customer KD-654321: the VF-200 drive trips with error E07 every time it has rained overnight.;Closed;Drives;2026-12-01 08:00;Fit the heater kit HK-2 in the cabinet against condensation.;en\n"), 0o644)
	ingestAt(t, ws, "2026-12-01")
	before, _ := reviewUnits(t, ws)
	if len(before) != 1 {
		t.Fatalf("%d units after two exports", len(before))
	}
	var id string
	for k, u := range before {
		id = k
		if u.Occurrences != 2 || !strings.Contains(u.Body, "KD-123456") || !strings.Contains(u.Body, "heater kit") {
			t.Fatalf("before: %+v", u)
		}
	}

	cfg := filepath.Join(ws, "kbops.yaml")
	b, _ := os.ReadFile(cfg)
	os.WriteFile(cfg, append(b, []byte("    redact:\n      patterns:\n        - {kind: customer_no, regexp: 'KD-\\d{6}'}\n")...), 0o644)
	ingestAt(t, ws, "2026-12-02")
	after, text := reviewUnits(t, ws)
	u, ok := after[id]
	if len(after) != 1 || !ok {
		t.Fatalf("ids changed: %v", after)
	}
	if strings.Contains(text, "KD-123456") || strings.Contains(text, "KD-654321") || !strings.Contains(u.Body, "<customer_no>") {
		t.Errorf("the new pattern did not reach the unit:\n%s", u.Body)
	}
	if u.Occurrences != 2 || u.SeenIn["night-1.csv"] != 1 || u.SeenIn["night-2.csv"] != 1 {
		t.Errorf("counted again: occurrences %d seen_in %v", u.Occurrences, u.SeenIn)
	}
	if !strings.Contains(u.Body, "heater kit") || strings.Contains(u.Body, "terminal box") || u.Effective.String() != "2026-12-01" {
		t.Errorf("the newer fix was lost (effective %s):\n%s", u.Effective, u.Body)
	}
}

// Two exports ingested in one run merge as they do in two runs, and the
// scenario they share is a new unit at version 1.
func TestTwoExportsInOneRunAreOneScenario(t *testing.T) {
	ws, exports := ticketWorkspace(t, "      preset: freshdesk\n")
	copyFile(t, "testdata/tickets/night-1.csv", filepath.Join(exports, "night-1.csv"))
	copyFile(t, "testdata/tickets/night-2.csv", filepath.Join(exports, "night-2.csv"))
	rep := ingestAt(t, ws, "2026-12-01")
	units, _ := reviewUnits(t, ws)
	if len(units) != 3 {
		t.Fatalf("%d units, want 3", len(units))
	}
	for _, u := range units {
		if strings.Contains(u.Body, "E07") && (u.Occurrences != 2 || u.Version != 1 || u.Source.Locator != "tickets 5101, 5230") {
			t.Errorf("E07: occurrences %d version %d locator %q", u.Occurrences, u.Version, u.Source.Locator)
		}
	}
	if s := rep.Sources[0]; s.Added != 3 || s.Changed != 0 || len(rep.Changes) != 3 {
		t.Errorf("report: %+v %+v", s, rep.Changes)
	}
}
