package html

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/PuerkitoBio/goquery"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
	"golang.org/x/net/html/charset"

	"github.com/kbops/kbops/knowledge/text/lang"
	"github.com/kbops/kbops/sources"
)

func init() {
	sources.Default.RegisterFormat(sources.Format{
		Name: "html", Extractor: Extractor{}, Extensions: []string{".html", ".htm", ".xhtml"},
		MediaTypes: []string{"text/html", "application/xhtml+xml"}, Kinds: []string{"manuals"},
	})
}

// MaxSize is the largest HTML document read (32 MiB).
const MaxSize = 32 << 20

// MaxDepth is the deepest element nesting kept as structure; deeper
// elements are flattened into their text.
const MaxDepth = 256

// Extractor reads HTML. The zero value is ready to use.
type Extractor struct {
	// MaxSize overrides the package's MaxSize when > 0.
	MaxSize int64
}

// Extract implements sources.Extractor.
func (e Extractor) Extract(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) error {
	key := doc.Key()
	limit := int64(MaxSize)
	if e.MaxSize > 0 {
		limit = e.MaxSize
	}
	data, err := sources.ReadBody(ctx, doc, "html", limit)
	if err != nil {
		return err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fmt.Errorf("%s: %w: only white space", key, sources.ErrEmpty)
	}
	if looksBinary(data) {
		return fmt.Errorf("%s: not an HTML text document (binary data)", key)
	}
	page, err := Parse(ctx, data, doc.ContentType)
	if err != nil {
		return fmt.Errorf("%s: %w", key, err)
	}
	declared := doc.Language
	if declared == "" {
		declared = page.Lang
	}
	for _, s := range page.Sections {
		if err := ctx.Err(); err != nil {
			return err
		}
		s.Language = lang.Resolve(declared, s.Text)
		if s.Title == "" {
			s.Title = page.Title
		}
		if err := emit(s.Sanitized()); err != nil {
			return err
		}
	}
	return nil
}

func looksBinary(b []byte) bool {
	head := b[:min(len(b), 4096)]
	if bytes.HasPrefix(head, []byte{0xff, 0xfe}) || bytes.HasPrefix(head, []byte{0xfe, 0xff}) {
		return false // UTF-16 with a byte-order mark
	}
	return bytes.Count(head, []byte{0}) > len(head)/100
}

// Page is an HTML document as kbops sees it.
type Page struct {
	Title    string // <title>, else the first <h1>
	Lang     string // <html lang>
	Charset  string // the charset the bytes were decoded from
	Sections []sources.Section
}

// Parse decodes data (any charset) and cuts its main content into
// sections. contentType is the HTTP Content-Type, "" when unknown.
func Parse(ctx context.Context, data []byte, contentType string) (*Page, error) {
	enc, name, _ := charset.DetermineEncoding(data, contentType)
	utf8Data, err := enc.NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", name, err)
	}
	root, err := xhtml.Parse(bytes.NewReader(utf8Data))
	if err != nil {
		// The parser refuses documents nested deeper than it supports;
		// keep their text, dropping the tags below MaxDepth.
		root, err = xhtml.Parse(bytes.NewReader(shallow(utf8Data, MaxDepth)))
		if err != nil {
			return nil, fmt.Errorf("parse HTML: %w", err)
		}
	}
	flattenDeep(root, MaxDepth)
	d := goquery.NewDocumentFromNode(root)
	p := &Page{Charset: name}
	p.Title = collapse(d.Find("title").First().Text())
	p.Lang, _ = d.Find("html").First().Attr("lang")
	main := mainContent(ctx, d)
	prune(ctx, main)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.Title == "" {
		p.Title = collapse(main.Find("h1").First().Text())
	}
	r := &renderer{ctx: ctx}
	for _, n := range main.Nodes {
		r.block(n, 0)
	}
	r.flushSection()
	p.Sections = r.secs
	return p, ctx.Err()
}

// shallow re-serialises an HTML document without the tags nested deeper
// than max; their text stays.
func shallow(data []byte, max int) []byte {
	z := xhtml.NewTokenizer(bytes.NewReader(data))
	z.SetMaxBuf(len(data) + 1)
	var out bytes.Buffer
	depth := 0
	for {
		tt := z.Next()
		switch tt {
		case xhtml.ErrorToken:
			return out.Bytes()
		case xhtml.StartTagToken:
			name, _ := z.TagName()
			if isVoid(string(name)) {
				out.Write(z.Raw())
				continue
			}
			depth++
			if depth <= max {
				out.Write(z.Raw())
			}
		case xhtml.EndTagToken:
			if depth <= max {
				out.Write(z.Raw())
			}
			if depth > 0 {
				depth--
			}
		default:
			out.Write(z.Raw())
		}
	}
}

func isVoid(tag string) bool {
	switch tag {
	case "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr":
		return true
	}
	return false
}

// flattenDeep replaces the children of elements at depth max by their
// text, walking without recursion.
func flattenDeep(root *xhtml.Node, max int) {
	type item struct {
		n *xhtml.Node
		d int
	}
	stack := []item{{root, 0}}
	for len(stack) > 0 {
		it := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if it.d >= max && it.n.FirstChild != nil {
			text := textOf(it.n)
			for c := it.n.FirstChild; c != nil; {
				next := c.NextSibling
				it.n.RemoveChild(c)
				c = next
			}
			it.n.AppendChild(&xhtml.Node{Type: xhtml.TextNode, Data: text})
			continue
		}
		for c := it.n.FirstChild; c != nil; c = c.NextSibling {
			stack = append(stack, item{c, it.d + 1})
		}
	}
}

// textOf returns the text below n, without recursion.
func textOf(n *xhtml.Node) string {
	var b strings.Builder
	stack := []*xhtml.Node{n}
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if c.Type == xhtml.TextNode {
			b.WriteString(c.Data)
			b.WriteByte(' ')
		}
		if c.Type == xhtml.ElementNode && (c.DataAtom == atom.Script || c.DataAtom == atom.Style) {
			continue
		}
		var kids []*xhtml.Node
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			kids = append(kids, k)
		}
		for i := len(kids) - 1; i >= 0; i-- {
			stack = append(stack, kids[i])
		}
	}
	return b.String()
}

// mainSelectors name the main content, most specific first.
var mainSelectors = []string{
	"article.md-content__inner", ".md-content", "main article", "main", "[role=main]", "article",
	"#main-content", "#content", ".content", "#main", ".main", ".document", ".body",
}

// mainContent picks the element holding the document's article. When ctx
// ends it returns the best found so far; the caller checks ctx. Scoring an
// element reads all the text below it, so a long page inside a deep nest
// of blocks costs seconds; ctx is checked at every element, which costs
// little next to scoring it.
func mainContent(ctx context.Context, d *goquery.Document) *goquery.Selection {
	for _, sel := range mainSelectors {
		s := d.Find(sel).First()
		if s.Length() > 0 && len(strings.TrimSpace(s.Text())) >= 100 {
			return s
		}
	}
	// Text density: the block with the most text that is not link text,
	// preferring the smallest block that holds most of it.
	body := d.Find("body").First()
	if body.Length() == 0 {
		return d.Selection
	}
	best, bestScore := body, score(body)
	bestBlocks := -1 // blocks inside best, counted when first needed
	body.Find("div, section, td").EachWithBreak(func(_ int, s *goquery.Selection) bool {
		if ctx.Err() != nil {
			return false
		}
		sc := score(s)
		if sc < 0.8*bestScore || sc <= 0 {
			return true
		}
		if bestBlocks < 0 {
			bestBlocks = best.Find("div, section, td").Length()
		}
		if n := s.Find("div, section, td").Length(); n < bestBlocks {
			best, bestScore, bestBlocks = s, sc, n
		}
		return true
	})
	return best
}

func score(s *goquery.Selection) float64 {
	text := utf8.RuneCountInString(strings.TrimSpace(s.Text()))
	links := utf8.RuneCountInString(strings.TrimSpace(s.Find("a").Text()))
	return float64(text - 2*links)
}

// boilerplateRe matches class or id names of page furniture.
var boilerplateRe = regexp.MustCompile(`(?i)(^|[-_ ])(nav|navbar|navigation|menu|sidebar|breadcrumbs?|cookie|banner|footer|header|toc|skip|social|share|md-source|md-top|headerlink|feedback|pagination|related|edit-link)([-_ ]|$)`)

// prune removes furniture inside the main content.
func prune(ctx context.Context, s *goquery.Selection) {
	s.Find("script, style, noscript, template, nav, header, footer, aside, form, button, input, select, iframe, svg, canvas, object, embed, [role=navigation], [role=banner], [role=contentinfo], [hidden], [aria-hidden=true]").Remove()
	s.Find("*").EachWithBreak(func(_ int, e *goquery.Selection) bool {
		if ctx.Err() != nil {
			return false
		}
		cls, _ := e.Attr("class")
		id, _ := e.Attr("id")
		if boilerplateRe.MatchString(cls) || boilerplateRe.MatchString(id) {
			e.Remove()
		}
		return true
	})
}

var spaceRe = regexp.MustCompile(`\s+`)

func collapse(s string) string {
	s = strings.ReplaceAll(s, "\ufeff", "")
	return strings.TrimSpace(spaceRe.ReplaceAllString(s, " "))
}

type renderer struct {
	ctx    context.Context
	path   []string // heading path by level (1..6), "" for gaps
	ids    []string
	parts  []string
	secs   []sources.Section
	anchor string
}

func (r *renderer) flushSection() {
	text := strings.TrimSpace(strings.Join(r.parts, "\n\n"))
	r.parts = r.parts[:0]
	if text == "" {
		return
	}
	s := sources.Section{Text: text}
	for _, h := range r.path {
		if h != "" {
			s.Headings = append(s.Headings, h)
		}
	}
	if len(s.Headings) > 0 {
		s.Title = s.Headings[len(s.Headings)-1]
	}
	if r.anchor != "" {
		s.Locator = strings.Join(s.Headings, " > ") + " (#" + r.anchor + ")"
	}
	r.secs = append(r.secs, s)
}

func headingLevel(n *xhtml.Node) int {
	switch n.DataAtom {
	case atom.H1:
		return 1
	case atom.H2:
		return 2
	case atom.H3:
		return 3
	case atom.H4:
		return 4
	case atom.H5:
		return 5
	case atom.H6:
		return 6
	}
	return 0
}

func attr(n *xhtml.Node, k string) string {
	for _, a := range n.Attr {
		if a.Key == k {
			return a.Val
		}
	}
	return ""
}

// block renders a block-level node and its children into r.parts.
func (r *renderer) block(n *xhtml.Node, depth int) {
	if r.ctx.Err() != nil {
		return
	}
	switch n.Type {
	case xhtml.TextNode:
		if t := collapse(n.Data); t != "" {
			r.parts = append(r.parts, t)
		}
		return
	case xhtml.ElementNode, xhtml.DocumentNode:
	default:
		return
	}
	if lv := headingLevel(n); lv > 0 {
		title := collapse(inline(n))
		if title == "" {
			return
		}
		r.flushSection()
		for len(r.path) < lv {
			r.path = append(r.path, "")
		}
		r.path = append(r.path[:lv-1], title)
		r.anchor = attr(n, "id")
		return
	}
	switch n.DataAtom {
	case atom.P, atom.Dt, atom.Dd, atom.Figcaption, atom.Caption, atom.Summary:
		if t := collapse(inline(n)); t != "" {
			r.parts = append(r.parts, t)
		}
		return
	case atom.Pre:
		code := strings.Trim(textOf1(n), "\n")
		if strings.TrimSpace(code) != "" {
			lang := ""
			for c := n.FirstChild; c != nil; c = c.NextSibling {
				if c.DataAtom == atom.Code {
					for _, f := range strings.Fields(attr(c, "class")) {
						if strings.HasPrefix(f, "language-") {
							lang = strings.TrimPrefix(f, "language-")
						}
					}
				}
			}
			r.parts = append(r.parts, "```"+lang+"\n"+code+"\n```")
		}
		return
	case atom.Ul, atom.Ol:
		if t := list(n, 0); t != "" {
			r.parts = append(r.parts, t)
		}
		return
	case atom.Table:
		if t := table(n); t != "" {
			r.parts = append(r.parts, t)
		}
		return
	case atom.Img:
		if t := image(n); t != "" {
			r.parts = append(r.parts, t)
		}
		return
	case atom.Hr, atom.Br:
		return
	}
	// A container: blocks inside it are rendered in order; runs of
	// inline content between them become paragraphs.
	var run []*xhtml.Node
	flushRun := func() {
		var b strings.Builder
		for _, c := range run {
			b.WriteString(inlineNode(c))
		}
		run = run[:0]
		if t := collapse(b.String()); t != "" {
			r.parts = append(r.parts, t)
		}
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if isInline(c) {
			run = append(run, c)
			continue
		}
		flushRun()
		r.block(c, depth+1)
	}
	flushRun()
}

func isInline(n *xhtml.Node) bool {
	if n.Type == xhtml.TextNode {
		return true
	}
	if n.Type != xhtml.ElementNode {
		return false
	}
	switch n.DataAtom {
	case atom.A, atom.Abbr, atom.B, atom.Strong, atom.I, atom.Em, atom.Code, atom.Kbd, atom.Samp, atom.Span, atom.Sub, atom.Sup,
		atom.Small, atom.Mark, atom.Q, atom.Cite, atom.Var, atom.Tt, atom.U, atom.S, atom.Font, atom.Label, atom.Time, atom.Br:
		return true
	}
	return false
}

// inline renders the inline content of n as one line of Markdown.
func inline(n *xhtml.Node) string {
	var b strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		b.WriteString(inlineNode(c))
	}
	return b.String()
}

func inlineNode(c *xhtml.Node) string {
	switch c.Type {
	case xhtml.TextNode:
		return c.Data
	case xhtml.ElementNode:
	default:
		return ""
	}
	switch c.DataAtom {
	case atom.Script, atom.Style:
		return ""
	case atom.Br:
		return " "
	case atom.Img:
		return " " + image(c) + " "
	case atom.Code, atom.Kbd, atom.Tt, atom.Samp:
		t := collapse(textOf1(c))
		if t == "" {
			return ""
		}
		return "`" + t + "`"
	case atom.B, atom.Strong:
		t := collapse(inline(c))
		if t == "" {
			return ""
		}
		return "**" + t + "**"
	}
	if !isInline(c) {
		return " " + collapse(textOf(c)) + " "
	}
	return inline(c)
}

// textOf1 is the raw text below n, keeping line breaks (for <pre>).
func textOf1(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(*xhtml.Node)
	walk = func(n *xhtml.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch {
			case c.Type == xhtml.TextNode:
				b.WriteString(c.Data)
			case c.DataAtom == atom.Br:
				b.WriteByte('\n')
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}

func image(n *xhtml.Node) string {
	alt := collapse(attr(n, "alt"))
	if alt == "" {
		alt = collapse(attr(n, "title"))
	}
	if alt == "" {
		return ""
	}
	src := attr(n, "src")
	if strings.HasPrefix(src, "data:") || len(src) > 500 {
		src = ""
	}
	return "![" + strings.ReplaceAll(alt, "]", "\\]") + "](" + src + ")"
}

func list(n *xhtml.Node, level int) string {
	var lines []string
	i := 0
	ordered := n.DataAtom == atom.Ol
	if s, err := strconv.Atoi(attr(n, "start")); err == nil && ordered {
		i = s - 1
	}
	for li := n.FirstChild; li != nil; li = li.NextSibling {
		if li.DataAtom != atom.Li {
			continue
		}
		i++
		marker := "- "
		if ordered {
			marker = strconv.Itoa(i) + ". "
		}
		var text strings.Builder
		var sub []string
		for c := li.FirstChild; c != nil; c = c.NextSibling {
			if (c.DataAtom == atom.Ul || c.DataAtom == atom.Ol) && level < 8 {
				sub = append(sub, list(c, level+1))
				continue
			}
			text.WriteString(inlineNode(c))
		}
		lines = append(lines, strings.Repeat("  ", level)+marker+collapse(text.String()))
		lines = append(lines, sub...)
	}
	return strings.Join(lines, "\n")
}

// table renders a table as a Markdown table, its first row the header.
// Cells spanning columns are repeated so that rows keep their columns.
func table(n *xhtml.Node) string {
	var rows [][]string
	var walk func(*xhtml.Node, int)
	walk = func(n *xhtml.Node, d int) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.DataAtom {
			case atom.Tr:
				var row []string
				for td := c.FirstChild; td != nil; td = td.NextSibling {
					if td.DataAtom != atom.Td && td.DataAtom != atom.Th {
						continue
					}
					cell := strings.ReplaceAll(collapse(inline(td)), "|", `\|`)
					span, _ := strconv.Atoi(attr(td, "colspan"))
					for k := 0; k < max(1, min(span, 50)); k++ {
						row = append(row, cell)
					}
				}
				if len(row) > 0 {
					rows = append(rows, row)
				}
			case atom.Thead, atom.Tbody, atom.Tfoot:
				if d < 4 {
					walk(c, d+1)
				}
			}
		}
	}
	walk(n, 0)
	if len(rows) == 0 {
		return ""
	}
	cols := 0
	for _, r := range rows {
		cols = max(cols, len(r))
	}
	if cols == 1 {
		// A one-column table is layout, not data.
		var out []string
		for _, r := range rows {
			if r[0] != "" {
				out = append(out, r[0])
			}
		}
		return strings.Join(out, "\n\n")
	}
	var b strings.Builder
	for i, r := range rows {
		b.WriteString("|")
		for c := 0; c < cols; c++ {
			v := ""
			if c < len(r) {
				v = r[c]
			}
			b.WriteString(" " + v + " |")
		}
		b.WriteString("\n")
		if i == 0 {
			b.WriteString("|" + strings.Repeat(" --- |", cols) + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}
