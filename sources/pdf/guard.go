package pdf

import (
	"bytes"
	"fmt"
	"strconv"

	lpdf "github.com/ledongthuc/pdf"
)

// checkXrefChain follows the /Prev chain of cross-reference sections from
// the last startxref and refuses a chain that comes back to an offset it
// has seen: ledongthuc/pdf follows such a chain for ever. The check reads
// the numbers as text and only guards; parsing stays the library's.
func checkXrefChain(data []byte) error {
	i := bytes.LastIndex(data, []byte("startxref"))
	if i < 0 {
		return nil // the library reports a missing startxref
	}
	off, ok := leadingInt(data[i+len("startxref"):])
	seen := map[int64]bool{}
	for ok && off >= 0 && off < int64(len(data)) {
		if seen[off] {
			return fmt.Errorf("damaged PDF: the cross-reference chain (/Prev) loops back to byte %d", off)
		}
		seen[off] = true
		if len(seen) > 100_000 {
			return fmt.Errorf("damaged PDF: more than 100,000 cross-reference sections")
		}
		sec := data[off:]
		end := bytes.Index(sec, []byte("startxref"))
		if end < 0 {
			end = len(sec)
		}
		if s := bytes.Index(sec[:end], []byte("stream")); s >= 0 && !bytes.HasPrefix(sec, []byte("xref")) {
			end = s // an xref stream: only its dictionary counts
		}
		p := bytes.Index(sec[:end], []byte("/Prev"))
		if p < 0 {
			return nil
		}
		off, ok = leadingInt(sec[p+len("/Prev") : end])
	}
	return nil
}

// leadingInt reads the integer after optional white space.
func leadingInt(b []byte) (int64, bool) {
	b = bytes.TrimLeft(b, " \t\r\n\f\x00")
	n := 0
	for n < len(b) && n < 19 && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	v, err := strconv.ParseInt(string(b[:n]), 10, 64)
	return v, err == nil
}

// pageList walks the page tree itself instead of trusting /Count and
// ledongthuc/pdf's Page(i), which loop for ever on a /Kids cycle. The
// walk is bounded by depth and by a node budget that grows with the file
// size (every node takes bytes in the file), so a cycle costs at most a
// linear amount of work and is reported.
func pageList(r *lpdf.Reader, size int) ([]lpdf.Page, error) {
	const maxDepth = 64
	budget := size/16 + 1024
	var pages []lpdf.Page
	var walk func(v lpdf.Value, depth int) error
	walk = func(v lpdf.Value, depth int) error {
		if budget--; budget < 0 {
			return fmt.Errorf("damaged PDF: the page tree has more nodes than the file can hold (a /Kids cycle?)")
		}
		if depth > maxDepth {
			return fmt.Errorf("damaged PDF: the page tree is deeper than %d levels (a /Kids cycle?)", maxDepth)
		}
		kids := v.Key("Kids")
		if v.Key("Type").Name() == "Page" || (kids.Kind() != lpdf.Array && v.Kind() == lpdf.Dict) {
			pages = append(pages, lpdf.Page{V: v})
			return nil
		}
		for i := 0; i < kids.Len(); i++ {
			if err := walk(kids.Index(i), depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	root := r.Trailer().Key("Root").Key("Pages")
	if root.Kind() != lpdf.Dict {
		return nil, fmt.Errorf("no page tree (damaged PDF?)")
	}
	if err := walk(root, 0); err != nil {
		return nil, err
	}
	return pages, nil
}
