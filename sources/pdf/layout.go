package pdf

import (
	"math"
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// line is one line of text rebuilt from glyph positions.
type line struct {
	page     int
	y, x0    float64
	size     float64 // dominant font size
	bold     bool    // most characters bold
	text     string  // cells joined by a single space
	cells    []string
	top, bot bool // in the top or bottom tenth of the page
}

// buildLines groups a page's glyphs into lines: glyphs whose baselines are
// within half a font size of each other, left to right. Gaps wider than a
// fifth of the font size become spaces; gaps wider than two em split
// table cells.
func buildLines(page int, gs []glyph, pageBottom, pageTop float64) []line {
	if len(gs) == 0 {
		return nil
	}
	sort.SliceStable(gs, func(i, j int) bool {
		if gs[i].y != gs[j].y {
			return gs[i].y > gs[j].y
		}
		return gs[i].x < gs[j].x
	})
	var out []line
	start := 0
	for i := 1; i <= len(gs); i++ {
		if i < len(gs) {
			tol := math.Max(gs[start].size, 1) * 0.5
			if gs[start].y-gs[i].y <= tol {
				continue
			}
		}
		if l, ok := makeLine(page, gs[start:i]); ok {
			h := pageTop - pageBottom
			if h > 0 {
				l.top = l.y > pageTop-0.1*h
				l.bot = l.y < pageBottom+0.1*h
			}
			out = append(out, l)
		}
		start = i
	}
	return out
}

func makeLine(page int, gs []glyph) (line, bool) {
	sort.SliceStable(gs, func(i, j int) bool { return gs[i].x < gs[j].x })
	var cells []string
	var b strings.Builder
	sizes := map[float64]int{}
	boldN, n := 0, 0
	prevEnd := math.Inf(-1)
	var prevS string
	var prevX float64
	pendingSpace := false
	for _, g := range gs {
		if strings.TrimSpace(g.s) == "" {
			pendingSpace = true
			continue
		}
		size := math.Max(g.size, 1)
		// Fake bold draws a glyph twice with a tiny offset: keep one.
		if g.s == prevS && math.Abs(g.x-prevX) < 0.15*size {
			continue
		}
		gap := g.x - prevEnd
		if b.Len() > 0 {
			switch {
			case gap > 2*size:
				cells = append(cells, strings.TrimSpace(b.String()))
				b.Reset()
			case pendingSpace || gap > 0.2*size:
				b.WriteByte(' ')
			}
		}
		pendingSpace = false
		b.WriteString(g.s)
		prevEnd = g.x + g.w
		prevS, prevX = g.s, g.x
		k := utf8.RuneCountInString(g.s)
		sizes[math.Round(g.size*2)/2] += k
		n += k
		if g.bold {
			boldN += k
		}
	}
	if b.Len() > 0 {
		cells = append(cells, strings.TrimSpace(b.String()))
	}
	if n == 0 {
		return line{}, false
	}
	best, bestN := 0.0, -1
	for s, c := range sizes {
		if c > bestN || c == bestN && s > best {
			best, bestN = s, c
		}
	}
	return line{
		page: page, y: gs[0].y, x0: gs[0].x, size: best, bold: boldN*2 > n,
		text: strings.Join(cells, " "), cells: cells,
	}, true
}

var (
	digitsRe    = regexp.MustCompile(`\d+`)
	pageNumRe   = regexp.MustCompile(`^(?i)(page\s*|seite\s*|p\.\s*|第\s*)?[-–—]?\s*\d+\s*([-–—]|页|/\s*\d+|of\s+\d+|von\s+\d+)?\s*$`)
	dotLeader   = regexp.MustCompile(`(\.{4,}|…{2,}|(\. ){4,}|·{4,})\s*\d*\s*$`)
	numberedRe  = regexp.MustCompile(`^(\d+(?:\.\d+)*)(?:\.\s*|\s+|\.?(?:[\p{Han}]))[^\d\s.\-–,;:%)]`)
	chapterEnRe = regexp.MustCompile(`^(?i)(chapter|kapitel|chapitre|cap[ií]tulo|глава)\s+\d+\b`)
	cjkNumRe    = regexp.MustCompile(`^([一二三四五六七八九十]+)[、.．]`)
	cjkSubRe    = regexp.MustCompile(`^[（(]([一二三四五六七八九十]+)[）)]`)
	chapterRe   = regexp.MustCompile(`^第\s*[一二三四五六七八九十百\d]+\s*([章节部篇])`)
	appendixRe  = regexp.MustCompile(`^(?i)(appendix|anhang|annexe?|附录)\b`)
)

// boilerplate returns the keys of lines that repeat in the top or bottom
// tenth of many pages: running headers and footers.
func boilerplate(pages [][]line) map[string]bool {
	count := map[string]int{}
	for _, ls := range pages {
		seen := map[string]bool{}
		for _, l := range ls {
			if !l.top && !l.bot {
				continue
			}
			k := bpKey(l)
			if !seen[k] {
				seen[k] = true
				count[k]++
			}
		}
	}
	out := map[string]bool{}
	n := len(pages)
	for k, c := range count {
		if c >= 3 && float64(c) >= 0.3*float64(n) {
			out[k] = true
		}
	}
	return out
}

func bpKey(l line) string {
	band := "b"
	if l.top {
		band = "t"
	}
	t := digitsRe.ReplaceAllString(l.text, "#")
	t = strings.Join(strings.Fields(t), "")
	return band + t
}

// headingLevel says whether a line is a heading and at which level; 0 means
// body text. body is the document's body font size; sizes ranks the
// larger font sizes used for headings, largest first.
func headingLevel(l line, st style) int {
	lv, numbered := headingInfo(l, st)
	if lv > 0 && !numbered && st.numbered && l.size < st.body*1.2 {
		// In a document with numbered headings, an unnumbered small bold
		// line is a label in a figure or a table, not a heading.
		return 0
	}
	return lv
}

// style is what a document's typography says about its headings.
type style struct {
	body     float64   // body font size
	sizes    []float64 // heading sizes, largest first
	boldBody bool      // most body text is bold, so bold marks nothing
	numbered bool      // most headings are numbered
	// words counts the document's spellings, for joining hyphenated
	// words (joinLines).
	words map[string]int
}

func docStyle(pages [][]line) style {
	st := style{body: bodySize(pages)}
	st.sizes = headingSizes(pages, st.body)
	st.boldBody = boldBody(pages, st.body)
	st.words = wordCounts(pages)
	num, all := 0, 0
	for _, ls := range pages {
		for _, l := range ls {
			if lv, n := headingInfo(l, st); lv > 0 {
				all++
				if n {
					num++
				}
			}
		}
	}
	st.numbered = num >= 5 && num*2 >= all
	return st
}

// headingInfo classifies a line on its own: heading level (0 for body
// text) and whether the heading is numbered.
func headingInfo(l line, st style) (int, bool) {
	lv := headingLevelRaw(l, st)
	if lv == 0 {
		return 0, false
	}
	t := l.text
	return lv, numberedRe.MatchString(t) || chapterRe.MatchString(t) || chapterEnRe.MatchString(t) || cjkNumRe.MatchString(t) || cjkSubRe.MatchString(t)
}

func headingLevelRaw(l line, st style) int {
	body, sizes := st.body, st.sizes
	t := strings.TrimSpace(l.text)
	rc := utf8.RuneCountInString(t)
	if rc < 2 || rc > 120 || dotLeader.MatchString(t) || pageNumRe.MatchString(t) || !hasLetter(t) {
		return 0
	}
	if len(l.cells) > 2 || len(l.cells) == 2 && !numberedRe.MatchString(l.cells[0]+" x") {
		return 0
	}
	if strings.HasSuffix(t, "。") || strings.HasSuffix(t, "；") || strings.HasSuffix(t, ",") || strings.HasSuffix(t, "，") {
		return 0
	}
	// Headings are titles, not sentences: CJK sentence punctuation or a
	// long line with commas means a numbered list item or a paragraph.
	if strings.ContainsAny(t, "，。；：") || rc > 60 && strings.Contains(t, ", ") {
		return 0
	}
	if admonition[strings.ToUpper(strings.Trim(t, "!:：！ "))] {
		return 0
	}
	big := l.size >= body*1.2
	// Where the body itself is set in bold (the zh evaluation-board
	// manual), a bold numbered line is a list item, not a heading: only a
	// larger size sets a heading apart.
	emph := l.bold && !st.boldBody || l.size >= body*1.08
	if m := numberedRe.FindStringSubmatch(t); m != nil && emph {
		depth := strings.Count(m[1], ".") + 1
		// "2024 edition" or "100 mA max" are not chapter numbers.
		if first := strings.SplitN(m[1], ".", 2)[0]; len(first) > 2 || depth > 6 {
			return 0
		}
		// The title after the number is a word that starts a heading, not
		// a label such as "1 T" or "1 circuit" in a figure.
		title := []rune(strings.TrimLeft(t[len(m[1]):], ". \t"))
		if len(title) < 2 || unicode.IsLower(title[0]) {
			return 0
		}
		return depth
	}
	if chapterEnRe.MatchString(t) && emph {
		return 1
	}
	if m := chapterRe.FindStringSubmatch(t); m != nil && emph {
		if m[1] == "节" {
			return 2
		}
		return 1
	}
	if cjkNumRe.MatchString(t) && emph {
		return 1
	}
	if cjkSubRe.MatchString(t) && emph {
		return 2
	}
	if appendixRe.MatchString(t) && emph {
		return 1
	}
	if big || l.bold && l.size >= body*1.1 {
		if strings.HasSuffix(t, ".") && rc > 60 {
			return 0
		}
		for i, s := range sizes {
			if l.size >= s {
				return i + 1
			}
		}
		return len(sizes) + 1
	}
	// A short line set slightly larger than the body ("Step 1" above a
	// procedure step) is the lowest heading level.
	if l.size >= body*1.03 && rc <= 60 && !strings.ContainsAny(t[len(t)-1:], ".:;,") {
		return len(sizes) + 1
	}
	return 0
}

// admonition words start a note or warning box; they are not headings.
var admonition = map[string]bool{
	"NOTE": true, "NOTES": true, "WARNING": true, "CAUTION": true, "DANGER": true, "ATTENTION": true, "TIP": true, "IMPORTANT": true,
	"HINWEIS": true, "WARNUNG": true, "VORSICHT": true, "GEFAHR": true, "ACHTUNG": true, "TIPP": true, "WICHTIG": true,
	"注意": true, "警告": true, "危险": true, "提示": true, "说明": true, "注": true,
}

func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) ||
		r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef
}

var bulletRe = regexp.MustCompile(`^([•●○■□▪◆◇►▶✓✔\x{F06C}\x{F0B7}\x{F0A7}\-–*·])\s*`)
var listNumRe = regexp.MustCompile(`^(\(?\d{1,2}[.)）]|[（(]\d{1,2}[)）]|[a-z][.)])\s`)

// joinLines joins the lines of one paragraph: CJK lines without a space,
// a word hyphenated at a line end back together. words counts the
// document's own spellings (see wordCounts) to tell a hyphenation from a
// compound that breaks at its hyphen.
func joinLines(a, b string, words map[string]int) string {
	if a == "" {
		return b
	}
	ra, _ := utf8.DecodeLastRuneInString(a)
	rb, _ := utf8.DecodeRuneInString(b)
	if isCJK(ra) || isCJK(rb) {
		return a + b
	}
	if ra == '-' && len(a) > 1 {
		head := a[:len(a)-1]
		r2, _ := utf8.DecodeLastRuneInString(head)
		if unicode.IsLetter(r2) && unicode.IsLetter(rb) {
			if joinHyphenated(lastWord(head), firstWord(b), words) {
				return head + b
			}
			return a + b
		}
	}
	return a + " " + b
}

// joinHyphenated decides whether pre, a line's last word before its
// hyphen, and post, the next line's first word, are one word split by
// hyphenation ("INCLINOME-" "TER") or a compound that keeps its hyphen
// ("pull-" "up", "WCH-" "LinkE", "Line-" "Arrays"). The spelling the
// document uses more often inside its lines wins; without one, a
// lowercase continuation is a syllable break (German compounds are
// mostly written once) and any other is a compound.
func joinHyphenated(pre, post string, words map[string]int) bool {
	joined := strings.ToLower(pre + post)
	hyphened := strings.ToLower(pre + "-" + post)
	nj, nh := words[joined], words[hyphened]
	if nj != nh {
		return nj > nh
	}
	r2, _ := utf8.DecodeLastRuneInString(pre)
	rb, _ := utf8.DecodeRuneInString(post)
	return unicode.IsLower(r2) && unicode.IsLower(rb)
}

// wordCounts counts the words of all lines, lowercased: the parts of a
// hyphenated compound, and each two neighbouring parts with their hyphen
// ("pull-up" in "pull-up/pull-down"), the spellings joinLines takes as
// evidence.
func wordCounts(pages [][]line) map[string]int {
	out := map[string]int{}
	for _, ls := range pages {
		for _, l := range ls {
			for _, w := range strings.FieldsFunc(strings.ToLower(l.text), notWordRune) {
				parts := strings.FieldsFunc(w, func(r rune) bool { return r == '-' })
				for i, p := range parts {
					out[p]++
					if i > 0 {
						out[parts[i-1]+"-"+p]++
					}
				}
			}
		}
	}
	return out
}

func notWordRune(r rune) bool {
	return r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

func notLetterOrDigit(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r)
}

// lastWord is the letters and digits s ends with: the last part of a
// hyphenated compound.
func lastWord(s string) string {
	i := strings.LastIndexFunc(s, notLetterOrDigit)
	if i < 0 {
		return s
	}
	_, n := utf8.DecodeRuneInString(s[i:])
	return s[i+n:]
}

// firstWord is the letters and digits s starts with.
func firstWord(s string) string {
	if i := strings.IndexFunc(s, notLetterOrDigit); i >= 0 {
		return s[:i]
	}
	return s
}
