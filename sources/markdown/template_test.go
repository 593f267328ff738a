package markdown

import (
	"context"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
)

func extractInfo(t *testing.T, src string) (sources.DocumentInfo, []sources.Section) {
	t.Helper()
	var secs []sources.Section
	info, err := Extractor{}.ExtractInfo(context.Background(), sources.Document{
		Item: sources.Item{Key: "faq.md"}, Name: "faq.md", Body: strings.NewReader(src),
	}, func(s sources.Section) error { secs = append(secs, s); return nil }, func(error) {})
	if err != nil {
		t.Fatal(err)
	}
	return info, secs
}

func TestTemplateNoteWithEmptyRequiredSectionIsAFinding(t *testing.T) {
	src := "---\ntitle: Garantía\nlanguage: es\nproduct: vf-200\ntemplate: faq\n---\n\n# Garantía\n\n## Pregunta\n\n¿Cuánto dura la garantía?\n\n## Respuesta\n\n<!-- por escribir -->\n"
	info, secs := extractInfo(t, src)
	if len(info.Findings) != 1 || info.Findings[0] != `line 14: template faq: required section "Respuesta" is empty` {
		t.Errorf("findings %q", info.Findings)
	}
	if len(secs) == 0 {
		t.Error("the note's filled sections were not emitted")
	}
	info, _ = extractInfo(t, strings.Replace(src, "<!-- por escribir -->", "Dos años.", 1))
	if len(info.Findings) != 0 {
		t.Errorf("filled note: %q", info.Findings)
	}
	info, _ = extractInfo(t, strings.Replace(src, "template: faq", "template: recipe", 1))
	if len(info.Findings) != 1 || !strings.Contains(info.Findings[0], `template "recipe" is not one of faq, micro, spec, troubleshooting`) {
		t.Errorf("unknown template: %q", info.Findings)
	}
	info, _ = extractInfo(t, "# Plain\n\n## Answer\n\n")
	if len(info.Findings) != 0 {
		t.Errorf("a note without a template was checked: %q", info.Findings)
	}
}
