package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// In a workspace, `glossary import` commits the new termbase to the review
// branch (not to the working tree), and it waits for a glossary reviewer.
func TestGlossaryImportIsReviewed(t *testing.T) {
	ws, _ := demoWorkspace(t, "", "")
	csv := filepath.Join(t.TempDir(), "more.csv")
	os.WriteFile(csv, []byte("en,es,zh-CN\nmotor cable,cable del motor,电机电缆\n"), 0o644)
	before, _ := os.ReadFile(filepath.Join(ws, "glossary", "termbase.tbx"))
	out := must(t, ws, "glossary", "import", "--as", "tom.baker@example.com", csv)
	if !strings.Contains(out, "1 concepts added") {
		t.Fatalf("import: %s", out)
	}
	if after, _ := os.ReadFile(filepath.Join(ws, "glossary", "termbase.tbx")); string(after) != string(before) {
		t.Error("import changed the working tree instead of the review branch")
	}
	r, _ := kbrepo.Open(ws)
	h, ok, _ := r.Branch("kbops/review")
	tree, _ := r.Tree(h)
	b, _, _ := r.ReadPath(tree, reviews.GlossaryFile)
	if !ok || !strings.Contains(string(b), "cable del motor") {
		t.Fatal("the new termbase is not on the review branch")
	}
	out, code := kb(t, ws, "review", "verify", "--base", "main", "--head", "kbops/review")
	if code != exitAttention || !strings.Contains(out, "glossary/termbase.tbx: changed, approval missing") {
		t.Fatalf("verify of an unapproved termbase change: exit %d\n%s", code, out)
	}
	must(t, ws, "review", "approve", "--stage", "glossary", "--as", "carol.chen@example.com")
	must(t, ws, "review", "verify", "--base", "main", "--head", "kbops/review")
}

// After an import waits for review on the review branch, `glossary stats`
// and `glossary check` read that termbase, not the older one in the
// working folder, and say which they read; --dir still reads a folder.
func TestGlossaryCommandsReadTheImportPendingReview(t *testing.T) {
	ws, _ := demoWorkspace(t, "", "")
	csv := filepath.Join(t.TempDir(), "more.csv")
	os.WriteFile(csv, []byte("en,es,zh-CN\nmotor cable,cable del motor,电机电缆\n"), 0o644)
	var before struct{ Concepts int }
	json.Unmarshal([]byte(must(t, ws, "glossary", "stats", "--json")), &before)
	must(t, ws, "glossary", "import", "--as", "tom.baker@example.com", csv)

	var after struct {
		File     string
		Concepts int
	}
	if err := json.Unmarshal([]byte(must(t, ws, "glossary", "stats", "--json")), &after); err != nil {
		t.Fatal(err)
	}
	if after.Concepts != before.Concepts+1 || after.File != "kbops/review:glossary/termbase.tbx" {
		t.Fatalf("stats after the import: %+v (before: %d concepts)", after, before.Concepts)
	}
	unit := glossaryUnitFile(t, t.TempDir(), "notes/en/wiring", "en", "Wiring", "Route the motor cable away from signal lines.")
	out := must(t, ws, "glossary", "check", unit)
	for _, want := range []string{"termbase: kbops/review:glossary/termbase.tbx", "1 units checked, 1 mention glossary concepts", "note: glossary/termbase.tbx in the working folder differs"} {
		if !strings.Contains(out, want) {
			t.Errorf("check lacks %q:\n%s", want, out)
		}
	}
	out = must(t, ws, "glossary", "check", "--dir", filepath.Join(ws, "glossary"), unit)
	if !strings.Contains(out, "1 units checked, 0 mention glossary concepts") || strings.Contains(out, "termbase: ") {
		t.Errorf("--dir reads the folder:\n%s", out)
	}
}
