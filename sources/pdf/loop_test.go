package pdf

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// loopPDFs are crafted files that made the PDF reader spin for ever: a
// trailer whose /Prev names its own cross-reference table, a /Prev chain
// of two sections pointing at each other, and a page tree whose /Kids lead
// back to itself.
func loopPDFs() map[string][]byte {
	page := "BT /F1 12 Tf 72 720 Td (Hello) Tj ET"
	selfPrev, _ := craftPDF(page, "/Kids [4 0 R] /Count 1", func(xref int) string {
		return fmt.Sprintf("trailer\n<< /Size 6 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", xref, xref)
	})
	twoWay, _ := craftPDF(page, "/Kids [4 0 R] /Count 1", func(xref int) string {
		t1 := "trailer\n<< /Size 6 /Root 1 0 R /Prev %010d >>\n"
		// The second table starts right after the first trailer.
		second := xref + len("xref\n0 6\n") + 6*20 + len(fmt.Sprintf(t1, 0))
		return fmt.Sprintf(t1, second) + fmt.Sprintf("xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Size 6 /Root 1 0 R /Prev %d >>\nstartxref\n%d\n%%%%EOF\n", xref, second)
	})
	kids, _ := craftPDF(page, "/Kids [2 0 R 2 0 R 4 0 R] /Count 9999999", nil)
	return map[string][]byte{"prev-self.pdf": selfPrev, "prev-two-way.pdf": twoWay, "kids-cycle.pdf": kids}
}

// craftPDF writes a one-page PDF whose page-tree node has the given
// /Kids and /Count, and whose trailer (after the xref table at offset
// xref) trailer writes; nil writes a plain one.
func craftPDF(content, pagesNode string, trailer func(xref int) string) ([]byte, int) {
	var b pdfBuf
	b.WriteString("%PDF-1.4\n")
	b.obj("<< /Type /Catalog /Pages 2 0 R >>")
	b.obj("<< /Type /Pages " + pagesNode + " >>")
	b.obj("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
	b.obj("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 3 0 R >> >> /Contents 5 0 R >>")
	b.obj(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
	xref := b.xref()
	if trailer == nil {
		trailer = func(xref int) string {
			return fmt.Sprintf("trailer\n<< /Size 6 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", xref)
		}
	}
	b.WriteString(trailer(xref))
	return b.Bytes(), xref
}

// Every run ends: a crafted cross-reference or page-tree cycle is an
// error naming the file, reached in well under a second.
func TestCyclesEndWithAnError(t *testing.T) {
	for name, data := range loopPDFs() {
		t.Run(name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := Parse(context.Background(), name, data, func(error) {})
				done <- err
			}()
			select {
			case err := <-done:
				if err == nil || !strings.Contains(err.Error(), name) || !strings.Contains(err.Error(), "damaged PDF") {
					t.Errorf("error = %v, want a damaged-PDF error naming %s", err, name)
				}
			case <-time.After(30 * time.Second):
				t.Fatal("Parse did not return: the reader loops")
			}
		})
	}
}

// A huge /Count with a sound tree is not trusted: only real pages are read.
func TestPageCountComesFromTheTree(t *testing.T) {
	data, _ := craftPDF("BT /F1 12 Tf 72 720 Td (One page) Tj ET", "/Kids [4 0 R] /Count 2000000000", nil)
	doc, err := Parse(context.Background(), "count.pdf", data, func(error) {})
	if err != nil || doc.Pages != 1 {
		t.Fatalf("pages = %v, err %v", doc, err)
	}
}
