package pdf

import (
	"regexp"
	"strings"
)

// trailingPageRe is a line that ends in a page number after its text, the
// shape of a contents entry without a dot leader ("4.1 Charging the
// battery 13", the number in a cell of its own).
var trailingPageRe = regexp.MustCompile(`^(.*\pL.*?)[\s.…·]+\d{1,4}$`)

// tocTitles are the titles a table of contents goes by, lowercased and
// without spaces.
var tocTitles = map[string]bool{
	"contents": true, "tableofcontents": true, "inhalt": true, "inhaltsverzeichnis": true,
	"sommaire": true, "tabledesmatières": true, "índice": true, "indice": true, "contenido": true,
	"目录": true, "目次": true, "目錄": true,
}

// tableOfContents marks, page by page, the lines of a table of contents,
// which Sections leaves out: its entries repeat the headings with page
// numbers, and as units they answered searches for any chapter in place of
// the chapter itself.
//
// An entry is a line with a dot leader, or text and a page number where
// the text is a heading on a later page. A page is a contents page when
// at least three of its lines, and half of those not running headers or
// footers, are entries; there the lines from the first entry (and the
// title just above it) to the last are left out, so that a chapter that
// starts below the contents keeps its text. The page after a contents
// page loses the entries it starts with: the tail of the contents.
func tableOfContents(pages [][]line, bp map[string]bool, st style) [][]bool {
	later := map[string]int{} // heading text → last page it heads
	for _, ls := range pages {
		for _, l := range ls {
			if headingLevel(l, st) > 0 {
				later[tocKey(l.text)] = l.page
			}
		}
	}
	entry := func(l line) bool {
		if dotLeader.MatchString(l.text) {
			return true
		}
		m := trailingPageRe.FindStringSubmatch(strings.TrimSpace(l.text))
		return m != nil && later[tocKey(m[1])] > l.page
	}
	out := make([][]bool, len(pages))
	prevTOC := false
	for pi, ls := range pages {
		var idx []int // lines that are not running headers or footers
		for i, l := range ls {
			if !isBoilerplate(l, bp) {
				idx = append(idx, i)
			}
		}
		first, last, n := -1, -1, 0
		for k, i := range idx {
			if entry(ls[i]) {
				n++
				if first < 0 {
					first = k
				}
				last = k
			}
		}
		isTOC := n >= 3 && 2*n >= len(idx)
		if !isTOC && prevTOC && first == 0 {
			// The tail of the contents: the entries the page starts with.
			for last = 0; last+1 < len(idx) && entry(ls[idx[last+1]]); last++ {
			}
		} else if !isTOC {
			prevTOC = false
			continue
		}
		if first > 0 {
			if t := ls[idx[first-1]]; headingLevel(t, st) > 0 || tocTitles[strings.Join(strings.Fields(strings.ToLower(t.text)), "")] {
				first--
			}
		}
		out[pi] = make([]bool, len(ls))
		for k := first; k <= last; k++ {
			out[pi][idx[k]] = true
		}
		prevTOC = isTOC
	}
	return out
}

// tocKey is a heading or entry text as the two are compared: lowercase,
// single spaces, no dot leader.
func tocKey(s string) string {
	s = dotLeader.ReplaceAllString(s, "")
	return strings.Join(strings.Fields(strings.ToLower(strings.TrimRight(s, " .…·"))), " ")
}
