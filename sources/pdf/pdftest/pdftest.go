// Package pdftest crafts PDF files that are costly to extract, for the
// tests of time budgets, cancellation and termination: small files whose
// reading takes minutes, or would take for ever without a bound.
package pdftest

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"strings"
)

// Slow returns a valid one-page PDF of a few hundred kilobytes whose page
// draws one form XObject draws times; the form's content stream inflates
// to 16 MiB of operators that draw nothing. Each draw costs a fraction of
// a second, so a few hundred draws take minutes, and only a reader that
// checks for cancellation inside a page stops early. The page also shows
// text before the draws, so the document is not empty.
func Slow(draws int) []byte {
	var ops bytes.Buffer
	for ops.Len() < 16<<20 {
		ops.WriteString("1 0 0 1 0 0 cm\n")
	}
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	_, _ = zw.Write(ops.Bytes())
	_ = zw.Close()

	var b writer
	b.WriteString("%PDF-1.4\n")
	b.obj("<< /Type /Catalog /Pages 2 0 R >>")
	b.obj("<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
	b.obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	b.obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> /XObject << /Fx 6 0 R >> >> /Contents 5 0 R >>")
	content := "BT /F1 12 Tf 72 720 Td (A page that takes long to read) Tj ET\n" + strings.Repeat("/Fx Do\n", draws)
	b.stream("", []byte(content))
	b.stream("/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Filter /FlateDecode", z.Bytes())
	return b.finish()
}

// FormBomb returns a one-page PDF whose page draws form 1 ten times, form
// 1 draws form 2 ten times, and so on down eight levels: 10^8 draws for a
// reader that bounds only the nesting depth.
func FormBomb() []byte {
	const levels = 8
	var b writer
	b.WriteString("%PDF-1.4\n")
	b.obj("<< /Type /Catalog /Pages 2 0 R >>")
	b.obj("<< /Type /Pages /Kids [4 0 R] /Count 1 >>")
	b.obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	b.obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> /XObject << /X 6 0 R >> >> /Contents 5 0 R >>")
	b.stream("", []byte("BT /F1 12 Tf 72 720 Td (Form bomb) Tj ET\n"+strings.Repeat("/X Do\n", 10)))
	for l := 1; l <= levels; l++ {
		dict := "/Type /XObject /Subtype /Form /BBox [0 0 612 792]"
		content := "BT /F1 1 Tf 0 0 Td (x) Tj ET\n"
		if l < levels {
			dict += fmt.Sprintf(" /Resources << /Font << /F1 3 0 R >> /XObject << /X %d 0 R >> >>", 7+l-1)
			content = strings.Repeat("/X Do\n", 10)
		} else {
			dict += " /Resources << /Font << /F1 3 0 R >> >>"
		}
		b.stream(dict, []byte(content))
	}
	return b.finish()
}

// writer writes numbered objects and the cross-reference table for them.
type writer struct {
	bytes.Buffer
	offs []int
}

func (b *writer) obj(s string) {
	b.offs = append(b.offs, b.Len())
	fmt.Fprintf(b, "%d 0 obj\n%s\nendobj\n", len(b.offs), s)
}

func (b *writer) stream(dict string, data []byte) {
	b.offs = append(b.offs, b.Len())
	fmt.Fprintf(b, "%d 0 obj\n<< %s /Length %d >>\nstream\n", len(b.offs), dict, len(data))
	b.Write(data)
	b.WriteString("\nendstream\nendobj\n")
}

func (b *writer) finish() []byte {
	x := b.Len()
	fmt.Fprintf(b, "xref\n0 %d\n0000000000 65535 f \n", len(b.offs)+1)
	for _, o := range b.offs {
		fmt.Fprintf(b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(b.offs)+1, x)
	return b.Bytes()
}
