package template_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge/template"
)

func TestCreateNamesTheFileAfterTheTitleAndNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	p, err := template.Create(dir, "", "micro", template.Note{Title: "Lüfter: Filter monatlich reinigen!", Product: "vf-200", Language: "de"})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p) != "lüfter-filter-monatlich-reinigen.md" {
		t.Errorf("file name %s", p)
	}
	b, _ := os.ReadFile(p)
	if !strings.Contains(string(b), "## Hinweis\n") || !strings.Contains(string(b), "## Wann es gilt\n") || !strings.Contains(string(b), "kind: note\n") {
		t.Errorf("micro note:\n%s", b)
	}
	os.WriteFile(p, []byte("expert's work"), 0o644)
	if _, err := template.Create(dir, "", "micro", template.Note{Title: "Lüfter: Filter monatlich reinigen!", Product: "vf-200", Language: "de"}); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("overwrote: %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "expert's work" {
		t.Errorf("file changed: %s", b)
	}
	p, err = template.Create(dir, filepath.Join(dir, "ja", "fan_filter.md"), "spec", template.Note{Product: "vf-200", Language: "ja"})
	if err != nil {
		t.Fatal(err)
	}
	b, _ = os.ReadFile(p)
	if !strings.Contains(string(b), "title: fan filter\n") || !strings.Contains(string(b), "## 適用範囲\n") || !strings.Contains(string(b), "## 値\n") {
		t.Errorf("spec note:\n%s", b)
	}
	if _, err := template.Create(dir, "", "recipe", template.Note{Title: "x", Product: "p", Language: "en"}); err == nil {
		t.Error("unknown template accepted")
	}
}
