package markdown

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/sources/sourcetest"
)

func TestDocSiteSyntax(t *testing.T) {
	src := "# Setup\n\n!!! warning \"Mind the voltage\"\n    Switch off mains first.\n\n    Wait 5 minutes.\n\nAfter.\n\n" +
		"!!! note\n    Plain note.\n\n" +
		":::caution Heavy\n    Lift with two people.\n:::\n\n" +
		"import Tabs from '@theme/Tabs';\n" +
		"<div style={{borderRadius: '0px', height: 500}}>\n</div>\n" +
		"<iframe frameborder='0' src='https://example.com/embed'></iframe>\n" +
		"<p style={{}}><a href=\"https://shop\"><img src=\"buy.png\" width={200} /></a></p>\n" +
		"<img src=\"image/frame.jpg\" alt=\"Block diagram\" style=\"zoom:50%;\" />\n" +
		"<!-- TODO: add figure\n  here -->\n" +
		"| a | b |\n|---|---|\n| 1 | 2 |\n" +
		"```html\n<div>kept in code</div>\n```\n## Next\n\ntext\n"
	secs, warns, err := extract(t, src)
	if err != nil || len(warns) > 0 {
		t.Fatal(err, warns)
	}
	text := secs[0].Text
	for _, want := range []string{"**Mind the voltage**\nSwitch off mains first.\n\nWait 5 minutes.\n\nAfter.", "**Note**\nPlain note.", "**Caution: Heavy**\nLift with two people.", "![Block diagram](image/frame.jpg)", "| 1 | 2 |", "<div>kept in code</div>"} {
		if !strings.Contains(text, want) {
			t.Errorf("missing %q in:\n%s", want, text)
		}
	}
	for _, bad := range []string{"<div", "iframe", "style=", "import Tabs", ":::", "!!!", "TODO", "buy.png"} {
		if strings.Contains(strings.ReplaceAll(text, "<div>kept in code</div>", ""), bad) {
			t.Errorf("remnant %q kept in:\n%s", bad, text)
		}
	}
	if strings.Join(secs[1].Headings, "/") != "Setup/Next" || !strings.Contains(secs[1].Locator, "line 31") {
		t.Errorf("line numbers shifted: %+v", secs[1])
	}
}

func TestCorpusMarkdown(t *testing.T) {
	dir := sourcetest.Corpus(t, "manuals")
	files, _ := filepath.Glob(filepath.Join(dir, "*.md"))
	if len(files) == 0 {
		t.Fatalf("no Markdown manuals in %s", dir)
	}
	langs := map[string]string{"_ja.md": "ja", "_de.md": "de", "_en.md": "en", "_zh.md": "zh"}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		secs, warns, err := extract(t, string(data))
		if err != nil || len(warns) > 0 || len(secs) == 0 {
			t.Errorf("%s: %v %v (%d sections)", filepath.Base(f), err, warns, len(secs))
			continue
		}
		want := ""
		for suf, l := range langs {
			if strings.HasSuffix(f, suf) {
				want = l
			}
		}
		for _, s := range secs {
			if s.Language != want {
				t.Errorf("%s %v: language %q, want %q", filepath.Base(f), s.Headings, s.Language, want)
			}
			for _, bad := range []string{"style={{", "<iframe", "!!! ", ":::"} {
				if strings.Contains(s.Text, bad) {
					t.Errorf("%s %v: remnant %q", filepath.Base(f), s.Headings, bad)
				}
			}
		}
	}
}
