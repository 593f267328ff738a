package pdf

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"

	lpdf "github.com/ledongthuc/pdf"

	"github.com/kbops/kbops/sources"
)

// glyph is one character placed on a page, in page space (points, y up).
type glyph struct {
	x, y, w, size float64
	bold          bool
	s             string
}

type matrix [6]float64 // a b c d e f

var identity = matrix{1, 0, 0, 1, 0, 0}

func (m matrix) mul(n matrix) matrix {
	return matrix{
		m[0]*n[0] + m[1]*n[2], m[0]*n[1] + m[1]*n[3],
		m[2]*n[0] + m[3]*n[2], m[2]*n[1] + m[3]*n[3],
		m[4]*n[0] + m[5]*n[2] + n[4], m[4]*n[1] + m[5]*n[3] + n[5],
	}
}

type gstate struct {
	ctm                       matrix
	tc, tw, th, tl, tfs, rise float64
	font                      *font
	mode                      int
}

// pageReader turns the content streams of one page into glyphs.
type pageReader struct {
	// ctx is checked every ctxEvery tokens: one content stream can take
	// seconds to interpret, and a page drawing forms far longer.
	ctx     context.Context
	tokens  int
	byName  map[string]*font
	glyphs  []glyph
	maxData int64
	codes   []glyphCode
	depth   int
	forms   int // form XObjects drawn so far on the page
}

// ctxEvery is how many content-stream tokens are read between checks of
// the context (a check costs about as much as reading a few tokens).
const ctxEvery = 1024

// maxFormDepth bounds nested form XObjects (a form drawing itself would
// otherwise recurse forever).
const maxFormDepth = 8

// maxFormDraws bounds the form XObjects drawn on one page, nested ones
// included: forms that each draw the next ten times are 10^8 draws at
// maxFormDepth, which would never end. Real pages draw a few dozen.
const maxFormDraws = 10_000

// maxStream is the largest decoded content stream read (64 MiB).
const maxStream = 64 << 20

// readAllStream decodes a stream of at most limit bytes. ctx is checked
// between the reads of the decoder, so a large compressed stream stops
// soon after ctx ends.
func readAllStream(ctx context.Context, v lpdf.Value, limit int64) (data []byte, err error) {
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("stream: %v", x)
		}
	}()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rc := v.Reader()
	defer rc.Close()
	data, err = io.ReadAll(io.LimitReader(sources.ContextReader(ctx, rc), limit+1))
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("content stream larger than %d bytes", limit)
	}
	return data, err
}

// readPage extracts the glyphs of page p. A panic inside the PDF library
// (it panics on malformed objects) becomes an error. When ctx ends, the
// glyphs read so far are returned; the caller checks ctx.
func readPage(ctx context.Context, p lpdf.Page) (gs []glyph, err error) {
	defer func() {
		if x := recover(); x != nil {
			err = fmt.Errorf("malformed page: %v", x)
		}
	}()
	pr := &pageReader{ctx: ctx, byName: map[string]*font{}}
	contents := p.V.Key("Contents")
	var data []byte
	switch contents.Kind() {
	case lpdf.Stream:
		data, err = readAllStream(ctx, contents, maxStream)
	case lpdf.Array:
		// The parts of a page's content share one size limit: an array
		// naming one large stream a thousand times is not read a thousand
		// times.
		for i := 0; i < contents.Len(); i++ {
			d, e := readAllStream(ctx, contents.Index(i), maxStream)
			if e != nil {
				err = e
				break
			}
			if len(data)+len(d) > maxStream {
				err = fmt.Errorf("page content larger than %d bytes", maxStream)
				break
			}
			data = append(data, d...)
			data = append(data, '\n')
		}
	case lpdf.Null:
		return nil, nil
	default:
		return nil, errors.New("page has no content stream")
	}
	if err != nil && len(data) == 0 {
		return nil, err
	}
	// A stream that ends early (truncated file) still gives the text read so
	// far; the error is reported by the caller only when nothing came out.
	pr.run(data, resources(p.V), gstate{ctm: identity, th: 1})
	if err != nil && len(pr.glyphs) == 0 {
		return nil, err
	}
	return pr.glyphs, nil
}

// resources returns the resource dictionary of a page, inherited from
// the page tree when the page has none.
func resources(v lpdf.Value) lpdf.Value {
	for i := 0; i < 32 && v.Kind() == lpdf.Dict; i++ {
		if r := v.Key("Resources"); r.Kind() == lpdf.Dict {
			return r
		}
		v = v.Key("Parent")
	}
	return lpdf.Value{}
}

func (pr *pageReader) fontFor(res lpdf.Value, name string) *font {
	if f, ok := pr.byName[name]; ok {
		return f
	}
	fv := res.Key("Font").Key(name)
	var f *font
	if fv.Kind() == lpdf.Dict {
		f = newFont(pr.ctx, fv)
	}
	pr.byName[name] = f
	return f
}

func num(ops []token, i int) float64 {
	if i < len(ops) && ops[i].kind == tNum {
		return ops[i].num
	}
	return 0
}

// run interprets one content stream with its resources.
func (pr *pageReader) run(data []byte, res lpdf.Value, g gstate) {
	l := &lexer{b: data}
	var stack []gstate
	var ops []token
	var tm, tlm matrix
	show := func(raw string) {
		if g.font == nil {
			return
		}
		pr.codes = g.font.codes(raw, pr.codes[:0])
		for _, c := range pr.codes {
			trm := matrix{g.tfs * g.th, 0, 0, g.tfs, 0, g.rise}.mul(tm).mul(g.ctm)
			size := math.Hypot(trm[2], trm[3])
			adv := c.width / 1000 * g.tfs
			if g.font.vertical {
				adv = 0
			}
			w := adv * g.th * math.Hypot(tm.mul(g.ctm)[0], tm.mul(g.ctm)[1])
			if c.text != "" {
				pr.glyphs = append(pr.glyphs, glyph{x: trm[4], y: trm[5], w: w, size: size, bold: g.font.bold, s: c.text})
			}
			tx := adv + g.tc
			if c.space {
				tx += g.tw
			}
			if g.font.vertical {
				tm = matrix{1, 0, 0, 1, 0, -(c.width/1000*g.tfs + g.tc)}.mul(tm)
				continue
			}
			tm = matrix{1, 0, 0, 1, tx * g.th, 0}.mul(tm)
		}
	}
	for {
		if pr.tokens++; pr.tokens%ctxEvery == 0 && pr.ctx.Err() != nil {
			return
		}
		t, ok := l.next()
		if !ok {
			return
		}
		if t.kind != tOp {
			if len(ops) < 1024 {
				ops = append(ops, t)
			}
			continue
		}
		switch t.s {
		case "q":
			if len(stack) < 256 {
				stack = append(stack, g)
			}
		case "Q":
			if n := len(stack); n > 0 {
				g = stack[n-1]
				stack = stack[:n-1]
			}
		case "cm":
			if len(ops) >= 6 {
				m := matrix{num(ops, 0), num(ops, 1), num(ops, 2), num(ops, 3), num(ops, 4), num(ops, 5)}
				g.ctm = m.mul(g.ctm)
			}
		case "BT":
			tm, tlm = identity, identity
		case "Tc":
			g.tc = num(ops, 0)
		case "Tw":
			g.tw = num(ops, 0)
		case "Tz":
			g.th = num(ops, 0) / 100
		case "TL":
			g.tl = num(ops, 0)
		case "Ts":
			g.rise = num(ops, 0)
		case "Tr":
			g.mode = int(num(ops, 0))
		case "Tf":
			if len(ops) >= 2 && ops[0].kind == tName {
				g.font = pr.fontFor(res, ops[0].s)
				g.tfs = num(ops, 1)
			}
		case "Td", "TD":
			if t.s == "TD" {
				g.tl = -num(ops, 1)
			}
			tlm = matrix{1, 0, 0, 1, num(ops, 0), num(ops, 1)}.mul(tlm)
			tm = tlm
		case "Tm":
			if len(ops) >= 6 {
				tlm = matrix{num(ops, 0), num(ops, 1), num(ops, 2), num(ops, 3), num(ops, 4), num(ops, 5)}
				tm = tlm
			}
		case "T*":
			tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
			tm = tlm
		case "Tj":
			if len(ops) > 0 && ops[len(ops)-1].kind == tStr {
				show(ops[len(ops)-1].s)
			}
		case "'", "\"":
			if t.s == "\"" && len(ops) >= 3 {
				g.tw, g.tc = num(ops, 0), num(ops, 1)
			}
			tlm = matrix{1, 0, 0, 1, 0, -g.tl}.mul(tlm)
			tm = tlm
			if len(ops) > 0 && ops[len(ops)-1].kind == tStr {
				show(ops[len(ops)-1].s)
			}
		case "TJ":
			if len(ops) > 0 && ops[len(ops)-1].kind == tArr {
				for _, e := range ops[len(ops)-1].arr {
					switch e.kind {
					case tStr:
						show(e.s)
					case tNum:
						if g.font != nil && g.font.vertical {
							tm = matrix{1, 0, 0, 1, 0, e.num / 1000 * g.tfs}.mul(tm)
						} else {
							tm = matrix{1, 0, 0, 1, -e.num / 1000 * g.tfs * g.th, 0}.mul(tm)
						}
					}
				}
			}
		case "ID":
			l.skipInlineImage()
		case "Do":
			if len(ops) > 0 && ops[0].kind == tName && pr.depth < maxFormDepth && pr.forms < maxFormDraws {
				pr.forms++
				pr.form(res.Key("XObject").Key(ops[0].s), res, g)
			}
		}
		ops = ops[:0]
	}
}

// form draws a form XObject: its own content stream with its resources.
func (pr *pageReader) form(x, res lpdf.Value, g gstate) {
	if x.Kind() != lpdf.Stream || x.Key("Subtype").Name() != "Form" {
		return
	}
	data, err := readAllStream(pr.ctx, x, maxStream)
	if err != nil {
		return
	}
	if m := x.Key("Matrix"); m.Len() == 6 {
		fm := matrix{}
		for i := range fm {
			fm[i] = m.Index(i).Float64()
		}
		g.ctm = fm.mul(g.ctm)
	}
	if r := x.Key("Resources"); r.Kind() == lpdf.Dict {
		res = r // a form without resources uses its page's (PDF 1.1 and earlier)
	}
	pr.depth++
	saved := pr.byName
	pr.byName = map[string]*font{}
	pr.run(data, res, g)
	pr.byName = saved
	pr.depth--
}
