package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge/text/lang"
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/pdf"
)

const manualsDir = "../../manuals"

// The checked-in PDFs are what content.go says: a change to the text that
// was not followed by `go run ./examples/demo/tools/mkmanual` fails here.
func TestCheckedInManualsAreCurrent(t *testing.T) {
	for _, e := range editions {
		want, err := render(e.m)
		if err != nil {
			t.Fatalf("%s: %v", e.file, err)
		}
		got, err := os.ReadFile(filepath.Join(manualsDir, e.file))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("examples/demo/manuals/%s differs from content.go: run go run ./examples/demo/tools/mkmanual", e.file)
		}
	}
}

// The demo's manuals come out of kbops' PDF extractor as they were laid
// out: one section per heading, in the edition's language, tables as
// Markdown rows with every cell in its column, the safety notes' labels
// as paragraphs of their own, and the running footer dropped.
func TestManualsExtractAsLaidOut(t *testing.T) {
	for _, e := range editions {
		t.Run(e.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(manualsDir, e.file))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			doc, err := pdf.Parse(ctx, e.file, data, func(err error) { t.Errorf("warning: %v", err) })
			if err != nil {
				t.Fatal(err)
			}
			var secs []sources.Section
			if err := doc.Sections(ctx, "", func(s sources.Section) error { secs = append(secs, s); return nil }); err != nil {
				t.Fatal(err)
			}
			var all strings.Builder
			got := map[string]sources.Section{}
			for _, s := range secs {
				if len(s.Headings) == 0 {
					t.Errorf("text before the first heading: %.80q", s.Text)
					continue
				}
				got[strings.Join(s.Headings, " > ")] = s
				all.WriteString(s.Text + "\n")
			}
			docLang := e.m.lang[:2]
			// A heading with text under it is a section whose heading
			// path holds its chapter; a chapter heading followed at once
			// by a section heading has no section of its own.
			var want []string
			chapter := ""
			for i, b := range e.m.blocks {
				switch b.kind {
				case title, h1, h2:
					path := b.text
					if b.kind == h2 {
						path = chapter + " > " + b.text
					} else {
						chapter = b.text
					}
					if next := e.m.blocks[i+1].kind; next != h1 && next != h2 {
						want = append(want, path)
					}
				case table:
					for _, row := range b.rows {
						if md := "| " + strings.Join(row, " | ") + " |"; !strings.Contains(all.String(), md) {
							t.Errorf("table row %s not in the extracted text", md)
						}
					}
				case note:
					if !strings.Contains(all.String(), "\n\n"+b.label+"\n\n") {
						t.Errorf("note label %q is not a paragraph of its own", b.label)
					}
				}
			}
			for _, h := range want {
				s, ok := got[h]
				if !ok {
					t.Errorf("heading %q: no section", h)
					continue
				}
				if l := lang.DetectIn(s.Text, docLang); l != docLang && strings.TrimSpace(s.Text) != "" {
					t.Errorf("section %q: language %q, want %q", h, l, docLang)
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d sections %v, want %d %q", len(got), keys(got), len(want), want)
			}
			if strings.Contains(all.String(), e.m.footer) {
				t.Errorf("the running footer %q is in the section text", e.m.footer)
			}
		})
	}
}

func keys(m map[string]sources.Section) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
