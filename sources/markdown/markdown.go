// Package markdown is the extractor for Markdown documents: manuals,
// expert notes and doc-site sources.
//
// YAML front matter sets the document's language, title, product, owner,
// access, markets, kind, layer and effective date. Headings (ATX "#" and
// setext underlines) cut the document into sections; fenced code blocks are
// never searched for headings, so a "# comment" in a shell snippet stays
// code.
//
// Doc-site syntax is turned into plain Markdown: MkDocs admonitions
// (!!! note "Title", ??? and ???+) and Docusaurus blocks (:::caution
// Title … :::) become a bold title line followed by their text; HTML and
// JSX remnants (<div style={{…}}>, <iframe>, <br/>, comments, MDX import
// and export lines) are removed, keeping <img alt> text as a Markdown
// image. Sections without a declared language get a detected one.
package markdown

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/template"
	"github.com/kbops/kbops/knowledge/text/lang"
	"github.com/kbops/kbops/sources"
)

func init() {
	sources.Default.RegisterFormat(sources.Format{Name: "markdown", Extractor: Extractor{}, Extensions: []string{".md", ".markdown", ".mdx"}, MediaTypes: []string{"text/markdown"}, Kinds: []string{"manuals", "notes"}})
}

// MaxSize is the largest Markdown document read (8 MiB); larger ones are
// reported, because no hand-written page is that big and a mislabelled
// binary would otherwise fill the knowledge base with noise.
const MaxSize = 8 << 20

// Extractor reads Markdown. The zero value is ready to use.
type Extractor struct {
	// MaxSize overrides the package's MaxSize when > 0.
	MaxSize int64
}

// FrontMatter is what a document may declare about itself.
type FrontMatter struct {
	Title    string   `yaml:"title"`
	Language string   `yaml:"language"`
	Lang     string   `yaml:"lang"`
	Product  string   `yaml:"product"`
	Owner    string   `yaml:"owner"`
	Author   string   `yaml:"author"`
	Access   string   `yaml:"access"`
	Markets  []string `yaml:"markets"`
	// Industries, Audiences and Adapts: see knowledge.Unit.
	Industries []string `yaml:"industries"`
	Audiences  []string `yaml:"audiences"`
	Adapts     string   `yaml:"adapts"`
	Kind       string   `yaml:"kind"`
	Layer      string   `yaml:"layer"`
	Effective  string   `yaml:"effective"`
	Tags       []string `yaml:"tags"`
	// Template names the capture template the note was written from
	// (`kbops note new`); its required sections are checked.
	Template string `yaml:"template"`
}

// Extract implements sources.Extractor.
func (e Extractor) Extract(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) error {
	_, err := e.ExtractInfo(ctx, doc, emit, warn)
	return err
}

// ExtractInfo implements sources.InfoExtractor. A note written from a
// capture template (front matter `template:`) is checked against it: each
// required section left empty or missing is a finding with its line.
func (e Extractor) ExtractInfo(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) (sources.DocumentInfo, error) {
	var info sources.DocumentInfo
	limit := int64(MaxSize)
	if e.MaxSize > 0 {
		limit = e.MaxSize
	}
	data, err := sources.ReadBody(ctx, doc, "markdown", limit)
	if err != nil {
		return info, err
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return info, fmt.Errorf("%s: not UTF-8 text; is it a binary file named .md?", doc.Key())
	}
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	fm, body, fmLines, err := splitFrontMatter(text)
	if err != nil {
		warn(&sources.ItemError{Key: doc.Item.Key, Place: "front matter", Err: err})
	}
	base := sources.Section{
		Language: firstNonEmpty(fm.Language, fm.Lang, doc.Language),
		Product:  fm.Product, Owner: firstNonEmpty(fm.Owner, fm.Author), Access: fm.Access,
		Markets: fm.Markets, Kind: fm.Kind, Layer: fm.Layer,
		Industries: fm.Industries, Audiences: fm.Audiences, Adapts: strings.TrimSpace(fm.Adapts),
	}
	if fm.Effective != "" {
		if t, err := time.Parse(time.DateOnly, fm.Effective); err == nil {
			base.Effective, base.EffectiveSource = t, knowledge.EffectiveFromFrontMatter
		} else {
			warn(&sources.ItemError{Key: doc.Item.Key, Place: "front matter", Err: fmt.Errorf("effective: want YYYY-MM-DD, got %q", fm.Effective)})
		}
	}
	declared := base.Language
	if fm.Template != "" {
		info.Findings = checkTemplate(fm.Template, firstNonEmpty(declared, doc.Language), body, fmLines)
	}
	body = clean(body)
	docLang := lang.Detect(body)
	return info, splitSections(ctx, body, fmLines, fm.Title, base, func(s sources.Section) error {
		s = s.Sanitized()
		s.Language = lang.Resolve(declared, "")
		if s.Language == "" {
			s.Language = lang.DetectIn(s.Text, docLang)
		}
		return emit(s)
	})
}

// checkTemplate reports the template's required sections that the note
// leaves empty, with their line in the file.
func checkTemplate(name, language, body string, lineOffset int) []string {
	t, ok := template.Lookup(name)
	if !ok {
		return []string{fmt.Sprintf("front matter: template %q is not one of %s", name, strings.Join(template.Names(), ", "))}
	}
	var out []string
	for _, g := range t.Check(body, language) {
		if g.Line > 0 {
			out = append(out, fmt.Sprintf("line %d: template %s: required section %q is empty", g.Line+lineOffset, t.Name, g.Heading))
		} else {
			out = append(out, fmt.Sprintf("template %s: required section %q is missing", t.Name, g.Heading))
		}
	}
	return out
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// splitFrontMatter returns the front matter, the rest, and the number of
// lines the front matter took (for line numbers in the body).
func splitFrontMatter(text string) (FrontMatter, string, int, error) {
	var fm FrontMatter
	if !strings.HasPrefix(text, "---\n") {
		return fm, text, 0, nil
	}
	rest := text[4:]
	end := strings.Index(rest, "\n---")
	if end < 0 {
		return fm, text, 0, fmt.Errorf("front matter opened by --- is never closed")
	}
	raw := rest[:end+1]
	after := rest[end+4:]
	if i := strings.IndexByte(after, '\n'); i >= 0 {
		after = after[i+1:]
	} else {
		after = ""
	}
	lines := strings.Count(text[:len(text)-len(after)], "\n")
	if err := yaml.Unmarshal([]byte(raw), &fm); err != nil {
		// Unknown keys are fine (doc sites add their own); bad YAML is not.
		return FrontMatter{}, after, lines, fmt.Errorf("front matter: %w", err)
	}
	return fm, after, lines, nil
}

var (
	atx       = regexp.MustCompile(`^ {0,3}(#{1,6})[ \t]+(.*?)[ \t#]*$`)
	setextH1  = regexp.MustCompile(`^ {0,3}=+[ \t]*$`)
	setextH2  = regexp.MustCompile(`^ {0,3}-+[ \t]*$`)
	fenceOpen = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})")
)

// splitSections cuts the body at headings and emits one section per
// heading with text (and one for text before the first heading).
func splitSections(ctx context.Context, body string, lineOffset int, docTitle string, base sources.Section, emit func(sources.Section) error) error {
	var path []string // heading path, index = level-1 (with gaps filled by "")
	var buf []string
	var fence string
	startLine := lineOffset + 1
	flush := func() error {
		t := strings.TrimSpace(strings.Join(buf, "\n"))
		buf = buf[:0]
		if t == "" {
			return nil
		}
		s := base
		s.Headings = compact(path)
		s.Text = t
		s.Title = docTitle
		if len(s.Headings) > 0 {
			s.Title = s.Headings[len(s.Headings)-1]
		}
		s.Locator = fmt.Sprintf("line %d", startLine)
		if len(s.Headings) > 0 {
			s.Locator = strings.Join(s.Headings, " > ") + fmt.Sprintf(" (line %d)", startLine)
		}
		return emit(s)
	}
	sc := bufio.NewScanner(strings.NewReader(body))
	sc.Buffer(make([]byte, 64*1024), MaxSize)
	n := lineOffset
	var prev string
	for sc.Scan() {
		if err := ctx.Err(); err != nil {
			return err
		}
		line := sc.Text()
		n++
		if fence != "" {
			buf = append(buf, line)
			if strings.HasPrefix(strings.TrimSpace(line), fence) {
				fence = ""
			}
			prev = line
			continue
		}
		if m := fenceOpen.FindStringSubmatch(line); m != nil {
			fence = m[1][:3]
			buf = append(buf, line)
			prev = line
			continue
		}
		level, title := 0, ""
		if m := atx.FindStringSubmatch(line); m != nil {
			level, title = len(m[1]), strings.TrimSpace(m[2])
		} else if strings.TrimSpace(prev) != "" && len(buf) > 0 && (setextH1.MatchString(line) || setextH2.MatchString(line) && !isListOrRule(prev)) {
			level, title = 2, strings.TrimSpace(prev)
			if setextH1.MatchString(line) {
				level = 1
			}
			buf = buf[:len(buf)-1]
		}
		if level > 0 {
			if err := flush(); err != nil {
				return err
			}
			for len(path) < level {
				path = append(path, "")
			}
			path = append(path[:level-1], title)
			startLine = n
			prev = line
			continue
		}
		buf = append(buf, line)
		prev = line
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("line %d: %w", n+1, err)
	}
	return flush()
}

func isListOrRule(s string) bool {
	t := strings.TrimSpace(s)
	return strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.Trim(t, "-") == ""
}

func compact(path []string) []string {
	var out []string
	for _, p := range path {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
