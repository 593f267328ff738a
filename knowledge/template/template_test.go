package template_test

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge/template"
)

func TestHeadingsAreLocalisedForEveryLanguage(t *testing.T) {
	want := map[string]string{"en": "Root cause", "de": "Ursache", "es": "Causa raíz", "fr": "Cause première", "pt-BR": "Causa raiz", "zh-CN": "根本原因", "ja": "根本原因", "ko": "Root cause"}
	for lang, h := range want {
		if got := template.Heading(template.RootCause, lang); got != h {
			t.Errorf("Heading(root_cause, %s) = %q, want %q", lang, got, h)
		}
	}
	for _, l := range template.Languages[1:] {
		if template.Heading(template.Symptom, l) == "" || template.Heading(template.Steps, l) == template.Heading(template.Steps, "en") {
			t.Errorf("%s: steps heading not translated", l)
		}
	}
	if k, ok := template.SectionOf(" lösung "); !ok || k != template.Resolution {
		t.Errorf("SectionOf(lösung) = %q %v", k, ok)
	}
	if _, ok := template.SectionOf("Installation"); ok {
		t.Error("a heading outside the vocabulary was taken for a section")
	}
}

func TestRenderWritesTheTemplateInTheNotesLanguage(t *testing.T) {
	tr, ok := template.Lookup("troubleshooting")
	if !ok {
		t.Fatal("no troubleshooting template")
	}
	b, err := tr.Render(template.Note{Title: "E07: Auslösung nach Regen", Product: "vf-200", Language: "de", Owner: "alice@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	head, body, ok := strings.Cut(strings.TrimPrefix(s, "---\n"), "---\n")
	if !ok || !strings.HasPrefix(s, "---\n") {
		t.Fatalf("no front matter:\n%s", s)
	}
	var fm map[string]string
	if err := yaml.Unmarshal([]byte(head), &fm); err != nil {
		t.Fatalf("front matter: %v\n%s", err, head)
	}
	if fm["title"] != "E07: Auslösung nach Regen" || fm["template"] != "troubleshooting" || fm["language"] != "de" || fm["product"] != "vf-200" || fm["kind"] != "troubleshooting" {
		t.Errorf("front matter %v", fm)
	}
	var hs []string
	for _, p := range template.Split(body) {
		hs = append(hs, p.Heading)
	}
	if got := strings.Join(hs, "|"); got != "Hintergrund|Symptom|Ursache|Schritte|Vorbeugung" {
		t.Errorf("headings %s", got)
	}
	gaps := tr.Check(body, "de")
	if len(gaps) != 3 || gaps[0].Heading != "Symptom" || gaps[1].Heading != "Ursache" || gaps[2].Heading != "Schritte" {
		t.Errorf("a fresh note should have its three required sections empty: %v", gaps)
	}
	for _, bad := range []template.Note{
		{Title: "x", Product: "", Language: "de"},
		{Title: "x", Product: "p", Language: "de; rm"},
		{Title: "x", Product: "p", Language: "de", Owner: "Alice <a@example.com>"},
		{Title: "a\nb", Product: "p", Language: "de"},
	} {
		if _, err := tr.Render(bad); err == nil {
			t.Errorf("Render(%+v) accepted", bad)
		}
	}
}

func TestCheckNamesEmptyAndMissingSections(t *testing.T) {
	tr, _ := template.Lookup("troubleshooting")
	body := "# T\n\n## Síntoma\n\nEl variador se dispara.\n\n## Causa raíz\n\n<!-- por rellenar -->\n\n## Prevención\n\n```\n## Pasos\n```\n"
	gaps := tr.Check(body, "es")
	if len(gaps) != 2 {
		t.Fatalf("gaps %v", gaps)
	}
	if gaps[0].Section != template.RootCause || gaps[0].Line != 7 || !strings.Contains(gaps[0].String(), "empty") {
		t.Errorf("root cause gap %+v", gaps[0])
	}
	// "## Pasos" inside a code fence is not a heading: the section is missing.
	if gaps[1].Section != template.Steps || gaps[1].Line != 0 || !strings.Contains(gaps[1].String(), `"Pasos" is missing`) {
		t.Errorf("steps gap %+v %s", gaps[1], gaps[1])
	}
	filled := "## Symptom\nx\n## Root cause\ny\n## Steps\n1. z\n"
	if g := tr.Check(filled, "en"); len(g) != 0 {
		t.Errorf("filled note reported: %v", g)
	}
	if len(template.Names()) != 4 {
		t.Errorf("templates %v", template.Names())
	}
}

func TestLocalizeRewritesHeadingsAndBackgroundLabels(t *testing.T) {
	body := "## Background\n\n- Product: VF-200\n- Category: Drives\n- Note: stays\n\n## Symptom\n\nE07.\n\n```\n## Resolution\n```\n\n## Resolution\n\n- Product: not a label here\n"
	got := template.Localize(body, "es")
	want := "## Contexto\n\n- Producto: VF-200\n- Categoría: Drives\n- Note: stays\n\n## Síntoma\n\nE07.\n\n```\n## Resolution\n```\n\n## Solución\n\n- Product: not a label here\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if again := template.Localize(got, "es"); again != got {
		t.Errorf("not idempotent:\n%s", again)
	}
}
