package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews/kbrepo"
)

const redactCfg = `version: 1
sources:
  - name: field-notes
    kind: notes
    location: ../notes
    owner: ana.ruiz@example.com
    product: vf-200
  - name: service-manuals
    kind: manuals
    location: ../manuals
    owner: docs@example.com
    product: vf-200
    redact:
      mode: on
      allow: ["@teqsas.example", "+49 89 1234 5678"]
  - name: plain-manuals
    kind: manuals
    location: ../manuals
    owner: docs@example.com
    product: vf-200
`

// stored returns, per source, everything the review branch holds of it:
// unit paths and files; and the commit message.
func stored(t *testing.T, ws string) (map[string]string, string) {
	t.Helper()
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := r.Branch("kbops/review")
	tree, _ := r.Tree(h)
	out := map[string]string{}
	for p, e := range tree {
		parts := strings.Split(p, "/")
		if len(parts) < 3 || parts[0] != "units" {
			continue
		}
		b, _ := r.Read(e.Hash)
		out[parts[1]] += p + "\n" + string(b) + "\n"
	}
	c, _ := r.Git.CommitObject(h)
	return out, c.Message
}

// Personal data in notes never reaches the knowledge repository: no
// seeded e-mail address, phone number, card, IBAN or name (introduced,
// greeted, signing, labelled, or in a first.last@ address) is in a unit
// file, a unit path or the commit message. A manual is kept as written
// unless its source turns redaction on, and then its allow-listed vendor
// addresses and hotline stay.
func TestNotesAndManualsAreRedactedBeforeTheyAreStored(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "kb")
	fixtures := filepath.Join("testdata", "pii")
	trackstest.CopyDir(t, filepath.Join(fixtures, "notes"), filepath.Join(dir, "notes"))
	trackstest.CopyDir(t, filepath.Join(fixtures, "manuals"), filepath.Join(dir, "manuals"))
	os.MkdirAll(ws, 0o755)
	os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte(redactCfg), 0o644)
	if _, err := workspace.Init(ws, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, err := workspace.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(context.Background(), w, ingest.Options{})
	if err != nil || rep.Commit == "" || rep.Errors() > 0 {
		t.Fatalf("ingest: %v %+v", err, rep)
	}
	bySource, msg := stored(t, ws)
	b, err := os.ReadFile(filepath.Join(fixtures, "seeds.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var seeds []string
	for _, l := range strings.Split(string(b), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			seeds = append(seeds, l)
		}
	}
	redacted := strings.ToLower(bySource["field-notes"] + bySource["service-manuals"] + msg)
	leaks := 0
	for _, s := range seeds {
		if strings.Contains(redacted, strings.ToLower(s)) {
			t.Errorf("%q reached the knowledge repository", s)
			leaks++
		}
	}
	t.Logf("%d seeded values, %d leaks; redacted per source: %+v", len(seeds), leaks, rep.Sources)
	for _, kept := range []string{"P1.08 to 4 s", "firmware 2.1.3", "Firmware 2.1.4", "VF-200", "section 3.2"} {
		if !strings.Contains(bySource["field-notes"], kept) {
			t.Errorf("notes lost %q", kept)
		}
	}
	for _, kept := range []string{"support@teqsas.example", "service@eu.teqsas.example", "+49 89 1234 5678", "SN-2024-000123"} {
		if !strings.Contains(bySource["service-manuals"], kept) {
			t.Errorf("allow-listed %q was redacted from the manual", kept)
		}
	}
	for _, kept := range []string{"Oskar Lindqvist", "oskar.lindqvist@customer.example", "support@teqsas.example"} {
		if !strings.Contains(bySource["plain-manuals"], kept) {
			t.Errorf("a manual without `redact: on` lost %q", kept)
		}
	}
	for _, s := range rep.Sources {
		if s.Name == "field-notes" && s.Redacted.Total() == 0 || s.Name == "plain-manuals" && s.Redacted.Total() != 0 {
			t.Errorf("source report %+v", s)
		}
	}
}

// Turning redaction on reaches units extracted before: the unchanged
// documents are extracted again and their units revised.
func TestTurningRedactionOnRevisesExistingUnits(t *testing.T) {
	dir := t.TempDir()
	ws := filepath.Join(dir, "kb")
	trackstest.CopyDir(t, filepath.Join("testdata", "pii", "notes"), filepath.Join(dir, "notes"))
	os.MkdirAll(ws, 0o755)
	conf := func(extra string) {
		os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte("version: 1\nsources:\n  - {name: field-notes, kind: notes, location: ../notes, owner: ana.ruiz@example.com"+extra+"}\n"), 0o644)
	}
	conf(", redact: off")
	if _, err := workspace.Init(ws, time.Now()); err != nil {
		t.Fatal(err)
	}
	run := func() ingest.Report {
		w, err := workspace.Open(ws)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ingest.Run(context.Background(), w, ingest.Options{})
		if err != nil || rep.Errors() > 0 {
			t.Fatalf("ingest: %v %+v", err, rep)
		}
		return rep
	}
	run()
	if s, _ := stored(t, ws); !strings.Contains(s["field-notes"], "jana.novakova@plant.example") {
		t.Fatal("with redact: off the fixture keeps its data")
	}
	conf("")
	rep := run()
	if rep.Commit == "" || rep.Sources[0].Extracted != 2 {
		t.Fatalf("documents not extracted again: %+v", rep.Sources)
	}
	if s, _ := stored(t, ws); strings.Contains(s["field-notes"], "jana.novakova@plant.example") || strings.Contains(s["field-notes"], "Novakova") {
		t.Fatal("existing units keep the personal data")
	}
	if rep := run(); rep.Commit != "" || rep.Sources[0].Unchanged != 2 {
		t.Fatalf("third run did work: %+v", rep.Sources)
	}
}
