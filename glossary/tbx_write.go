package glossary

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// MarshalTBX returns tb as a TBX-Basic v3 file in DCA style, in canonical
// form: concepts in id order, language sections in locale order, fixed
// element order and indentation, LF line ends. An unchanged termbase gives
// identical bytes, and a change to one term changes a few lines only.
//
// Fields TBX-Basic has no data category for travel as notes that other
// tools show as plain notes: "kbops:owner=…" on a concept, and on a term
// "kbops:status=forbidden" (next to the standard deprecatedTerm-admn-sts,
// so tools that do not know it still treat the term as deprecated),
// "kbops:case-sensitive" and one "kbops:match-form=…" per match form.
func MarshalTBX(tb *Termbase) []byte {
	var b bytes.Buffer
	w := tbxWriter{b: &b}
	w.raw(`<?xml version="1.0" encoding="UTF-8"?>`)
	w.raw(`<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX_Core_RNG/master/TBXcoreStructV03.rng" type="application/xml" schematypens="http://relaxng.org/ns/structure/1.0"?>`)
	w.raw(`<?xml-model href="https://raw.githubusercontent.com/LTAC-Global/TBX-Basic_dialect/master/DCA/TBX-Basic_DCA.sch" type="application/xml" schematypens="http://purl.oclc.org/dsdl/schematron"?>`)
	w.raw(`<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2">`)
	w.open(1, "tbxHeader")
	w.open(2, "fileDesc")
	w.open(3, "sourceDesc")
	w.elem(4, "p", "", "kbops termbase")
	w.close(3, "sourceDesc")
	w.close(2, "fileDesc")
	w.close(1, "tbxHeader")
	w.open(1, "text")
	w.open(2, "body")
	for _, c := range tb.Concepts() {
		w.concept(c)
	}
	w.close(2, "body")
	w.close(1, "text")
	w.raw(`</tbx>`)
	return b.Bytes()
}

// WriteTBX writes MarshalTBX(tb) to w.
func WriteTBX(w io.Writer, tb *Termbase) error {
	_, err := w.Write(MarshalTBX(tb))
	return err
}

type tbxWriter struct{ b *bytes.Buffer }

func (w tbxWriter) indent(n int) { w.b.WriteString(strings.Repeat("  ", n)) }

func (w tbxWriter) raw(s string) {
	w.b.WriteString(s)
	w.b.WriteByte('\n')
}

func (w tbxWriter) open(n int, name string, attrs ...string) {
	w.indent(n)
	w.b.WriteByte('<')
	w.b.WriteString(name)
	for i := 0; i+1 < len(attrs); i += 2 {
		w.b.WriteByte(' ')
		w.b.WriteString(attrs[i])
		w.b.WriteString(`="`)
		escape(w.b, attrs[i+1])
		w.b.WriteByte('"')
	}
	w.b.WriteString(">\n")
}

func (w tbxWriter) close(n int, name string) {
	w.indent(n)
	w.b.WriteString("</" + name + ">\n")
}

// elem writes <name type="typ">text</name>, or nothing for empty text.
func (w tbxWriter) elem(n int, name, typ, text string) {
	if text == "" {
		return
	}
	w.indent(n)
	w.b.WriteString("<" + name)
	if typ != "" {
		w.b.WriteString(` type="` + typ + `"`)
	}
	w.b.WriteByte('>')
	escape(w.b, text)
	w.b.WriteString("</" + name + ">\n")
}

// escape writes s as XML text or attribute value. Unlike xml.EscapeText it
// leaves apostrophes alone, so that diffs of the termbase stay readable;
// characters XML 1.0 cannot carry become U+FFFD.
func escape(b *bytes.Buffer, s string) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\t' || r == '\n' || r == '\r':
			fmt.Fprintf(b, "&#x%X;", r)
		case !xmlChar(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
}

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		(r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) ||
		(r >= 0x10000 && r <= 0x10FFFF)
}

func (w tbxWriter) concept(c *Concept) {
	w.open(3, "conceptEntry", "id", c.ID)
	w.elem(4, "descrip", "subjectField", c.SubjectField)
	w.elem(4, "descrip", "definition", c.Definition)
	if c.Owner != "" {
		w.elem(4, "note", "", "kbops:owner="+c.Owner)
	}
	for _, n := range c.Notes {
		w.elem(4, "note", "", n)
	}
	for _, l := range c.Langs {
		w.open(4, "langSec", "xml:lang", l.Locale)
		w.elem(5, "descrip", "definition", l.Definition)
		for _, n := range l.Notes {
			w.elem(5, "note", "", n)
		}
		for _, t := range l.Terms {
			w.term(t)
		}
		w.close(4, "langSec")
	}
	w.close(3, "conceptEntry")
}

func (w tbxWriter) term(t Term) {
	w.open(5, "termSec")
	w.elem(6, "term", "", t.Text)
	switch t.Status {
	case StatusPreferred:
		w.elem(6, "termNote", "administrativeStatus", "preferredTerm-admn-sts")
	case StatusAdmitted:
		w.elem(6, "termNote", "administrativeStatus", "admittedTerm-admn-sts")
	case StatusDeprecated, StatusForbidden:
		w.elem(6, "termNote", "administrativeStatus", "deprecatedTerm-admn-sts")
	}
	w.elem(6, "termNote", "termType", t.Type)
	w.elem(6, "termNote", "partOfSpeech", t.PartOfSpeech)
	w.elem(6, "descrip", "context", t.Context)
	if t.Status == StatusForbidden {
		w.elem(6, "note", "", "kbops:status=forbidden")
	}
	if t.CaseSensitive {
		w.elem(6, "note", "", "kbops:case-sensitive")
	}
	for _, f := range t.MatchForms {
		w.elem(6, "note", "", "kbops:match-form="+f)
	}
	for _, n := range t.Notes {
		w.elem(6, "note", "", n)
	}
	w.close(5, "termSec")
}
