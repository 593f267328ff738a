package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// An expert starts a German troubleshooting note, fills two of its three
// required sections, and ingest names the file and the empty one; the
// other documents are ingested all the same.
func TestNoteNewAndIngestReportsEmptyRequiredSection(t *testing.T) {
	dir := t.TempDir()
	ws, notes := filepath.Join(dir, "kb"), filepath.Join(dir, "notes")
	if out, code := kb(t, dir, "init", ws); code != 0 {
		t.Fatalf("init: %d %s", code, out)
	}
	os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte("version: 1\nsources:\n  - name: expert-notes\n    kind: notes\n    location: ../notes\n    owner: alice@example.com\n"), 0o644)
	os.MkdirAll(notes, 0o755)
	os.WriteFile(filepath.Join(notes, "plain.md"), []byte("---\nlanguage: en\nproduct: vf-200\n---\n# Grounding\n\nUse 4 mm² wire.\n"), 0o644)

	note := filepath.Join(notes, "de", "e07-nach-regen.md")
	out := must(t, ws, "note", "new", "--template", "troubleshooting", "--product", "vf-200", "--lang", "de", "--owner", "bob@example.com", note)
	if !strings.Contains(out, note) {
		t.Errorf("output does not name the file: %s", out)
	}
	data, err := os.ReadFile(note)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for _, want := range []string{"title: e07 nach regen\n", "language: de\n", "product: vf-200\n", "owner: bob@example.com\n", "template: troubleshooting\n",
		"## Hintergrund\n", "## Symptom\n", "## Ursache\n", "## Schritte\n", "## Vorbeugung\n"} {
		if !strings.Contains(s, want) {
			t.Errorf("note lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Root cause") || strings.Contains(s, "## Steps") {
		t.Errorf("English headings in a German note:\n%s", s)
	}
	// Never overwrites the expert's work.
	if out, code := kb(t, ws, "note", "new", "--template", "troubleshooting", "--product", "vf-200", "--lang", "de", note); code != exitUsage || !strings.Contains(out, "exists") {
		t.Errorf("second note new on the same path: exit %d %s", code, out)
	}
	if out, code := kb(t, ws, "note", "new", "--template", "novel", "--product", "vf-200", "--lang", "de", filepath.Join(notes, "x.md")); code != exitUsage || !strings.Contains(out, "troubleshooting") {
		t.Errorf("unknown template: exit %d %s", code, out)
	}

	s = strings.Replace(s, "## Symptom\n", "## Symptom\n\nDer Umrichter löst nach Regen mit E07 aus.\n", 1)
	s = strings.Replace(s, "## Schritte\n", "## Schritte\n\n1. Klemmkasten trocknen.\n2. PE prüfen.\n", 1)
	os.WriteFile(note, []byte(s), 0o644)
	line := 0
	for i, l := range strings.Split(s, "\n") {
		if l == "## Ursache" {
			line = i + 1
		}
	}

	// kbops extract previews the finding before anything is ingested.
	if out := must(t, ws, "extract", note); !strings.Contains(out, `finding:  line `+strconv.Itoa(line)+`: template troubleshooting: required section "Ursache" is empty`) {
		t.Errorf("extract does not show the finding:\n%s", out)
	}

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"kbops", "-w", ws, "ingest"}, &stdout, &stderr)
	all := stdout.String() + stderr.String()
	if code != exitOK {
		t.Fatalf("ingest: exit %d\n%s", code, all)
	}
	want := `expert-notes: de/e07-nach-regen.md: line ` + strconv.Itoa(line) + `: template troubleshooting: required section "Ursache" is empty`
	if !strings.Contains(all, want) {
		t.Errorf("ingest output lacks %q:\n%s", want, all)
	}
	if strings.Contains(all, `"Symptom" is empty`) || strings.Contains(all, `"Schritte" is empty`) {
		t.Errorf("a filled section was reported:\n%s", all)
	}
	var units strings.Builder
	for _, u := range unitsOn(t, ws, "kbops/review") {
		units.WriteString(u.Body + "\n")
	}
	if !strings.Contains(units.String(), "Klemmkasten trocknen") || !strings.Contains(units.String(), "4 mm²") {
		t.Errorf("the note and the other document were not both ingested:\n%s", units.String())
	}
}
