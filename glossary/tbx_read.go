package glossary

import (
	"bufio"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/kbops/kbops/glossary/internal/textenc"
)

// tbxReader walks the token stream of a TBX file. It never builds a DOM:
// memory grows with the concepts kept, not with the file.
type tbxReader struct {
	ctx      context.Context
	im       *Import
	dec      *xml.Decoder
	prefix   string
	max      int64
	rootLang string
	depth    int
	tokens   int
	ids      map[string]int // concept id → line of its entry, to find duplicates
}

func readTBX(ctx context.Context, im *Import, br *bufio.Reader, opts ImportOptions) error {
	head, _ := br.Peek(1024)
	det, err := textenc.DetectXML(head, opts.Encoding)
	if err != nil {
		return &InputError{File: im.File, Line: 1, Msg: "cannot tell the character encoding", Err: err}
	}
	im.Encoding, im.How = det.Name, string(det.How)
	utf8 := textenc.MarkupGuard(textenc.NewReader(br, det), maxMarkupRun)
	dec := xml.NewDecoder(utf8)
	dec.Strict = true
	// The input is already UTF-8 whatever its declaration says.
	dec.CharsetReader = func(_ string, in io.Reader) (io.Reader, error) { return in, nil }
	p := &tbxReader{ctx: ctx, im: im, dec: dec, prefix: opts.IDPrefix, max: opts.maxBytes(), ids: map[string]int{}}
	return p.document()
}

func (p *tbxReader) line() int {
	l, _ := p.dec.InputPos()
	return l
}

// next returns the next token; element nesting is tracked in p.depth.
func (p *tbxReader) next() (xml.Token, error) {
	tok, err := p.dec.Token()
	if err != nil {
		return nil, p.fail(err)
	}
	p.tokens++
	if p.tokens%4096 == 0 {
		if err := p.ctx.Err(); err != nil {
			return nil, err
		}
	}
	switch tok.(type) {
	case xml.StartElement:
		p.depth++
		if p.depth > maxDepth {
			return nil, &InputError{File: p.im.File, Line: p.line(), Msg: fmt.Sprintf("elements nested more than %d deep; not a termbase, or a hostile file", maxDepth)}
		}
	case xml.EndElement:
		p.depth--
	}
	return tok, nil
}

func (p *tbxReader) fail(err error) error {
	var syn *xml.SyntaxError
	var mark *textenc.MarkupError
	switch {
	case errors.As(err, &syn):
		msg := "malformed XML: " + syn.Msg
		if strings.Contains(syn.Msg, "entity") {
			msg += " (only the five predefined XML entities and character references are read; entity declarations are refused)"
		}
		return &InputError{File: p.im.File, Line: syn.Line, Msg: msg}
	case errors.As(err, &mark):
		return &InputError{File: p.im.File, Line: mark.Line, Msg: mark.Error()}
	case errors.Is(err, io.EOF):
		return &InputError{File: p.im.File, Line: p.line(), Msg: "the file ends before the TBX document does"}
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return err
	}
	return readError(p.im.File, p.line(), p.max, err)
}

func (p *tbxReader) document() error {
	// Find the root element.
	var root xml.StartElement
	for {
		tok, err := p.next()
		if err != nil {
			var ie *InputError
			if errors.As(err, &ie) && strings.Contains(ie.Msg, "ends before") {
				ie.Msg = "no XML element found: empty file, or not XML"
			}
			return err
		}
		if se, ok := tok.(xml.StartElement); ok {
			root = se
			break
		}
	}
	switch root.Name.Local {
	case "tbx", "martif":
	default:
		return &InputError{File: p.im.File, Line: p.line(), Msg: fmt.Sprintf("root element is <%s>, not <tbx> (TBX v3) or <martif> (TBX v2): not a TBX file", root.Name.Local)}
	}
	p.rootLang = lang(root)
	for p.depth > 0 {
		tok, err := p.next()
		if err != nil {
			return err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "conceptEntry", "termEntry":
			if err := p.entry(se); err != nil {
				return err
			}
		case "tbxHeader", "martifHeader", "back":
			if err := p.skip(); err != nil {
				return err
			}
		}
	}
	// Anything after the root must be comments or white space; let the
	// decoder check that.
	for {
		if _, err := p.dec.Token(); err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return p.fail(err)
		}
	}
}

// skip consumes the rest of the element whose start was just read.
func (p *tbxReader) skip() error {
	d := p.depth
	for p.depth >= d {
		if _, err := p.next(); err != nil {
			return err
		}
	}
	return nil
}

// elements calls f for each element inside the one whose start was just
// read, up to its end: group wrappers (descripGrp, termGrp, …) are walked
// into rather than passed to f, and transaction groups are dropped.
func (p *tbxReader) elements(f func(t xml.StartElement) error) error {
	d := p.depth
	for p.depth >= d {
		tok, err := p.next()
		if err != nil {
			return err
		}
		t, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch local := t.Name.Local; {
		case isGroup(local):
		case local == "transacGrp":
			p.im.drop("transaction")
			if err := p.skip(); err != nil {
				return err
			}
		default:
			if err := f(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// field reads a data category element whose start t was just read: its
// category and its text.
func (p *tbxReader) field(t xml.StartElement) (cat, v string, err error) {
	cat = category(t)
	v, err = p.text()
	return cat, v, err
}

// text reads the character content of the element whose start was just
// read, inline markup (<hi>, <ph>...) included, up to its end.
func (p *tbxReader) text() (string, error) {
	var b strings.Builder
	d := p.depth
	for p.depth >= d {
		tok, err := p.next()
		if err != nil {
			return "", err
		}
		if cd, ok := tok.(xml.CharData); ok {
			if b.Len()+len(cd) > maxMarkupRun {
				return "", &InputError{File: p.im.File, Line: p.line(), Msg: fmt.Sprintf("a text field longer than %d bytes: not a termbase, or a hostile file", maxMarkupRun)}
			}
			b.Write(cd)
		}
	}
	return b.String(), nil
}

func lang(se xml.StartElement) string {
	for _, a := range se.Attr {
		if a.Name.Local == "lang" && (a.Name.Space == "" || a.Name.Space == "xml" || a.Name.Space == "http://www.w3.org/XML/1998/namespace") {
			return strings.TrimSpace(a.Value)
		}
	}
	return ""
}

func attr(se xml.StartElement, name string) string {
	for _, a := range se.Attr {
		if a.Name.Local == name && a.Name.Space == "" {
			return a.Value
		}
	}
	return ""
}

// category is the TBX data category of an element: the type attribute of
// the DCA-style generic elements (<descrip type="definition">), the element
// name itself in DCT style (<basic:definition>) and for <note>, <term>.
func category(se xml.StartElement) string {
	switch se.Name.Local {
	case "descrip", "admin", "termNote", "transac", "transacNote", "xref", "ref":
		if t := strings.TrimSpace(attr(se, "type")); t != "" {
			return t
		}
	}
	return se.Name.Local
}

// isGroup reports elements that only group others of the same level; their
// children are read as if they stood in the group's place.
func isGroup(local string) bool {
	switch local {
	case "descripGrp", "adminGrp", "termGrp", "termNoteGrp":
		return true
	}
	return false
}

// kbopsNote reads a note written by the exporter for a field TBX-Basic has
// no data category for: "kbops:owner=alice@example.com".
func kbopsNote(s string) (key, value string, ok bool) {
	rest, ok := strings.CutPrefix(CleanText(s), "kbops:")
	if !ok {
		return "", "", false
	}
	key, value, _ = strings.Cut(rest, "=")
	return strings.TrimSpace(key), strings.TrimSpace(value), true
}

func appendText(dst *string, s, sep string) {
	s = CleanText(s)
	switch {
	case s == "":
	case *dst == "":
		*dst = s
	case !strings.Contains(*dst, s):
		*dst += sep + s
	}
}

func (p *tbxReader) entry(se xml.StartElement) error {
	line := p.line()
	c := &Concept{ID: strings.TrimSpace(attr(se, "id"))}
	err := p.elements(func(t xml.StartElement) error {
		if local := t.Name.Local; local == "langSec" || local == "langSet" {
			return p.langSec(c, t)
		}
		cat, v, err := p.field(t)
		if err != nil {
			return err
		}
		switch cat {
		case "subjectField":
			appendText(&c.SubjectField, v, "; ")
		case "definition":
			appendText(&c.Definition, v, " ")
		case "note":
			if k, val, ok := kbopsNote(v); ok && k == "owner" {
				c.Owner = val
			} else {
				c.Notes = append(c.Notes, v)
			}
		default:
			p.im.drop(cat)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return p.add(c, line)
}

func (p *tbxReader) add(c *Concept, line int) error {
	if c.ID == "" && firstTerm(c) == "" {
		p.im.problem(line, "entry without id and without any term; skipped")
		return nil
	}
	switch {
	case c.ID == "":
		c.ID = p.im.newID(p.prefix, firstTerm(c))
	case validID(p.prefix+c.ID) != nil:
		p.im.problem(line, "%v; an id was made from its first term", validID(p.prefix+c.ID))
		c.ID = p.im.newID(p.prefix, firstTerm(c))
	default:
		c.ID = p.prefix + c.ID
		if first, dup := p.ids[c.ID]; dup {
			id := c.ID
			for n := 2; p.im.Termbase.Concept(id) != nil; n++ {
				id = fmt.Sprintf("%s-%d", c.ID, n)
			}
			p.im.problem(line, "concept id %q is used again (first at line %d); this one is kept as %q", c.ID, first, id)
			c.ID = id
		}
	}
	p.ids[c.ID] = line
	if err := p.im.Termbase.Put(c); err != nil {
		p.im.problem(line, "%v; skipped", err)
		return nil
	}
	if p.im.Lines == nil {
		p.im.Lines = map[string]int{}
	}
	p.im.Lines[c.ID] = line
	return nil
}

func firstTerm(c *Concept) string {
	for _, l := range c.Langs {
		for _, t := range l.Terms {
			if s := CleanText(t.Text); s != "" {
				return s
			}
		}
	}
	return ""
}

func (p *tbxReader) langSec(c *Concept, se xml.StartElement) error {
	line := p.line()
	ls := LangSec{Locale: lang(se)}
	switch {
	case ls.Locale == "" && p.rootLang != "":
		p.im.problem(line, "language section without xml:lang; taken as %q, the language of the file", p.rootLang)
		ls.Locale = p.rootLang
	case ls.Locale == "":
		p.im.problem(line, "language section without xml:lang, in a file without a default language; skipped")
		return p.skip()
	case !ValidLocale(ls.Locale):
		p.im.problem(line, "xml:lang %q is not a known BCP 47 language tag; kept as written", ls.Locale)
	}
	err := p.elements(func(t xml.StartElement) error {
		if local := t.Name.Local; local == "termSec" || local == "tig" || local == "ntig" {
			return p.termSec(&ls, t)
		}
		cat, v, err := p.field(t)
		if err != nil {
			return err
		}
		switch cat {
		case "definition":
			appendText(&ls.Definition, v, " ")
		case "note":
			ls.Notes = append(ls.Notes, v)
		default:
			p.im.drop(cat)
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.Langs = append(c.Langs, ls)
	return nil
}

func (p *tbxReader) termSec(ls *LangSec, se xml.StartElement) error {
	line := p.line()
	var t Term
	forbidden, seenTerm := false, false
	err := p.elements(func(st xml.StartElement) error {
		if st.Name.Local == "termCompList" {
			p.im.drop("termCompList")
			return p.skip()
		}
		cat, v, err := p.field(st)
		if err != nil {
			return err
		}
		switch cat {
		case "term":
			if seenTerm {
				p.im.problem(line, "a term section with more than one <term>; only the first is kept")
				return nil
			}
			seenTerm = true
			t.Text = v
		case "administrativeStatus", "normativeAuthorization", "usageStatus":
			s, ok := statusFromTBX(v)
			switch {
			case !ok:
				p.im.problem(p.line(), "unknown %s %q; the term is kept without this status", cat, CleanText(v))
			case t.Status == StatusUnspecified || s.rank() > t.Status.rank():
				// Of two statuses, the stricter one holds.
				t.Status = s
			}
		case "termType":
			t.Type = CleanText(v)
		case "partOfSpeech":
			t.PartOfSpeech = CleanText(v)
		case "context":
			appendText(&t.Context, v, " ")
		case "note":
			k, val, ok := kbopsNote(v)
			switch {
			case ok && k == "status" && val == "forbidden":
				forbidden = true
			case ok && k == "case-sensitive":
				t.CaseSensitive = val == "" || val == "true" || val == "yes"
			case ok && k == "match-form":
				t.MatchForms = append(t.MatchForms, val)
			default:
				t.Notes = append(t.Notes, v)
			}
		default:
			p.im.drop(cat)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if forbidden {
		t.Status = StatusForbidden
	}
	if CleanText(t.Text) == "" {
		p.im.problem(line, "empty term in %s; skipped", ls.Locale)
		return nil
	}
	ls.Terms = append(ls.Terms, t)
	return nil
}

// statusFromTBX maps TBX administrative status values (and the v2
// normativeAuthorization ones) to a Status. Superseded and obsolete terms
// count as deprecated; legal and regulated ones as admitted.
func statusFromTBX(v string) (Status, bool) {
	s := strings.ToLower(CleanText(v))
	s = strings.TrimSuffix(s, "-admn-sts")
	s = strings.TrimSuffix(s, "term")
	switch s {
	case "preferred", "standardized":
		return StatusPreferred, true
	case "admitted", "legal", "regulated":
		return StatusAdmitted, true
	case "deprecated", "superseded", "obsolete":
		return StatusDeprecated, true
	case "forbidden", "prohibited", "notrecommended", "not recommended":
		return StatusForbidden, true
	}
	return StatusUnspecified, false
}
