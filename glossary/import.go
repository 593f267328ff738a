package glossary

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/kbops/kbops/glossary/internal/textenc"
	"github.com/kbops/kbops/knowledge"
)

// Format is a glossary file format.
type Format string

// Formats the importer reads.
const (
	FormatAuto Format = ""    // from the file name, then the content
	FormatTBX  Format = "tbx" // TBX-Basic v3 (DCA or DCT) or TBX v2 martif
	FormatCSV  Format = "csv"
	FormatTSV  Format = "tsv"
)

// DefaultMaxBytes is the largest file the importer reads unless
// ImportOptions.MaxBytes says otherwise.
const DefaultMaxBytes = 64 << 20

// maxMarkupRun is the longest run of XML without a '<' the TBX reader
// accepts: far above any real definition, far below what hurts.
const maxMarkupRun = 1 << 20

// maxDepth bounds element nesting; real TBX files nest about ten deep.
const maxDepth = 100

// ImportOptions tune an import. The zero value detects everything.
type ImportOptions struct {
	// Format forces a format; by default it comes from the file extension
	// (.tbx .xml → TBX, .csv, .tsv .tab) and else from the content.
	Format Format
	// Encoding names the character encoding (e.g. "gbk", "windows-1252").
	// A byte-order mark still wins. By default the encoding is found from
	// the BOM, the XML declaration, or a guess; see textenc.Guess.
	Encoding string
	// SourceLang and TargetLang give the languages of a two-column CSV/TSV
	// file without a header row. They may also come from a file name such
	// as "en_de.csv" (the names pair exports use).
	SourceLang, TargetLang string
	// IDPrefix is put in front of every concept id, to keep the ids of
	// unrelated termbases apart ("c1" is in many files).
	IDPrefix string
	// MaxBytes is the largest input accepted; 0 means DefaultMaxBytes and a
	// negative value means no limit.
	MaxBytes int64
	// Delimiter forces the CSV field separator; 0 detects ',', ';' or tab.
	Delimiter rune
}

func (o ImportOptions) maxBytes() int64 {
	switch {
	case o.MaxBytes == 0:
		return DefaultMaxBytes
	case o.MaxBytes < 0:
		return 1<<63 - 1
	}
	return o.MaxBytes
}

// InputError is an input that could not be read at all, located by file
// and line (0 when the problem is not at one place).
type InputError struct {
	File string
	Line int
	Msg  string
	Err  error
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Err != nil && !strings.Contains(e.Msg, e.Err.Error()) {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *InputError) Unwrap() error { return e.Err }

// Problem is a part of an input that was skipped or read with a caveat;
// the rest of the file was imported.
type Problem struct {
	File string
	Line int
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", p.File, p.Line, p.Msg)
	}
	return p.File + ": " + p.Msg
}

// Import is one glossary file read into a termbase.
type Import struct {
	File     string
	Format   Format
	Encoding string // canonical name of the character encoding read
	// How says how the encoding was found: "byte-order mark", "XML
	// declaration", "option", "default" (UTF-8) or "guess".
	How      string
	Termbase *Termbase
	// Problems lists what was skipped or doubtful, each with its line.
	Problems []Problem
	// Dropped counts the TBX data categories that the model does not keep
	// (transactions, sources, graphics, cross-references...), by name.
	Dropped map[string]int
	// Lines gives the line where each concept starts in File.
	Lines map[string]int
	// generated holds the ids the importer made up (CSV rows, TBX entries
	// without id); Merge matches those concepts by their terms.
	generated map[string]bool
}

// Terms counts the terms imported.
func (im *Import) Terms() int {
	n := 0
	for _, c := range im.Termbase.Concepts() {
		n += c.TermCount()
	}
	return n
}

// MergeOptions returns the options that merge this import into another
// termbase: concepts with made-up ids are matched by shared terms, and
// conflicts name the file and line.
func (im *Import) MergeOptions() MergeOptions {
	return MergeOptions{Source: im.File, ByTerm: im.generated, Lines: im.Lines}
}

func (im *Import) problem(line int, format string, args ...any) {
	im.Problems = append(im.Problems, Problem{File: im.File, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (im *Import) drop(category string) {
	if im.Dropped == nil {
		im.Dropped = map[string]int{}
	}
	im.Dropped[category]++
}

// newID makes up a concept id from a term: its slug, made unique within
// the import.
func (im *Import) newID(prefix, term string) string {
	base := knowledge.Slug(term)
	if base == "" {
		base = "concept"
	}
	if base[0] >= '0' && base[0] <= '9' {
		// TBX ids are xsd:ID values, which cannot start with a digit.
		base = "c-" + base
	}
	base = prefix + base
	id := base
	for n := 2; im.Termbase.Concept(id) != nil || im.generated[id]; n++ {
		id = fmt.Sprintf("%s-%d", base, n)
	}
	if im.generated == nil {
		im.generated = map[string]bool{}
	}
	im.generated[id] = true
	return id
}

// ImportFile reads a glossary file: TBX, CSV or TSV in any common
// encoding. A file that cannot be read at all gives an *InputError; parts
// that cannot be read are skipped and listed in Import.Problems.
func ImportFile(ctx context.Context, path string, opts ImportOptions) (*Import, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{File: path, Msg: "cannot open", Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &InputError{File: path, Msg: "cannot read", Err: err}
	}
	if st.IsDir() {
		return nil, &InputError{File: path, Msg: "is a directory; give the glossary files inside it"}
	}
	if max := opts.maxBytes(); st.Size() > max {
		return nil, &InputError{File: path, Msg: fmt.Sprintf("file is %s, more than the %s limit; if it really is a glossary, raise the limit (--max-size)", humanBytes(st.Size()), humanBytes(max)), Err: textenc.ErrTooLarge}
	}
	return ImportReader(ctx, path, f, opts)
}

// ImportReader reads a glossary from r; name is used to pick the format
// from its extension and in errors.
func ImportReader(ctx context.Context, name string, r io.Reader, opts ImportOptions) (*Import, error) {
	max := opts.maxBytes()
	br := bufio.NewReaderSize(textenc.LimitReader(r, max), 64<<10)
	format := opts.Format
	if format == FormatAuto {
		format = formatFromName(name)
	}
	if format == FormatAuto {
		head, _ := br.Peek(4096)
		format = sniffFormat(head)
	}
	im := &Import{File: name, Format: format, Termbase: New()}
	var err error
	switch format {
	case FormatTBX:
		err = readTBX(ctx, im, br, opts)
	case FormatCSV, FormatTSV:
		var data []byte
		data, err = io.ReadAll(br)
		if err != nil {
			return nil, readError(name, 0, max, err)
		}
		err = readDelimited(ctx, im, data, opts)
	default:
		return nil, &InputError{File: name, Msg: fmt.Sprintf("unknown format %q; use tbx, csv or tsv", format)}
	}
	if err != nil {
		return nil, err
	}
	return im, nil
}

func readError(name string, line int, max int64, err error) error {
	if errors.Is(err, textenc.ErrTooLarge) {
		return &InputError{File: name, Line: line, Msg: fmt.Sprintf("more than %s of input; if it really is a glossary, raise the limit (--max-size)", humanBytes(max)), Err: err}
	}
	return &InputError{File: name, Line: line, Msg: "cannot read", Err: err}
}

func formatFromName(name string) Format {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".tbx", ".xml", ".tbxm":
		return FormatTBX
	case ".csv":
		return FormatCSV
	case ".tsv", ".tab":
		return FormatTSV
	}
	return FormatAuto
}

// sniffFormat tells XML from delimited text by the first significant
// character, looking through BOMs and UTF-16.
func sniffFormat(head []byte) Format {
	h := bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	h = bytes.TrimLeft(bytes.ReplaceAll(h, []byte{0}, nil), "\xff\xfe \t\r\n")
	if bytes.HasPrefix(h, []byte("<")) {
		return FormatTBX
	}
	line, _, _ := bytes.Cut(h, []byte("\n"))
	if bytes.Count(line, []byte("\t")) > bytes.Count(line, []byte(",")) {
		return FormatTSV
	}
	return FormatCSV
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}
