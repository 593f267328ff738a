package pdf

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	lpdf "github.com/ledongthuc/pdf"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/text/lang"
	"github.com/kbops/kbops/sources"
)

func init() {
	sources.Default.RegisterFormat(sources.Format{Name: "pdf", Extractor: Extractor{}, Extensions: []string{".pdf"}, MediaTypes: []string{"application/pdf"}, Kinds: []string{"manuals"}})
}

// MaxSize is the largest PDF read (200 MiB). The whole file is held in
// memory, because PDF is a random-access format.
const MaxSize = 200 << 20

// Extractor reads PDF manuals. The zero value is ready to use.
type Extractor struct {
	// MaxSize overrides the size limit MaxSize when > 0.
	MaxSize int64
}

// Page is the text of one page as kbops sees it: lines in reading order
// (top to bottom), running headers and footers still included.
type Page struct {
	Number int
	Lines  []string
}

// Document is a parsed PDF: its pages as lines, ready to be cut into
// sections.
type Document struct {
	Name      string
	Pages     int
	Decrypted bool // the file was encrypted and opened with an empty password
	// Date is the document's date from its info dictionary: ModDate, else
	// CreationDate; zero when it has neither (or they do not parse).
	Date  time.Time
	lines [][]line
}

// Parse reads a whole PDF. Pages that cannot be read are reported through
// warn with Place "page N" and left empty; the error is for a file that
// cannot be opened at all (not a PDF, truncated beyond repair, needs a
// password).
func Parse(ctx context.Context, key string, data []byte, warn func(error)) (*Document, error) {
	r, dec, pages, err := openPages(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", key, err)
	}
	n := len(pages)
	d := &Document{Name: key, Pages: n, Decrypted: dec, Date: infoDate(r), lines: make([][]line, n)}
	for i := 1; i <= n; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := pages[i-1]
		gs, err := readPage(ctx, p)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err != nil {
			warn(&sources.ItemError{Key: key, Place: fmt.Sprintf("page %d", i), Err: err})
		}
		bottom, top := pageBox(p)
		d.lines[i-1] = buildLines(i, gs, bottom, top)
	}
	return d, nil
}

// pageBox returns the bottom and top of the page's media box.
func pageBox(p lpdf.Page) (bottom, top float64) {
	var box lpdf.Value
	for v, i := p.V, 0; i < 32 && v.Kind() == lpdf.Dict && box.Len() != 4; v, i = v.Key("Parent"), i+1 {
		box = v.Key("MediaBox")
	}
	if box.Len() != 4 {
		return 0, 842
	}
	return math.Min(box.Index(1).Float64(), box.Index(3).Float64()), math.Max(box.Index(1).Float64(), box.Index(3).Float64())
}

// PageTexts returns each page's lines.
func (d *Document) PageTexts() []Page {
	out := make([]Page, len(d.lines))
	for i, ls := range d.lines {
		out[i].Number = i + 1
		for _, l := range ls {
			out[i].Lines = append(out[i].Lines, l.text)
		}
	}
	return out
}

// Extract implements sources.Extractor.
func (e Extractor) Extract(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) error {
	_, err := e.ExtractInfo(ctx, doc, emit, warn)
	return err
}

// ExtractInfo implements sources.InfoExtractor: the page count and
// whether the file was decrypted.
func (e Extractor) ExtractInfo(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) (sources.DocumentInfo, error) {
	limit := int64(MaxSize)
	if e.MaxSize > 0 {
		limit = e.MaxSize
	}
	data, err := sources.ReadBody(ctx, doc, "pdf", limit)
	if err != nil {
		return sources.DocumentInfo{}, err
	}
	d, err := Parse(ctx, doc.Key(), data, warn)
	if err != nil {
		return sources.DocumentInfo{}, err
	}
	info := sources.DocumentInfo{Pages: d.Pages, Decrypted: d.Decrypted}
	return info, d.Sections(ctx, doc.Language, emit)
}

// language detects the document's dominant language on the text of all
// its pages ("" when unsure).
func (d *Document) language() string {
	var b strings.Builder
	for _, ls := range d.lines {
		for _, l := range ls {
			b.WriteString(l.text)
			b.WriteByte('\n')
		}
	}
	return lang.Detect(b.String())
}

type blockKind int

const (
	bPara blockKind = iota
	bTable
	bHeading
)

type block struct {
	kind  blockKind
	level int
	page  int
	size  float64
	bold  bool
	y     float64
	text  string
	rows  [][]string
	num   bool // numbered heading
}

// Sections cuts the document into sections at its headings and calls emit
// for each in order. language is the declared language; when empty each
// section's language is detected from its text.
func (d *Document) Sections(ctx context.Context, language string, emit func(sources.Section) error) error {
	bp := boilerplate(d.lines)
	st := docStyle(d.lines)
	toc := tableOfContents(d.lines, bp, st)

	// Without a declared language, a short section (a delivery list, a
	// table of addresses) says too little about its own: it takes the
	// document's, detected on the whole text.
	docLang := ""
	if language == "" {
		docLang = d.language()
	}
	var path []heading
	var parts []string
	first, last := 0, 0
	flush := func() error {
		text := strings.TrimSpace(strings.Join(parts, "\n\n"))
		parts = parts[:0]
		if text == "" {
			return nil
		}
		s := sources.Section{Text: text, Language: language}
		for _, h := range path {
			s.Headings = append(s.Headings, h.title)
		}
		if len(s.Headings) > 0 {
			s.Title = s.Headings[len(s.Headings)-1]
		}
		s.Locator = pageLocator(first, last)
		if !d.Date.IsZero() {
			s.Effective, s.EffectiveSource = d.Date, knowledge.EffectiveFromPDF
		}
		if s.Language == "" {
			s.Language = lang.DetectIn(s.Title+"\n"+text, docLang)
		}
		first = 0
		return emit(s.Sanitized())
	}
	for pi, ls := range d.lines {
		if err := ctx.Err(); err != nil {
			return err
		}
		var kept []line
		for i, l := range ls {
			if !isBoilerplate(l, bp) && (toc[pi] == nil || !toc[pi][i]) {
				kept = append(kept, l)
			}
		}
		for _, b := range blocks(kept, st) {
			if b.kind == bHeading {
				if err := flush(); err != nil {
					return err
				}
				for len(path) > 0 && path[len(path)-1].level >= b.level {
					path = path[:len(path)-1]
				}
				path = append(path, heading{b.level, b.text})
				continue
			}
			if first == 0 {
				first = pi + 1
			}
			last = pi + 1
			parts = append(parts, b.markdown())
		}
	}
	return flush()
}

func isBoilerplate(l line, bp map[string]bool) bool {
	return (l.top || l.bot) && (bp[bpKey(l)] || pageNumRe.MatchString(l.text))
}

// Boilerplate returns the lines Sections leaves out, page by page:
// running headers, footers and page numbers, and the table of contents.
func (d *Document) Boilerplate() []Page {
	bp := boilerplate(d.lines)
	toc := tableOfContents(d.lines, bp, docStyle(d.lines))
	var out []Page
	for i, ls := range d.lines {
		p := Page{Number: i + 1}
		for j, l := range ls {
			if isBoilerplate(l, bp) || toc[i] != nil && toc[i][j] {
				p.Lines = append(p.Lines, l.text)
			}
		}
		out = append(out, p)
	}
	return out
}

type heading struct {
	level int
	title string
}

func pageLocator(first, last int) string {
	if first == last {
		return fmt.Sprintf("p. %d", first)
	}
	return fmt.Sprintf("pp. %d–%d", first, last)
}

func (b block) markdown() string {
	if b.kind != bTable {
		return b.text
	}
	cols := 0
	for _, r := range b.rows {
		cols = max(cols, len(r))
	}
	var sb strings.Builder
	for i, r := range b.rows {
		sb.WriteString("|")
		for c := 0; c < cols; c++ {
			cell := ""
			if c < len(r) {
				cell = strings.ReplaceAll(r[c], "|", `\|`)
			}
			sb.WriteString(" " + cell + " |")
		}
		sb.WriteString("\n")
		if i == 0 {
			sb.WriteString("|" + strings.Repeat(" --- |", cols) + "\n")
		}
	}
	return strings.TrimRight(sb.String(), "\n")
}

// blocks groups a page's lines into headings, paragraphs and tables.
func blocks(ls []line, st style) []block {
	var out []block
	var cur *block
	push := func(b block) {
		out = append(out, b)
		cur = &out[len(out)-1]
	}
	for _, l := range ls {
		gap := 0.0
		if cur != nil {
			gap = cur.y - l.y
		}
		if lv := headingLevel(l, st); lv > 0 {
			_, numbered := headingInfo(l, st)
			// A heading wrapped over two lines: same style, close below.
			if cur != nil && cur.kind == bHeading && !numbered && cur.size == l.size && cur.bold == l.bold && gap > 0 && gap < 1.8*l.size {
				cur.text = joinLines(cur.text, l.text, st.words)
				cur.y = l.y
				continue
			}
			push(block{kind: bHeading, level: lv, page: l.page, size: l.size, bold: l.bold, y: l.y, text: l.text, num: numbered})
			continue
		}
		if len(l.cells) >= 2 {
			if cur != nil && cur.kind == bTable && gap > 0 && gap < 3*l.size {
				cur.rows = append(cur.rows, l.cells)
				cur.y = l.y
				continue
			}
			push(block{kind: bTable, page: l.page, size: l.size, y: l.y, rows: [][]string{l.cells}})
			continue
		}
		text := l.text
		if m := bulletRe.FindStringSubmatch(text); m != nil {
			text = "- " + text[len(m[0]):]
		}
		newPara := cur == nil || cur.kind != bPara || gap <= 0 || gap > 1.8*math.Max(l.size, cur.size) ||
			math.Abs(l.size-cur.size) > 0.15*cur.size || strings.HasPrefix(text, "- ") || listNumRe.MatchString(text)
		if newPara {
			push(block{kind: bPara, page: l.page, size: l.size, y: l.y, text: text})
			continue
		}
		if dotLeader.MatchString(text) || dotLeader.MatchString(cur.text) {
			cur.text += "\n" + text // table of contents: one entry per line
		} else {
			cur.text = joinLines(cur.text, text, st.words)
		}
		cur.y = l.y
	}
	// A one-row "table" is a line with wide gaps (a label and its value):
	// text, not a table.
	for i := range out {
		if out[i].kind == bTable && len(out[i].rows) == 1 {
			out[i].kind = bPara
			out[i].text = strings.Join(out[i].rows[0], " ")
		}
	}
	return out
}

// bodySize is the font size of most of the document's text.
func bodySize(pages [][]line) float64 {
	count := map[float64]int{}
	for _, ls := range pages {
		for _, l := range ls {
			count[l.size] += len(l.text)
		}
	}
	best, bestN := 10.0, -1
	for s, n := range count {
		if n > bestN || n == bestN && s < best {
			best, bestN = s, n
		}
	}
	return best
}

// boldBody says whether most of the text in the body size is bold.
func boldBody(pages [][]line, body float64) bool {
	bold, all := 0, 0
	for _, ls := range pages {
		for _, l := range ls {
			if l.size != body {
				continue
			}
			n := utf8.RuneCountInString(l.text)
			all += n
			if l.bold {
				bold += n
			}
		}
	}
	return bold*2 > all
}

// headingSizes are the font sizes clearly larger than the body, largest
// first (at most four levels), used to rank unnumbered headings.
func headingSizes(pages [][]line, body float64) []float64 {
	set := map[float64]bool{}
	for _, ls := range pages {
		for _, l := range ls {
			if l.size >= body*1.2 && len(l.text) < 200 {
				set[l.size] = true
			}
		}
	}
	var out []float64
	for s := range set {
		out = append(out, s)
	}
	sort.Sort(sort.Reverse(sort.Float64Slice(out)))
	if len(out) > 4 {
		out = out[:4]
	}
	return out
}

// pdfDate reads the date part of a PDF date string ("D:20260504073742Z",
// "D:20260504073742+02'00'", "D:2026"): year, then month and day when
// given. The time of day is dropped: an effective date is a calendar date.
var pdfDate = regexp.MustCompile(`^(?:D:)?(\d{4})(\d{2})?(\d{2})?`)

// infoDate returns the ModDate of the document's info dictionary, else its
// CreationDate, zero when neither parses. A broken info dictionary costs
// the date, never the document.
func infoDate(r *lpdf.Reader) (t time.Time) {
	if r == nil {
		return time.Time{}
	}
	defer func() {
		if recover() != nil {
			t = time.Time{}
		}
	}()
	info := r.Trailer().Key("Info")
	for _, k := range []string{"ModDate", "CreationDate"} {
		m := pdfDate.FindStringSubmatch(strings.TrimSpace(info.Key(k).Text()))
		if m == nil {
			continue
		}
		y, _ := strconv.Atoi(m[1])
		mo, day := 1, 1
		if m[2] != "" {
			mo, _ = strconv.Atoi(m[2])
		}
		if m[3] != "" {
			day, _ = strconv.Atoi(m[3])
		}
		if y < 1990 || mo < 1 || mo > 12 || day < 1 || day > 31 {
			continue // not a date a document was written on
		}
		return time.Date(y, time.Month(mo), day, 0, 0, 0, 0, time.UTC)
	}
	return time.Time{}
}
