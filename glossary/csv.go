package glossary

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/kbops/kbops/glossary/internal/textenc"
)

// column is what one CSV column holds.
type column struct {
	kind string // "lang", "pos", "description", "note", "subject", or "" (ignored)
	loc  string
}

type record struct {
	line   int
	fields []string
}

func readDelimited(ctx context.Context, im *Import, data []byte, opts ImportOptions) error {
	det, err := textenc.DetectText(data, opts.Encoding)
	if err != nil {
		return &InputError{File: im.File, Msg: "cannot tell the character encoding", Err: err}
	}
	text, err := textenc.Decode(data, det)
	if err != nil {
		return &InputError{File: im.File, Msg: "cannot decode", Err: err}
	}
	im.Encoding, im.How = det.Name, string(det.How)
	if i := bytes.IndexByte(text, 0); i >= 0 {
		return &InputError{File: im.File, Line: 1 + bytes.Count(text[:i], []byte("\n")), Msg: "contains NUL bytes: a binary file, not a CSV/TSV glossary (or a UTF-16 file without BOM: give --encoding utf-16le)"}
	}
	text = bytes.TrimPrefix(text, []byte("\uFEFF"))
	delim := opts.Delimiter
	if delim == 0 {
		delim = sniffDelimiter(text, im.Format)
	}
	if delim == '\t' {
		im.Format = FormatTSV
	}
	recs := splitRecords(ctx, im, text, delim)
	if err := ctx.Err(); err != nil {
		return err
	}
	if len(recs) == 0 {
		return &InputError{File: im.File, Msg: "no rows: the file is empty"}
	}

	cols, header := headerColumns(recs[0].fields)
	if header {
		recs = recs[1:]
	} else if isPairHeader(recs[0].fields) {
		recs = recs[1:]
		header = false
	}
	if !header {
		src, tgt := opts.SourceLang, opts.TargetLang
		if src == "" || tgt == "" {
			if s, t, ok := pairFromName(im.File); ok {
				src, tgt = s, t
			}
		}
		deepl := len(recs) > 0 && len(recs[0].fields) == 4 && ValidLocale(recs[0].fields[2]) && ValidLocale(recs[0].fields[3])
		if (src == "" || tgt == "") && !deepl {
			return &InputError{File: im.File, Line: 1, Msg: "a two-column glossary without a header row: say which languages the columns hold with --source-lang and --target-lang (or add a header row of language codes such as \"en,de\")"}
		}
		for _, l := range []string{src, tgt} {
			if l != "" && !ValidLocale(l) {
				return &InputError{File: im.File, Msg: fmt.Sprintf("%q is not a BCP 47 language tag (try en, de, zh-CN, es-MX)", l)}
			}
		}
		cols = []column{{kind: "lang", loc: CanonicalLocale(src)}, {kind: "lang", loc: CanonicalLocale(tgt)}}
		if deepl {
			cols = append(cols, column{kind: "srclang"}, column{kind: "tgtlang"})
		}
	}

	for _, r := range recs {
		if len(r.fields) > len(cols) {
			im.problem(r.line, "%d columns where the header has %d; row skipped", len(r.fields), len(cols))
			continue
		}
		if !header && len(r.fields) < 2 {
			im.problem(r.line, "one column only, expected a source and a target term; row skipped")
			continue
		}
		c := &Concept{}
		var pos string
		rowLoc := [2]string{} // DeepL rows name their languages in columns 3 and 4
		type cell struct {
			col  int
			text string
		}
		var cells []cell
		for i, f := range r.fields {
			f = CleanText(f)
			switch cols[i].kind {
			case "lang":
				if f != "" {
					cells = append(cells, cell{i, f})
				}
			case "srclang":
				rowLoc[0] = f
			case "tgtlang":
				rowLoc[1] = f
			case "pos":
				pos = f
			case "description":
				c.Definition = f
			case "note":
				if f != "" {
					c.Notes = append(c.Notes, f)
				}
			case "subject":
				c.SubjectField = f
			}
		}
		bad := false
		for _, cl := range cells {
			loc := cols[cl.col].loc
			if cl.col < 2 && rowLoc[cl.col] != "" {
				loc = rowLoc[cl.col]
			}
			if loc == "" || !ValidLocale(loc) {
				im.problem(r.line, "no valid language for column %d (%q); row skipped", cl.col+1, loc)
				bad = true
				break
			}
			c.Langs = append(c.Langs, LangSec{Locale: CanonicalLocale(loc), Terms: []Term{{Text: cl.text}}})
		}
		if bad {
			continue
		}
		if len(c.Langs) == 0 {
			if strings.Join(r.fields, "") != "" {
				im.problem(r.line, "no term in this row; skipped")
			}
			continue
		}
		for i := range c.Langs {
			for j := range c.Langs[i].Terms {
				c.Langs[i].Terms[j].PartOfSpeech = pos
			}
		}
		c.ID = im.newID(opts.IDPrefix, c.Langs[0].Terms[0].Text)
		if err := im.Termbase.Put(c); err != nil {
			im.problem(r.line, "%v; row skipped", err)
			continue
		}
		if im.Lines == nil {
			im.Lines = map[string]int{}
		}
		im.Lines[c.ID] = r.line
	}
	return nil
}

// splitRecords parses CSV records. A malformed record is reported and
// parsing starts again on the line after the one where it began, so that an
// unbalanced quote costs one row, not the rest of the file.
func splitRecords(ctx context.Context, im *Import, text []byte, delim rune) []record {
	var lineStart []int // byte offset of each line, 0-based line index
	lineStart = append(lineStart, 0)
	for i, b := range text {
		if b == '\n' {
			lineStart = append(lineStart, i+1)
		}
	}
	var out []record
	base := 1 // file line of the first line the current reader sees
	for base <= len(lineStart) {
		r := csv.NewReader(bytes.NewReader(text[lineStart[base-1]:]))
		r.Comma = delim
		r.FieldsPerRecord = -1
		r.LazyQuotes = delim == '\t'
		restart := 0
		for n := 0; ; n++ {
			if n%1024 == 0 && ctx.Err() != nil {
				return out
			}
			fields, err := r.Read()
			if errors.Is(err, io.EOF) {
				return out
			}
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				start := base + pe.StartLine - 1
				im.problem(start, "malformed row (%v); row skipped", pe.Err)
				restart = start + 1
				break
			}
			if err != nil {
				im.problem(base, "%v", err)
				return out
			}
			line, _ := r.FieldPos(0)
			empty := true
			for i := range fields {
				fields[i] = strings.TrimSpace(fields[i])
				if fields[i] != "" {
					empty = false
				}
			}
			if !empty {
				out = append(out, record{line: base + line - 1, fields: fields})
			}
		}
		base = restart
	}
	return out
}

// sniffDelimiter picks ',', ';' or tab by counting them, outside quotes,
// in the first non-empty line.
func sniffDelimiter(text []byte, f Format) rune {
	if f == FormatTSV {
		return '\t'
	}
	for _, line := range bytes.Split(text, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		counts := map[byte]int{}
		quoted := false
		for _, b := range line {
			switch {
			case b == '"':
				quoted = !quoted
			case !quoted && (b == ',' || b == ';' || b == '\t'):
				counts[b]++
			}
		}
		best, n := byte(','), counts[',']
		for _, d := range []byte{'\t', ';'} {
			if counts[d] > n {
				best, n = d, counts[d]
			}
		}
		return rune(best)
	}
	return ','
}

var langCode = regexp.MustCompile(`^[A-Za-z]{2,3}([-_][A-Za-z0-9]{1,8})*$`)

// headerColumns reads a header row: language codes, plus the optional
// columns of Google's glossary format (pos, description) and a few common
// extras. ok is false when the row does not look like a header.
func headerColumns(fields []string) (cols []column, ok bool) {
	langs := 0
	for _, f := range fields {
		name := strings.ToLower(strings.TrimSpace(f))
		var c column
		switch name {
		case "pos", "part of speech", "partofspeech", "part_of_speech":
			c.kind = "pos"
		case "description", "definition":
			c.kind = "description"
		case "note", "notes", "comment", "comments":
			c.kind = "note"
		case "subject", "subjectfield", "subject field", "domain":
			c.kind = "subject"
		case "":
		default:
			if !langCode.MatchString(name) || !ValidLocale(name) || name == "und" {
				return nil, false
			}
			c = column{kind: "lang", loc: CanonicalLocale(name)}
			langs++
		}
		cols = append(cols, c)
	}
	return cols, langs > 0
}

func isPairHeader(fields []string) bool {
	if len(fields) < 2 {
		return false
	}
	a, b := strings.ToLower(fields[0]), strings.ToLower(fields[1])
	return (a == "source" || a == "source term") && (b == "target" || b == "target term")
}

var pairName = regexp.MustCompile(`(?:^|[_.])([a-z]{2}(?:-[A-Za-z0-9]{2,8})*)_([a-z]{2}(?:-[A-Za-z0-9]{2,8})*)\.(?:csv|tsv|tab|txt)$`)

// pairFromName reads the languages of a pair glossary from a file name
// like "en_de.csv" or "glossary.en_zh-CN.tsv", the names WritePairFiles
// gives.
func pairFromName(path string) (src, tgt string, ok bool) {
	m := pairName.FindStringSubmatch(filepath.Base(path))
	if m == nil || !ValidLocale(m[1]) || !ValidLocale(m[2]) {
		return "", "", false
	}
	return m[1], m[2], true
}

// WriteTermSets writes an equivalent-term-set glossary as Google Cloud
// Translation takes it: a header row of locales, then one row per concept
// with its preferred term for each locale (see Concept.PreferredTerm).
// Columns "pos" and "description" follow when any concept has them.
// Concepts without a term in any of the locales are left out. delim is ','
// or '\t'. It returns the number of rows written.
func WriteTermSets(w io.Writer, tb *Termbase, locales []string, delim rune) (int, error) {
	if len(locales) == 0 {
		locales = tb.Locales()
	}
	lc := locCacheOf(tb)
	want := make([]locale, len(locales))
	for i, l := range locales {
		want[i] = parseLocale(l)
	}
	type row struct {
		terms     []string
		pos, desc string
	}
	var rows []row
	hasPOS, hasDesc := false, false
	for _, c := range tb.Concepts() {
		r := row{terms: make([]string, len(locales))}
		n := 0
		for i := range locales {
			if t, _, ok := c.preferredTerm(want[i], lc); ok {
				r.terms[i] = t.Text
				if r.pos == "" {
					r.pos = t.PartOfSpeech
				}
				n++
			}
		}
		if n == 0 {
			continue
		}
		r.desc = c.Definition
		for _, w := range want {
			if r.desc != "" {
				break
			}
			if ls := c.fitting(w, lc); len(ls) > 0 {
				r.desc = ls[0].Definition
			}
		}
		hasPOS = hasPOS || r.pos != ""
		hasDesc = hasDesc || r.desc != ""
		rows = append(rows, r)
	}
	cw := csv.NewWriter(w)
	cw.Comma = delim
	header := append([]string(nil), locales...)
	if hasPOS {
		header = append(header, "pos")
	}
	if hasDesc {
		header = append(header, "description")
	}
	if err := cw.Write(header); err != nil {
		return 0, err
	}
	for _, r := range rows {
		rec := r.terms
		if hasPOS {
			rec = append(rec, r.pos)
		}
		if hasDesc {
			rec = append(rec, r.desc)
		}
		if err := cw.Write(rec); err != nil {
			return 0, err
		}
	}
	cw.Flush()
	return len(rows), cw.Error()
}

// maxPairEntry is DeepL's limit on one source or target entry, in bytes.
const maxPairEntry = 1024

// PairReport describes one pair glossary written.
type PairReport struct {
	Source, Target string
	File           string // set by WritePairFiles
	Entries        int
	// Missing counts concepts with a source term but no target term.
	Missing int
	// Skipped explains entries left out: a source term that two concepts
	// translate differently, or an entry over DeepL's 1024-byte limit.
	Skipped []string
}

// WritePairs writes a one-direction glossary from source to target in the
// form DeepL's glossary API takes: one "source,target" row per entry, no
// header. Every preferred, admitted or unspecified source term becomes an
// entry whose target is the concept's preferred term for target. A source
// term may appear once only; when two concepts translate it differently the
// first (by concept id) is kept and the other reported in Skipped.
func WritePairs(w io.Writer, tb *Termbase, source, target string, delim rune) (PairReport, error) {
	rep := PairReport{Source: source, Target: target}
	cw := csv.NewWriter(w)
	cw.Comma = delim
	seen := map[string]string{} // source term → concept id
	lc := locCacheOf(tb)
	src, dst := parseLocale(source), parseLocale(target)
	for _, c := range tb.Concepts() {
		srcTerms := c.usableTerms(src, lc)
		if len(srcTerms) == 0 {
			continue
		}
		tgt, _, ok := c.preferredTerm(dst, lc)
		if !ok {
			rep.Missing++
			continue
		}
		if len(tgt.Text) > maxPairEntry {
			rep.Skipped = append(rep.Skipped, fmt.Sprintf("concept %s: target term longer than %d bytes", c.ID, maxPairEntry))
			continue
		}
		for _, s := range srcTerms {
			if len(s.Text) > maxPairEntry {
				rep.Skipped = append(rep.Skipped, fmt.Sprintf("concept %s: source term longer than %d bytes", c.ID, maxPairEntry))
				continue
			}
			if other, dup := seen[s.Text]; dup {
				if other != c.ID {
					rep.Skipped = append(rep.Skipped, fmt.Sprintf("%q is a term of concepts %s and %s; kept the entry of %s", s.Text, other, c.ID, other))
				}
				continue
			}
			seen[s.Text] = c.ID
			if err := cw.Write([]string{s.Text, tgt.Text}); err != nil {
				return rep, err
			}
			rep.Entries++
		}
	}
	cw.Flush()
	return rep, cw.Error()
}

// WritePairFiles writes one pair glossary per ordered pair of locales into
// dir, named "<source>_<target>.csv" (or .tsv when delim is a tab), e.g.
// en_de.csv and de_en.csv. It needs at least two locales.
func WritePairFiles(dir string, tb *Termbase, locales []string, delim rune) ([]PairReport, error) {
	if len(locales) < 2 {
		return nil, fmt.Errorf("pair glossaries need at least two languages, got %d", len(locales))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	ext := ".csv"
	if delim == '\t' {
		ext = ".tsv"
	}
	var reps []PairReport
	for _, s := range locales {
		for _, t := range locales {
			if s == t {
				continue
			}
			var buf bytes.Buffer
			rep, err := WritePairs(&buf, tb, s, t, delim)
			if err != nil {
				return reps, err
			}
			rep.File = filepath.Join(dir, s+"_"+t+ext)
			if err := writeFileAtomic(rep.File, buf.Bytes()); err != nil {
				return reps, err
			}
			reps = append(reps, rep)
		}
	}
	return reps, nil
}
