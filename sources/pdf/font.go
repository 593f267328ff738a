package pdf

import (
	"context"
	"sort"
	"strings"
	"unicode/utf16"

	lpdf "github.com/ledongthuc/pdf"
)

// font is what text extraction needs to know about a PDF font: how to cut
// a string into character codes, what each code means in Unicode, and how
// wide it is.
type font struct {
	name     string
	bold     bool
	twoByte  bool // composite (Type0) font with 2-byte codes
	toUni    *cmap
	enc      lpdf.TextEncoding // fallback for simple fonts without ToUnicode
	ucs2     bool
	first    int
	widths   []float64 // simple fonts, from FirstChar
	cidW     map[int]float64
	dw       float64 // default width
	decoded  map[int]string
	vertical bool
}

// glyphCode is one shown character code.
type glyphCode struct {
	text  string
	width float64 // in 1/1000 text space units
	space bool    // single-byte code 32: word spacing applies
}

func newFont(ctx context.Context, v lpdf.Value) *font {
	f := &font{decoded: map[int]string{}, dw: 1000}
	base := v.Key("BaseFont").Name()
	if i := strings.IndexByte(base, '+'); i >= 0 {
		base = base[i+1:]
	}
	f.name = base
	lower := strings.ToLower(base)
	for _, w := range []string{"bold", "black", "heavy", "semibold", "demi", "simhei", "hei-", ",bd", "-bd"} {
		if strings.Contains(lower, w) {
			f.bold = true
		}
	}
	desc := v.Key("FontDescriptor")
	subtype := v.Key("Subtype").Name()
	if subtype == "Type0" {
		f.twoByte = true
		d := v.Key("DescendantFonts").Index(0)
		desc = d.Key("FontDescriptor")
		if dw := d.Key("DW"); dw.Kind() == lpdf.Integer || dw.Kind() == lpdf.Real {
			f.dw = dw.Float64()
		}
		f.cidW = readCIDWidths(d.Key("W"))
		enc := v.Key("Encoding")
		switch {
		case enc.Kind() == lpdf.Name && strings.HasSuffix(enc.Name(), "-V"):
			f.vertical = true
		case enc.Kind() == lpdf.Name && strings.Contains(enc.Name(), "UCS2"):
			f.ucs2 = true
		}
	} else {
		f.first = int(v.Key("FirstChar").Int64())
		ws := v.Key("Widths")
		for i := 0; i < ws.Len(); i++ {
			f.widths = append(f.widths, ws.Index(i).Float64())
		}
		f.dw = 500
		if mw := desc.Key("MissingWidth"); mw.Kind() == lpdf.Integer || mw.Kind() == lpdf.Real {
			f.dw = mw.Float64()
		}
		if strings.Contains(lower, "courier") {
			f.dw = 600
		}
		fv := lpdf.Font{V: v}
		f.enc = fv.Encoder()
	}
	if desc.Key("FontWeight").Float64() >= 600 || desc.Key("Flags").Int64()&(1<<18) != 0 {
		f.bold = true
	}
	if tu := v.Key("ToUnicode"); tu.Kind() == lpdf.Stream {
		if data, err := readAllStream(ctx, tu, 4<<20); err == nil {
			f.toUni = parseCMap(data)
		}
	}
	return f
}

// maxCIDWidths bounds the entries a /W array may set: codes are at most
// two bytes, so a font has at most 65,536 widths, and an array of ranges
// repeated a million times would otherwise be read for hours.
const maxCIDWidths = 1 << 20

func readCIDWidths(w lpdf.Value) map[int]float64 {
	out := map[int]float64{}
	n := w.Len()
	set := 0
	for i := 0; i < n && set < maxCIDWidths; {
		c := int(w.Index(i).Int64())
		if i+1 >= n {
			break
		}
		next := w.Index(i + 1)
		if next.Kind() == lpdf.Array {
			for j := 0; j < next.Len() && j < 65536; j++ {
				out[c+j] = next.Index(j).Float64()
			}
			set += min(next.Len(), 65536)
			i += 2
			continue
		}
		if i+2 >= n {
			break
		}
		hi := int(next.Int64())
		wd := w.Index(i + 2).Float64()
		for k := c; k <= hi && k-c < 65536; k++ {
			out[k] = wd
		}
		set += max(1, min(hi-c+1, 65536))
		i += 3
	}
	return out
}

// codes cuts a shown string into character codes with their text and width.
func (f *font) codes(raw string, dst []glyphCode) []glyphCode {
	if f.twoByte {
		for i := 0; i+1 < len(raw); i += 2 {
			code := int(raw[i])<<8 | int(raw[i+1])
			w, ok := f.cidW[code]
			if !ok {
				w = f.dw
			}
			dst = append(dst, glyphCode{text: f.text(code, raw[i:i+2]), width: w})
		}
		return dst
	}
	for i := 0; i < len(raw); i++ {
		code := int(raw[i])
		w := f.dw
		if k := code - f.first; k >= 0 && k < len(f.widths) {
			w = f.widths[k]
		}
		dst = append(dst, glyphCode{text: f.text(code, raw[i:i+1]), width: w, space: code == 32})
	}
	return dst
}

func (f *font) text(code int, raw string) string {
	if s, ok := f.decoded[code]; ok {
		return s
	}
	var s string
	switch {
	case f.toUni != nil && f.toUni.has(code, len(raw)):
		s = f.toUni.lookup(code, len(raw))
	case f.ucs2:
		s = string(utf16.Decode([]uint16{uint16(code)}))
	case f.twoByte:
		s = "\ufffd"
	case f.enc != nil:
		s = f.enc.Decode(raw)
	default:
		s = raw
	}
	f.decoded[code] = s
	return s
}

// cmap is a ToUnicode CMap: character codes to Unicode text.
type cmap struct {
	chars  map[uint64]string
	ranges []cmapRange
}

type cmapRange struct {
	lo, hi uint64
	n      int // code length in bytes
	dst    []uint16
	arr    []string
}

func key(code, n int) uint64 { return uint64(n)<<32 | uint64(code) }

func (m *cmap) has(code, n int) bool {
	if _, ok := m.chars[key(code, n)]; ok {
		return true
	}
	k := key(code, n)
	i := sort.Search(len(m.ranges), func(i int) bool { return m.ranges[i].hi >= k })
	return i < len(m.ranges) && m.ranges[i].lo <= k
}

func (m *cmap) lookup(code, n int) string {
	k := key(code, n)
	if s, ok := m.chars[k]; ok {
		return s
	}
	i := sort.Search(len(m.ranges), func(i int) bool { return m.ranges[i].hi >= k })
	if i >= len(m.ranges) || m.ranges[i].lo > k {
		return ""
	}
	r := m.ranges[i]
	off := int(k - r.lo)
	if r.arr != nil {
		if off < len(r.arr) {
			return r.arr[off]
		}
		return ""
	}
	u := append([]uint16(nil), r.dst...)
	if len(u) > 0 {
		u[len(u)-1] += uint16(off)
	}
	return string(utf16.Decode(u))
}

func bytesToCode(s string) int {
	v := 0
	for i := 0; i < len(s) && i < 4; i++ {
		v = v<<8 | int(s[i])
	}
	return v
}

func utf16BE(s string) []uint16 {
	u := make([]uint16, 0, len(s)/2)
	for i := 0; i+1 < len(s); i += 2 {
		u = append(u, uint16(s[i])<<8|uint16(s[i+1]))
	}
	if len(s)%2 == 1 {
		u = append(u, uint16(s[len(s)-1]))
	}
	return u
}

func dstText(t token) string {
	if t.kind == tName {
		return glyphNameText(t.s)
	}
	return string(utf16.Decode(utf16BE(t.s)))
}

// glyphNameText maps the few glyph names found as bfchar targets.
func glyphNameText(n string) string {
	switch n {
	case "space":
		return " "
	}
	return ""
}

// parseCMap reads the bfchar and bfrange sections of a ToUnicode CMap.
func parseCMap(data []byte) *cmap {
	m := &cmap{chars: map[uint64]string{}}
	l := &lexer{b: data}
	var ops []token
	for {
		t, ok := l.next()
		if !ok {
			break
		}
		if t.kind != tOp {
			ops = append(ops, t)
			if len(ops) > 1<<16 {
				ops = ops[:0]
			}
			continue
		}
		switch t.s {
		case "endbfchar":
			for i := 0; i+1 < len(ops); i += 2 {
				if ops[i].kind != tStr {
					continue
				}
				m.chars[key(bytesToCode(ops[i].s), len(ops[i].s))] = dstText(ops[i+1])
			}
		case "endbfrange":
			for i := 0; i+2 < len(ops); i += 3 {
				lo, hi, d := ops[i], ops[i+1], ops[i+2]
				if lo.kind != tStr || hi.kind != tStr {
					continue
				}
				r := cmapRange{lo: key(bytesToCode(lo.s), len(lo.s)), hi: key(bytesToCode(hi.s), len(lo.s)), n: len(lo.s)}
				if r.hi < r.lo || r.hi-r.lo > 1<<16 {
					continue
				}
				switch d.kind {
				case tStr:
					r.dst = utf16BE(d.s)
				case tArr:
					for _, e := range d.arr {
						r.arr = append(r.arr, dstText(e))
					}
				default:
					continue
				}
				m.ranges = append(m.ranges, r)
			}
		}
		ops = ops[:0]
	}
	sort.Slice(m.ranges, func(i, j int) bool { return m.ranges[i].lo < m.ranges[j].lo })
	return m
}
