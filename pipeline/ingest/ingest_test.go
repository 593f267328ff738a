package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	_ "github.com/kbops/kbops/sources/all"
)

const cfg = `version: 1
sources:
  - name: manuals
    kind: manuals
    location: ../manuals
    owner: ana@example.com
    product: vf-200
`

func setup(t *testing.T) (*workspace.Workspace, string) {
	t.Helper()
	dir := t.TempDir()
	ws, manuals := filepath.Join(dir, "kb"), filepath.Join(dir, "manuals")
	os.MkdirAll(ws, 0o755)
	os.MkdirAll(manuals, 0o755)
	os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte(cfg), 0o644)
	if _, err := workspace.Init(ws, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, err := workspace.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	return w, manuals
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func units(t *testing.T, w *workspace.Workspace) map[string]*knowledge.Unit {
	t.Helper()
	s, ok, err := reviews.LoadBranch(context.Background(), w.Repo, "kbops/review")
	if err != nil || !ok {
		t.Fatalf("review branch: %v %v", ok, err)
	}
	if len(s.Problems) > 0 {
		t.Fatalf("unreadable files: %v", s.Problems)
	}
	return s.Units
}

const manual = `# VF-200 manual

## Installation

Mount vertically.

## Grounding

Use 4 mm² copper.

## Maintenance

Clean the fan yearly.
`

func TestIncrementalManualIngest(t *testing.T) {
	ctx := context.Background()
	w, dir := setup(t)
	write(t, dir, "vf200.md", manual)
	write(t, dir, "other.md", "# Other\n\nSome text.\n")
	rep, err := ingest.Run(ctx, w, ingest.Options{})
	if err != nil || rep.Commit == "" {
		t.Fatalf("first run: %v %+v", err, rep)
	}
	before := units(t, w)

	// Editing one section changes exactly one unit's version.
	write(t, dir, "vf200.md", strings.Replace(manual, "4 mm²", "6 mm²", 1))
	rep, err = ingest.Run(ctx, w, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	after := units(t, w)
	var changed []string
	for id, u := range after {
		if u.Version != before[id].Version {
			changed = append(changed, id)
		}
	}
	if len(changed) != 1 || !strings.HasSuffix(changed[0], "grounding") || after[changed[0]].Version != 2 {
		t.Fatalf("changed units: %v", changed)
	}

	// Deleting a file retires its units, and only those.
	os.Remove(filepath.Join(dir, "other.md"))
	if _, err := ingest.Run(ctx, w, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	for id, u := range units(t, w) {
		gone := strings.HasPrefix(id, "manuals/other/")
		if gone != (u.Status == knowledge.StatusRetired) {
			t.Errorf("%s: status %s", id, u.Status)
		}
	}
}

func TestBadDocumentIsReportedAndKeepsItsUnits(t *testing.T) {
	ctx := context.Background()
	w, dir := setup(t)
	write(t, dir, "good.md", manual)
	write(t, dir, "later-broken.md", "# Fine\n\nfor now\n")
	if _, err := ingest.Run(ctx, w, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	// One document turns into garbage, a corrupt PDF and an empty file appear.
	write(t, dir, "later-broken.md", "\x00\x01\x02binary")
	write(t, dir, "truncated.pdf", "%PDF-1.7\n1 0 obj\n<< /Type /Catalog")
	write(t, dir, "empty.pdf", "")
	write(t, dir, "new.md", "# New\n\nfresh\n")
	rep, err := ingest.Run(ctx, w, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	errs := strings.Join(rep.Sources[0].Errors, "\n")
	for _, name := range []string{"later-broken.md", "truncated.pdf", "empty.pdf"} {
		if !strings.Contains(errs, name) {
			t.Errorf("no error naming %s in:\n%s", name, errs)
		}
	}
	us := units(t, w)
	if u := us["manuals/later-broken/fine"]; u == nil || u.Status != knowledge.StatusActive {
		t.Errorf("units of a document that failed to read were not kept: %+v", u)
	}
	if us["manuals/new/new"] == nil {
		t.Error("the rest of the run did not go on")
	}
}

// Expert notes belong to their product's owner in OWNERS, else to their
// author; their tier is internal and their layer comes from front matter.
func TestNotesOwnerTierAndLayer(t *testing.T) {
	dir := t.TempDir()
	ws, notes := filepath.Join(dir, "kb"), filepath.Join(dir, "notes")
	os.MkdirAll(ws, 0o755)
	os.MkdirAll(notes, 0o755)
	os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte("version: 1\nsources:\n  - {name: notes, kind: notes, location: ../notes, owner: fallback@example.com}\n"), 0o644)
	os.WriteFile(filepath.Join(ws, "OWNERS"), []byte("technical:\n  vf-200: [ana@example.com]\n"), 0o644)
	write(t, notes, "a.md", "---\nauthor: bob@example.com\nproduct: vf-200\n---\n# Tip\n\nUse ferrules.\n")
	write(t, notes, "b.md", "---\nauthor: bob@example.com\nproduct: other\nlayer: context\n---\n# Market\n\nCE marking needed in the EU.\n")
	if _, err := workspace.Init(ws, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, _ := workspace.Open(ws)
	if _, err := ingest.Run(context.Background(), w, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	us := units(t, w)
	a, b := us["notes/a/tip"], us["notes/b/market"]
	if a == nil || b == nil {
		t.Fatalf("units: %v", us)
	}
	if a.Owner != "ana@example.com" || b.Owner != "bob@example.com" {
		t.Errorf("owners: %s, %s", a.Owner, b.Owner)
	}
	if a.Tier != knowledge.TierInternal || a.Layer != knowledge.LayerCore || b.Layer != knowledge.LayerContext {
		t.Errorf("tier/layer: %s %s %s", a.Tier, a.Layer, b.Layer)
	}
}

// TestCraftedNoteYieldsCleanUnits: a note written to attack the readers
// of the knowledge base becomes units with its text and without its
// scripts and links; a note whose owner is markup gives no unit and an
// error naming the document and the field.
func TestCraftedNoteYieldsCleanUnits(t *testing.T) {
	dir := t.TempDir()
	ws, notes := filepath.Join(dir, "kb"), filepath.Join(dir, "notes")
	os.MkdirAll(ws, 0o755)
	os.MkdirAll(notes, 0o755)
	os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte("version: 1\nsources:\n  - {name: notes, kind: notes, location: ../notes, owner: ana@example.com}\n"), 0o644)
	write(t, notes, "x.md", "---\ntitle: Tips <script>alert(0)</script>\n---\n# Grounding [more](javascript:alert(1))\n\n"+
		"Use ferrules. See [the guide](javascript:alert(2)). <script>alert(3)</script> <img src=x onerror=alert(4)> ![wiring](data:image/svg+xml;base64,PHN2Zz4=)\n")
	write(t, notes, "y.md", "---\nowner: \"\\\"><img src=x onerror=alert(1)>@example.com\"\n---\n# Fan\n\nClean the fan yearly.\n")
	if _, err := workspace.Init(ws, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, _ := workspace.Open(ws)
	rep, err := ingest.Run(context.Background(), w, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	us := units(t, w) // fails on any unit file validation refuses
	u := us["notes/x/grounding-more"]
	if u == nil {
		t.Fatalf("no unit notes/x/grounding-more: %v (report %+v)", us, rep)
	}
	for _, v := range []string{u.Title, u.Body, u.Source.Locator} {
		for _, bad := range []string{"javascript:", "data:image", "<script", "<img"} {
			if strings.Contains(v, bad) {
				t.Errorf("unit still contains %q: %q", bad, v)
			}
		}
	}
	for _, want := range []string{"Use ferrules.", "the guide", "wiring"} {
		if !strings.Contains(u.Body, want) {
			t.Errorf("body lost %q: %q", want, u.Body)
		}
	}
	if u.Title != "Grounding more" {
		t.Errorf("title %q, want the heading's visible text", u.Title)
	}
	if us["notes/y/fan"] != nil {
		t.Errorf("unit with a markup owner was written: %+v", us["notes/y/fan"])
	}
	errs := strings.Join(rep.Sources[0].Errors, "\n")
	if !strings.Contains(errs, "y.md") || !strings.Contains(errs, `field "owner"`) {
		t.Errorf("errors do not name y.md and the owner field:\n%s", errs)
	}
}
