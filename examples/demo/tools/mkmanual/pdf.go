package main

import (
	"bytes"
	"fmt"
	"strings"
)

// A manual is laid out from blocks, top to bottom, onto A4 pages in the
// two standard fonts Helvetica and Helvetica-Bold (no font is embedded, so
// every PDF reader has them). Only WinAnsiEncoding text can be written,
// which covers English and German.
type blockKind int

const (
	title     blockKind = iota // the document title, large and bold
	subtitle                   // the line under the title
	h1                         // a numbered chapter heading: "1 Safety notes"
	h2                         // a numbered section heading: "2.1 Mounting"
	para                       // a paragraph, wrapped to the text width
	note                       // a bold label line ("WARNING – …") followed by a paragraph
	bullet                     // one item of a bulleted list
	table                      // rows of cells; the first row is the header
	pageBreak                  // start a new page
)

type block struct {
	kind  blockKind
	text  string
	label string     // note: the bold first line
	rows  [][]string // table
	cols  []float64  // table: the left edge of each column, from the left margin
}

type manual struct {
	lang   string // BCP 47, written to the catalog's /Lang
	title  string // document information
	footer string // running footer, left; the page number is on the right
	blocks []block
}

const (
	pageW, pageH = 595, 842 // A4 in points
	left, right  = 64, 531
	top, bottom  = 778, 84
	bodySize     = 10
	leading      = 13.5
)

type font struct {
	name   string // resource name
	widths *[224]int
}

var (
	regular = font{"F1", &helveticaWidths}
	bold    = font{"F2", &helveticaBoldWidths}
)

// winAnsi returns the WinAnsiEncoding code of r, or false when the
// encoding has none.
func winAnsi(r rune) (byte, bool) {
	switch {
	case r >= 32 && r < 127, r >= 160 && r <= 255:
		return byte(r), true
	}
	special := map[rune]byte{'€': 0x80, '‚': 0x82, '„': 0x84, '…': 0x85, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '–': 0x96, '—': 0x97, '™': 0x99}
	b, ok := special[r]
	return b, ok
}

func (f font) width(s string, size float64) float64 {
	w := 0
	for _, r := range s {
		if c, ok := winAnsi(r); ok {
			w += f.widths[c-32]
		}
	}
	return float64(w) * size / 1000
}

// pdfString encodes s as a PDF literal string in WinAnsiEncoding.
func pdfString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('(')
	for _, r := range s {
		c, ok := winAnsi(r)
		if !ok {
			return "", fmt.Errorf("%q: character %q is not in WinAnsiEncoding; use another or add it to winAnsi", s, r)
		}
		switch c {
		case '(', ')', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			if c >= 128 {
				fmt.Fprintf(&b, "\\%03o", c)
			} else {
				b.WriteByte(c)
			}
		}
	}
	b.WriteByte(')')
	return b.String(), nil
}

// page collects the content stream of one page.
type page struct {
	ops bytes.Buffer
	err error
}

func (p *page) text(f font, size, x, y float64, s string) {
	lit, err := pdfString(s)
	if err != nil && p.err == nil {
		p.err = err
	}
	fmt.Fprintf(&p.ops, "BT /%s %g Tf %.2f %.2f Td %s Tj ET\n", f.name, size, x, y, lit)
}

func (p *page) rule(x1, x2, y float64) {
	fmt.Fprintf(&p.ops, "0.5 w %.2f %.2f m %.2f %.2f l S\n", x1, y, x2, y)
}

// wrap cuts s into lines no wider than width.
func wrap(f font, size, width float64, s string) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if line != "" && f.width(try, size) > width {
			lines = append(lines, line)
			line = w
			continue
		}
		line = try
	}
	if line != "" {
		lines = append(lines, line)
	}
	return lines
}

// layout places the blocks onto pages.
func layout(m manual) ([]*page, error) {
	var pages []*page
	var p *page
	y := 0.0
	newPage := func() {
		p = &page{}
		pages = append(pages, p)
		y = top
	}
	// need starts a new page unless h points of height are left.
	need := func(h float64) {
		if y-h < bottom {
			newPage()
		}
	}
	newPage()
	for _, b := range m.blocks {
		switch b.kind {
		case pageBreak:
			newPage()
		case title:
			p.text(bold, 20, left, y, b.text)
			y -= 26
		case subtitle:
			p.text(regular, 11, left, y, b.text)
			y -= 30
		case h1:
			if y < top {
				y -= 12
			}
			need(5 * leading)
			p.text(bold, 14, left, y, b.text)
			y -= 22
		case h2:
			y -= 4
			need(4 * leading)
			p.text(bold, 11.5, left, y, b.text)
			y -= 18
		case para, bullet:
			x, width := float64(left), float64(right-left)
			if b.kind == bullet {
				x, width = left+14, right-left-14
			}
			lines := wrap(regular, bodySize, width, b.text)
			need(float64(min(len(lines), 3)) * leading)
			for i, l := range lines {
				if y < bottom {
					newPage()
				}
				if b.kind == bullet && i == 0 {
					p.text(regular, bodySize, left+4, y, "•")
				}
				p.text(regular, bodySize, x, y, l)
				y -= leading
			}
			y -= 5
		case note:
			lines := wrap(regular, bodySize, right-left-10, b.text)
			need(float64(len(lines)+1) * leading)
			p.text(bold, bodySize, left, y, b.label)
			y -= leading + 7 // a paragraph of its own, not run into the text
			for _, l := range lines {
				p.text(regular, bodySize, left+10, y, l)
				y -= leading
			}
			y -= 6
		case table:
			need(float64(len(b.rows)+1) * leading)
			for i, row := range b.rows {
				f := regular
				if i == 0 {
					f = bold
				}
				for c, cell := range row {
					x := left + b.cols[c]
					limit := float64(right)
					if c+1 < len(b.cols) {
						limit = left + b.cols[c+1]
					}
					if f.width(cell, bodySize) > limit-x-8 {
						return nil, fmt.Errorf("table cell %q is wider than its column (%.0f pt); widen the column or shorten the cell", cell, limit-x-8)
					}
					p.text(f, bodySize, x, y, cell)
				}
				if i == 0 {
					p.rule(left, right, y-4)
				}
				y -= leading + 2
			}
			y -= 8
		}
	}
	for i, p := range pages {
		p.rule(left, right, 56)
		p.text(regular, 8.5, left, 44, m.footer)
		n := fmt.Sprintf("%d", i+1)
		p.text(regular, 8.5, right-regular.width(n, 8.5), 44, n)
		if p.err != nil {
			return nil, p.err
		}
	}
	return pages, nil
}

// render writes m as a PDF file. The output depends only on m: no dates
// or ids from the clock, so a regenerated file is byte for byte the same.
func render(m manual) ([]byte, error) {
	pages, err := layout(m)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	var offsets []int
	obj := func(body string) {
		offsets = append(offsets, out.Len())
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", len(offsets), body)
	}
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	const firstPage = 6 // objects 1–5: catalog, pages, two fonts, info
	kids := make([]string, len(pages))
	for i := range pages {
		kids[i] = fmt.Sprintf("%d 0 R", firstPage+2*i)
	}
	lang, _ := pdfString(m.lang)
	obj(fmt.Sprintf("<< /Type /Catalog /Pages 2 0 R /Lang %s >>", lang))
	obj(fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(pages)))
	for _, f := range []struct {
		base   string
		widths *[224]int
	}{{"Helvetica", &helveticaWidths}, {"Helvetica-Bold", &helveticaBoldWidths}} {
		ws := make([]string, len(f.widths))
		for i, w := range f.widths {
			ws[i] = fmt.Sprint(w)
		}
		obj(fmt.Sprintf("<< /Type /Font /Subtype /Type1 /BaseFont /%s /Encoding /WinAnsiEncoding /FirstChar 32 /LastChar 255 /Widths [%s] >>", f.base, strings.Join(ws, " ")))
	}
	t, err := pdfString(m.title)
	if err != nil {
		return nil, err
	}
	obj(fmt.Sprintf("<< /Title %s /Producer (kbops examples/demo/tools/mkmanual) >>", t))
	for i, p := range pages {
		obj(fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents %d 0 R >>", pageW, pageH, firstPage+2*i+1))
		obj(fmt.Sprintf("<< /Length %d >>\nstream\n%sendstream", p.ops.Len(), p.ops.String()))
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info 5 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, xref)
	return out.Bytes(), nil
}
