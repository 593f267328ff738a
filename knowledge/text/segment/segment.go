package segment

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kbops/kbops/sources"
)

// Options set the unit size, in characters (runes).
type Options struct {
	// Target is the size parts of a long section aim for (default 1500):
	// large enough to hold a procedure with its context, small enough for
	// a retrieval hit to be on topic.
	Target int `yaml:"target"`
	// Max is the size above which a section is split (default 4000).
	Max int `yaml:"max"`
}

// Defaults for Options.
const (
	DefaultTarget = 1500
	DefaultMax    = 4000
)

func (o Options) norm() Options {
	if o.Target <= 0 {
		o.Target = DefaultTarget
	}
	if o.Max <= 0 {
		o.Max = DefaultMax
	}
	if o.Max < o.Target {
		o.Max = o.Target
	}
	return o
}

// Split returns secs with sections over opts.Max split into parts, and
// consecutive sections with the same heading path (a heading continued on
// the next page) merged when the result still fits. Order is kept.
//
// Scenario sections (Layer "scenario": a ticket cluster) are left whole:
// one field case is one unit, its symptom and its fix retrieved together,
// and its unit is the state later exports continue.
func Split(secs []sources.Section, opts Options) []sources.Section {
	opts = opts.norm()
	var merged []sources.Section
	whole := func(s sources.Section) bool { return s.Layer == "scenario" }
	for _, s := range secs {
		if n := len(merged); n > 0 && !whole(s) && !whole(merged[n-1]) && sameHeadings(merged[n-1].Headings, s.Headings) &&
			runes(merged[n-1].Text)+runes(s.Text) <= opts.Max {
			merged[n-1].Text += "\n\n" + s.Text
			merged[n-1].Locator = joinLocators(merged[n-1].Locator, s.Locator)
			continue
		}
		merged = append(merged, s)
	}
	var out []sources.Section
	for _, s := range merged {
		if runes(s.Text) <= opts.Max || whole(s) {
			out = append(out, s)
			continue
		}
		for i, text := range pack(Blocks(s.Text), opts) {
			p := s
			p.Text = text
			if i > 0 {
				p.Headings = partHeadings(s.Headings, i+1)
				p.Title = p.Headings[len(p.Headings)-1]
			}
			out = append(out, p)
		}
	}
	return out
}

func partHeadings(h []string, n int) []string {
	out := append([]string(nil), h...)
	if len(out) == 0 {
		return []string{fmt.Sprintf("(%d)", n)}
	}
	out[len(out)-1] = fmt.Sprintf("%s (%d)", out[len(out)-1], n)
	return out
}

func sameHeadings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var pagesRe = regexp.MustCompile(`^pp?\. (\d+)(?:–(\d+))?$`)

// joinLocators joins page locators ("p. 3" + "p. 4" = "pp. 3–4").
func joinLocators(a, b string) string {
	ma, mb := pagesRe.FindStringSubmatch(a), pagesRe.FindStringSubmatch(b)
	if ma == nil || mb == nil {
		return a
	}
	last := mb[1]
	if mb[2] != "" {
		last = mb[2]
	}
	if last == ma[1] {
		return a
	}
	return "pp. " + ma[1] + "–" + last
}

func runes(s string) int { return utf8.RuneCountInString(s) }

// Block is a piece of Markdown that is never split across units.
type Block struct {
	Text   string
	Atomic bool // table, code block or numbered procedure
}

var (
	fenceRe   = regexp.MustCompile("^\\s{0,3}(```|~~~)")
	numItemRe = regexp.MustCompile(`^\s{0,3}\d{1,3}[.)]\s`)
	itemRe    = regexp.MustCompile(`^\s*([-*+]|\d{1,3}[.)])\s`)
)

// Blocks cuts Markdown text into paragraphs, keeping each table, fenced
// code block and numbered list (with its nested items) whole.
func Blocks(text string) []Block {
	lines := strings.Split(text, "\n")
	var out []Block
	var cur []string
	kind := "" // "", "code", "table", "proc", "para"
	flush := func() {
		t := strings.Trim(strings.Join(cur, "\n"), "\n")
		if strings.TrimSpace(t) != "" {
			out = append(out, Block{Text: t, Atomic: kind == "code" || kind == "table" || kind == "proc"})
		}
		cur, kind = cur[:0], ""
	}
	fence := ""
	for _, l := range lines {
		if kind == "code" {
			cur = append(cur, l)
			if strings.HasPrefix(strings.TrimSpace(l), fence) {
				flush()
			}
			continue
		}
		if m := fenceRe.FindStringSubmatch(l); m != nil {
			flush()
			kind, fence = "code", m[1]
			cur = append(cur, l)
			continue
		}
		trimmed := strings.TrimSpace(l)
		isTable := strings.HasPrefix(trimmed, "|")
		switch {
		case trimmed == "":
			if kind == "proc" || kind == "table" {
				continue // a blank line inside a procedure or table
			}
			flush()
		case isTable:
			if kind != "table" {
				flush()
				kind = "table"
			}
			cur = append(cur, l)
		case numItemRe.MatchString(l):
			if kind != "proc" {
				flush()
				kind = "proc"
			}
			cur = append(cur, l)
		case kind == "proc" && (strings.HasPrefix(l, " ") || strings.HasPrefix(l, "\t") || itemRe.MatchString(l)):
			cur = append(cur, l) // nested content of a step
		default:
			if kind == "proc" || kind == "table" {
				flush()
			}
			if kind == "" {
				kind = "para"
			}
			cur = append(cur, l)
		}
	}
	flush()
	return out
}

// pack groups blocks into parts of about opts.Target characters.
func pack(blocks []Block, opts Options) []string {
	var parts []string
	var cur []string
	n := 0
	add := func(t string) {
		if n > 0 && n+runes(t) > opts.Target {
			parts = append(parts, strings.Join(cur, "\n\n"))
			cur, n = cur[:0], 0
		}
		cur = append(cur, t)
		n += runes(t) + 2
	}
	for _, b := range blocks {
		if b.Atomic || runes(b.Text) <= opts.Target {
			add(b.Text)
			continue
		}
		// A long paragraph: cut between sentences.
		var piece strings.Builder
		for _, s := range Sentences(b.Text) {
			if piece.Len() > 0 && runes(piece.String())+runes(s) > opts.Target {
				add(strings.TrimSpace(piece.String()))
				piece.Reset()
			}
			piece.WriteString(s)
		}
		if strings.TrimSpace(piece.String()) != "" {
			add(strings.TrimSpace(piece.String()))
		}
	}
	if len(cur) > 0 {
		parts = append(parts, strings.Join(cur, "\n\n"))
	}
	return parts
}

// abbreviations end with a full stop without ending a sentence (compared
// lower-case, without the final stop).
var abbreviations = map[string]bool{
	"e.g": true, "i.e": true, "etc": true, "vs": true, "cf": true, "fig": true, "figs": true, "no": true, "nos": true, "approx": true,
	"ca": true, "max": true, "min": true, "dr": true, "mr": true, "mrs": true, "ms": true, "prof": true, "inc": true, "ltd": true, "co": true,
	"z.b": true, "u.a": true, "d.h": true, "bzw": true, "usw": true, "nr": true, "abb": true, "vgl": true, "ggf": true, "inkl": true, "evtl": true, "s": true,
	"p": true, "pp": true, "sr": true, "sra": true, "pág": true, "núm": true, "etc.": true, "env": true, "art": true, "ch": true, "sec": true, "tab": true,
}

// Sentences splits text after sentence ends: '.', '!' or '?' followed by
// space (unless the word before is an abbreviation, a single letter or a
// number such as "3.2"), and after the CJK full stops 。！？ (with any
// closing quotes). The pieces keep their spacing, so joining them gives
// text back.
func Sentences(text string) []string {
	var out []string
	rs := []rune(text)
	start := 0
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		end := -1
		switch r {
		case '。', '！', '？', '．':
			end = i + 1
			for end < len(rs) && strings.ContainsRune("」』”’）)\"", rs[end]) {
				end++
			}
		case '.', '!', '?':
			j := i + 1
			for j < len(rs) && strings.ContainsRune("\"')]”’", rs[j]) {
				j++
			}
			if j < len(rs) && !unicode.IsSpace(rs[j]) {
				continue
			}
			if r == '.' && isAbbrev(rs[start:i]) {
				continue
			}
			// The next sentence starts with a capital, digit, quote or
			// non-Latin letter; "… 5 mm. and" is no sentence end.
			k := j
			for k < len(rs) && unicode.IsSpace(rs[k]) {
				k++
			}
			if k < len(rs) && unicode.IsLower(rs[k]) {
				continue
			}
			end = j
			for end < len(rs) && unicode.IsSpace(rs[end]) {
				end++
			}
		}
		if end > 0 {
			out = append(out, string(rs[start:end]))
			start = end
			i = end - 1
		}
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// isAbbrev reports whether the word ending the text (before a '.') is an
// abbreviation or a short number.
func isAbbrev(before []rune) bool {
	k := len(before)
	for k > 0 && !unicode.IsSpace(before[k-1]) && before[k-1] != '(' {
		k--
	}
	w := strings.ToLower(string(before[k:]))
	if w == "" {
		return false
	}
	if abbreviations[w] {
		return true
	}
	wr := []rune(w)
	allDigits := true
	for _, r := range wr {
		if !unicode.IsDigit(r) && r != '.' {
			allDigits = false
		}
	}
	return allDigits && len(wr) <= 3 // "Step 3. Press" is rare; "Nr. 3." and "3.2." are common
}
