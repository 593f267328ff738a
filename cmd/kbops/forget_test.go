package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

func TestForgetCommandPrintsPlacesNotValues(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{Notes: map[string]string{"en/visit.md": "---\ntitle: Visit\nproduct: vf-200\nlanguage: en\n---\n\n# Visit\n\nCall Max Mustermann at max@kunde.example about the E07 trips.\n"}, Unredacted: true})
	out, code := ops(t, ws.Root, "forget", "--email", "max@kunde.example", "--name", "Max Mustermann", "--now", "--no-weaviate")
	if code != 0 || strings.Contains(strings.ToLower(out), "mustermann") || strings.Contains(out, "max@kunde") {
		t.Fatalf("%d %s", code, out)
	}
	if !strings.Contains(out, "knowledge repository: units") || !strings.Contains(out, "committed") || !strings.Contains(out, "git history") {
		t.Fatalf("%s", out)
	}
	b, _ := os.ReadFile(filepath.Join(ws.Root, "units", "expert-notes", "en", "visit", "visit.md"))
	_ = b
	out, code = ops(t, ws.Root, "forget", "--email", "max@kunde.example", "--name", "Max Mustermann", "--now", "--no-weaviate")
	if code != 0 || !strings.Contains(out, "nothing found") {
		t.Fatalf("second run: %d %s", code, out)
	}
	if _, code := ops(t, ws.Root, "forget"); code != exitUsage {
		t.Fatalf("no subject: exit %d", code)
	}
}
