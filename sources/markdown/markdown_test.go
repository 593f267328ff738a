package markdown

import (
	"context"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

func extract(t *testing.T, src string) ([]sources.Section, []error, error) {
	t.Helper()
	var secs []sources.Section
	var warns []error
	err := Extractor{}.Extract(context.Background(), sources.Document{
		Item: sources.Item{Key: "doc.md"}, Name: "doc.md", Body: strings.NewReader(src),
	}, func(s sources.Section) error { secs = append(secs, s); return nil }, func(e error) { warns = append(warns, e) })
	return secs, warns, err
}

func TestSectionsByHeading(t *testing.T) {
	src := "---\ntitle: Inverter basics\nlanguage: es-MX\nproduct: vf-200\nunknown_key: ok\n---\nIntro text.\n\n# Instalación\n\nMontaje.\n\n## Puesta a tierra\n\nConecte PE.\n\n```sh\n# not a heading\n```\n\nSetext\n------\n\nbody\n"
	secs, warns, err := extract(t, src)
	if err != nil || len(warns) > 0 {
		t.Fatal(err, warns)
	}
	want := [][]string{nil, {"Instalación"}, {"Instalación", "Puesta a tierra"}, {"Instalación", "Setext"}}
	if len(secs) != len(want) {
		t.Fatalf("got %d sections: %+v", len(secs), secs)
	}
	for i, s := range secs {
		if strings.Join(s.Headings, "/") != strings.Join(want[i], "/") {
			t.Errorf("section %d headings %v, want %v", i, s.Headings, want[i])
		}
		if s.Language != "es-MX" || s.Product != "vf-200" {
			t.Errorf("front matter not applied: %+v", s)
		}
	}
	if secs[0].Title != "Inverter basics" || !strings.Contains(secs[2].Text, "# not a heading") {
		t.Errorf("title %q / code block %q", secs[0].Title, secs[2].Text)
	}
	if !strings.Contains(secs[2].Locator, "line 13") {
		t.Errorf("locator %q does not give the heading's line", secs[2].Locator)
	}
}

func TestBadInput(t *testing.T) {
	if _, _, err := extract(t, "\x00\x01binary\xff"); err == nil || !strings.Contains(err.Error(), "doc.md") {
		t.Errorf("binary: %v", err)
	}
	secs, warns, err := extract(t, "---\ntitle: [unclosed\n---\n# H\ntext\n")
	if err != nil || len(warns) != 1 || len(secs) != 1 {
		t.Errorf("bad front matter should warn and go on: %v %v %v", err, warns, secs)
	}
	if len(warns) == 1 && !strings.Contains(warns[0].Error(), "doc.md") {
		t.Errorf("warning does not name the file: %v", warns[0])
	}
}

func TestActiveContentIsNeutralised(t *testing.T) {
	src := "---\ntitle: Notes <script>alert(0)</script>\n---\nIntro [home](vbscript:msgbox) text.\n\n" +
		"# Setup <script>alert(1)</script> [step](javascript:alert(1))\n\n" + sourcetest.Hostile + "\n\n" +
		"<img\nsrc=x\nonerror=alert(4)>\n\n```html\n<script>in code</script>\n```\n"
	secs, warns, err := extract(t, src)
	if err != nil || len(warns) > 0 {
		t.Fatal(err, warns)
	}
	sourcetest.CheckInert(t, secs, append(sourcetest.HostileVisible, "Notes", "home", "Setup", "step")...)
}
