package tickets

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// record is one ticket as read from the export, before mapping.
type record interface {
	// get returns the value at a column name or dotted key path.
	get(key string) any
	// keys lists the column names or top-level keys.
	keys() []string
}

type csvRecord struct {
	header map[string]int // lower-case column name -> index
	names  []string
	fields []string
}

func (r csvRecord) get(key string) any {
	i, ok := r.header[strings.ToLower(strings.TrimSpace(key))]
	if !ok || i >= len(r.fields) {
		return nil
	}
	return r.fields[i]
}

func (r csvRecord) keys() []string { return r.names }

type jsonRecord map[string]any

func (r jsonRecord) get(key string) any {
	var cur any = map[string]any(r)
	for _, part := range strings.Split(key, ".") {
		if list, ok := cur.([]any); ok {
			// Zendesk's custom_fields: [{"id": 360012345678, "value": …}]
			// are reached by id: custom_fields.360012345678.
			cur = nil
			for _, e := range list {
				if m, ok := e.(map[string]any); ok && str(m["id"]) == part {
					cur = m["value"]
					break
				}
			}
			continue
		}
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		v, ok := m[part]
		if !ok {
			// keys are case-sensitive in JSON, but exports differ in case
			for k, vv := range m {
				if strings.EqualFold(k, part) {
					v, ok = vv, true
					break
				}
			}
			if !ok {
				return nil
			}
		}
		cur = v
	}
	return cur
}

func (r jsonRecord) keys() []string {
	var k []string
	for n := range r {
		k = append(k, n)
	}
	return k
}

// rowError is a problem with one record; reading goes on after it.
type rowError struct {
	place string
	err   error
}

func (e *rowError) Error() string { return e.place + ": " + e.err.Error() }

// recordReader yields records; next returns io.EOF at the end, a
// *rowError for a bad record (call next again), or another error when
// reading cannot go on.
type recordReader interface {
	next() (record, string, error)
}

// lookupEncoding resolves a WHATWG encoding name.
func lookupEncoding(name string) (encoding.Encoding, error) {
	e, err := htmlindex.Get(name)
	if err != nil {
		return nil, fmt.Errorf("unknown encoding %q", name)
	}
	return e, nil
}

// decodeText returns a UTF-8 reader over r: a byte-order mark (UTF-8,
// UTF-16) wins, then the configured encoding, then UTF-8 if the start of
// the data is valid UTF-8, else windows-1252. note is set when the
// encoding was guessed.
func decodeText(r io.Reader, enc string) (br *bufio.Reader, note string, err error) {
	b := bufio.NewReaderSize(r, 64<<10)
	head, err := b.Peek(64 << 10)
	if err != nil && err != io.EOF && err != bufio.ErrBufferFull {
		return nil, "", err // empty, over the size limit, cancelled or unreadable
	}
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		b.Discard(3)
		return b, "", nil
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}), bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		d := unicode.BOMOverride(unicode.UTF8.NewDecoder())
		return bufio.NewReaderSize(transform.NewReader(b, d), 64<<10), "", nil
	}
	if enc != "" {
		e, err := lookupEncoding(enc)
		if err != nil {
			return nil, "", err
		}
		if e == unicode.UTF8 {
			return b, "", nil
		}
		return bufio.NewReaderSize(transform.NewReader(b, e.NewDecoder()), 64<<10), "", nil
	}
	// No export holds NUL bytes as text, valid UTF-8 as they are: a file
	// that does is binary or UTF-16 without its byte-order mark.
	if bytes.IndexByte(head, 0) >= 0 {
		return nil, "", errors.New("binary data (NUL bytes) without a UTF-16 byte-order mark; is this a ticket export?")
	}
	// A cut in the middle of a multi-byte character at the end of the
	// window is not an error.
	h := head
	for i := 0; i < utf8.UTFMax && len(h) > 0 && !utf8.Valid(h); i++ {
		h = h[:len(h)-1]
	}
	if utf8.Valid(h) {
		return b, "", nil
	}
	return bufio.NewReaderSize(transform.NewReader(b, charmap.Windows1252.NewDecoder()), 64<<10),
		"not UTF-8: read as windows-1252; set options.encoding if that is wrong", nil
}

// ---- CSV ----

// csvReader is a streaming CSV parser (RFC 4180 plus the habits of real
// exports): quoted fields may span lines, CRLF, LF and CR line ends may be
// mixed, a quote inside an unquoted field is literal, and no record may
// exceed max bytes. encoding/csv would hold a run-away quoted field (a
// missing closing quote) in memory to the end of the file and then lose
// every row after it; this parser gives up on that record at max bytes or
// at the end of the file and re-reads the lines after its first one.
type csvReader struct {
	r     *bufio.Reader
	delim byte
	max   int
	line  int // line number of the next byte
	raw   []byte
	field []byte
	rec   []string
}

func newCSVReader(r *bufio.Reader, delim byte, max int) *csvReader {
	return &csvReader{r: r, delim: delim, max: max, line: 1}
}

var errRunaway = errors.New("quoted field never closed")

// read returns the next record and the line it starts on.
func (c *csvReader) read() ([]string, int, error) {
	for {
		start := c.line
		rec, err := c.readRecord()
		if err == errRunaway || err == errTooBig {
			// Re-read what follows the record's first line as new records.
			raw := c.raw
			if i := bytes.IndexByte(raw, '\n'); i >= 0 {
				rest := append([]byte(nil), raw[i+1:]...)
				c.r = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(rest), c.r), 64<<10)
				c.line = start + 1
			}
			what := "a quoted field is never closed"
			if err == errTooBig {
				what = fmt.Sprintf("record longer than %d bytes", c.max)
			}
			return nil, start, &rowError{fmt.Sprintf("line %d", start), errors.New(what + "; row skipped")}
		}
		if err != nil {
			return nil, start, err
		}
		if len(rec) == 1 && rec[0] == "" {
			continue // blank line
		}
		return rec, start, nil
	}
}

var errTooBig = errors.New("record too big")

func (c *csvReader) readRecord() ([]string, error) {
	c.rec = c.rec[:0]
	c.raw = c.raw[:0]
	c.field = c.field[:0]
	quoted, inQuotes, atStart := false, false, true
	endField := func() {
		c.rec = append(c.rec, string(c.field))
		c.field = c.field[:0]
		quoted, inQuotes, atStart = false, false, true
	}
	for {
		b, err := c.r.ReadByte()
		if err == io.EOF {
			if len(c.raw) == 0 {
				return nil, io.EOF
			}
			if inQuotes {
				return nil, errRunaway
			}
			endField()
			return c.rec, nil
		}
		if err != nil {
			return nil, err
		}
		c.raw = append(c.raw, b)
		if len(c.raw) > c.max {
			// Drop the rest of this physical line so that the next record
			// starts at a line start, unless we are inside quotes (then
			// the caller re-reads from the second line).
			if !inQuotes {
				for {
					b, err := c.r.ReadByte()
					if err != nil || b == '\n' {
						break
					}
				}
				c.line++
				c.raw = c.raw[:0]
			}
			return nil, errTooBig
		}
		if b == '\n' {
			c.line++
		}
		switch {
		case inQuotes:
			if b == '"' {
				nb, err := c.r.Peek(1)
				if err == nil && nb[0] == '"' {
					c.r.ReadByte()
					c.raw = append(c.raw, '"')
					c.field = append(c.field, '"')
					continue
				}
				inQuotes = false
				continue
			}
			c.field = append(c.field, b)
		case atStart && b == '"':
			quoted, inQuotes, atStart = true, true, false
		case b == c.delim:
			endField()
		case b == '\n' || b == '\r':
			if b == '\r' {
				if nb, err := c.r.Peek(1); err == nil && nb[0] == '\n' {
					c.r.ReadByte()
					c.raw = append(c.raw, '\n')
				}
				c.line++
			}
			endField()
			return c.rec, nil
		default:
			if quoted {
				// text after a closing quote: keep it, as spreadsheets do
				c.field = append(c.field, '"')
				quoted = false
			}
			atStart = false
			c.field = append(c.field, b)
		}
	}
}

// sniffDelimiter picks the delimiter that occurs most often outside quotes
// in the first line of head.
func sniffDelimiter(head []byte) byte {
	counts := map[byte]int{}
	in := false
	for _, b := range head {
		if b == '"' {
			in = !in
			continue
		}
		if in {
			continue
		}
		if b == '\n' || b == '\r' {
			break
		}
		switch b {
		case ',', ';', '\t', '|':
			counts[b]++
		}
	}
	best, n := byte(','), 0
	for _, d := range []byte{',', ';', '\t', '|'} {
		if counts[d] > n {
			best, n = d, counts[d]
		}
	}
	return best
}

type csvRecords struct {
	c      *csvReader
	header map[string]int
	names  []string
}

func newCSVRecords(b *bufio.Reader, delim string, max int) (*csvRecords, error) {
	var d byte
	switch delim {
	case "":
		head, _ := b.Peek(64 << 10)
		d = sniffDelimiter(head)
	case `\t`, "tab":
		d = '\t'
	default:
		d = delim[0]
	}
	c := newCSVReader(b, d, max)
	hdr, _, err := c.read()
	if err != nil {
		if err == io.EOF {
			return nil, errors.New("empty file: no header row")
		}
		return nil, fmt.Errorf("header: %w", err)
	}
	hdr = append([]string(nil), hdr...)
	r := &csvRecords{c: c, header: map[string]int{}, names: hdr}
	for i, h := range hdr {
		k := strings.ToLower(strings.TrimSpace(h))
		if _, dup := r.header[k]; !dup {
			r.header[k] = i
		}
	}
	return r, nil
}

func (r *csvRecords) next() (record, string, error) {
	rec, line, err := r.c.read()
	place := fmt.Sprintf("line %d", line)
	if err != nil {
		return nil, place, err
	}
	if len(rec) != len(r.names) {
		// Trailing empty columns are often dropped or added by tools.
		extra := rec
		if len(rec) > len(r.names) {
			extra = rec[len(r.names):]
		} else {
			extra = nil
		}
		if strings.Join(extra, "") != "" || len(rec) < len(r.names)/2 {
			return nil, place, &rowError{place, fmt.Errorf("%d fields, the header has %d; row skipped", len(rec), len(r.names))}
		}
	}
	return csvRecord{header: r.header, names: r.names, fields: append([]string(nil), rec...)}, place, nil
}

// ---- JSON array (or an object holding one) ----

type jsonArrayRecords struct {
	dec   *json.Decoder
	guard *guardReader
	n     int
}

// guardReader fails once more than max bytes have been read since mark:
// json.Decoder buffers a whole element, and a hostile or broken export
// with a gigabyte-long element must not take the memory with it.
type guardReader struct {
	r       io.Reader
	n, mark int64
	max     int64
}

var errElementTooBig = errors.New("JSON element larger than the record size limit")

func (g *guardReader) Read(p []byte) (int, error) {
	if g.n-g.mark > g.max {
		return 0, errElementTooBig
	}
	n, err := g.r.Read(p)
	g.n += int64(n)
	return n, err
}

// arrayKeys are the keys that hold the tickets in a wrapper object.
var arrayKeys = map[string]bool{"tickets": true, "results": true, "data": true, "items": true, "records": true}

func newJSONArrayRecords(r io.Reader, max int) (*jsonArrayRecords, error) {
	limit := int64(max) + 64<<10
	// No limit while looking for the array: skipping other keys keeps
	// only one token in memory.
	guard := &guardReader{r: r, max: 1 << 62}
	dec := json.NewDecoder(guard)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, fmt.Errorf("byte %d: %w", dec.InputOffset(), err)
	}
	switch tok {
	case json.Delim('['):
		guard.max = limit
		return &jsonArrayRecords{dec: dec, guard: guard}, nil
	case json.Delim('{'):
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return nil, fmt.Errorf("byte %d: %w", dec.InputOffset(), err)
			}
			key, _ := kt.(string)
			if arrayKeys[strings.ToLower(key)] {
				t, err := dec.Token()
				if err != nil {
					return nil, fmt.Errorf("byte %d: %w", dec.InputOffset(), err)
				}
				if t == json.Delim('[') {
					guard.max = limit
					return &jsonArrayRecords{dec: dec, guard: guard}, nil
				}
				if err := skipRest(dec, t); err != nil {
					return nil, err
				}
				continue
			}
			if err := skipValue(dec); err != nil {
				return nil, err
			}
		}
		return nil, errors.New(`no ticket array: want a JSON array or an object with a "tickets" array`)
	}
	return nil, errors.New("not a JSON array or object")
}

// skipValue skips the next value token by token, so that a huge sideload
// ("users": […]) is not held in memory.
func skipValue(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return fmt.Errorf("byte %d: %w", dec.InputOffset(), err)
	}
	return skipRest(dec, t)
}

func skipRest(dec *json.Decoder, t json.Token) error {
	if d, ok := t.(json.Delim); !ok || d == '}' || d == ']' {
		return nil
	}
	depth := 1
	for depth > 0 {
		t, err := dec.Token()
		if err != nil {
			return fmt.Errorf("byte %d: %w", dec.InputOffset(), err)
		}
		if d, ok := t.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

func (r *jsonArrayRecords) next() (record, string, error) {
	if !r.dec.More() {
		return nil, "", io.EOF
	}
	r.n++
	place := fmt.Sprintf("element %d (byte %d)", r.n, r.dec.InputOffset())
	r.guard.mark = r.guard.n
	var v any
	if err := r.dec.Decode(&v); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, errElementTooBig) {
			// The stream cannot be resynchronised after a syntax error.
			return nil, place, fmt.Errorf("%s: %w; the rest of the file is not read", place, err)
		}
		return nil, place, &rowError{place, err}
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, place, &rowError{place, fmt.Errorf("a %T, not a ticket object; skipped", v)}
	}
	return jsonRecord(m), place, nil
}

// ---- JSON Lines ----

type jsonlRecords struct {
	r    *bufio.Reader
	line int
	max  int
	buf  []byte
}

func (r *jsonlRecords) next() (record, string, error) {
	for {
		r.buf = r.buf[:0]
		tooLong := false
		for {
			chunk, err := r.r.ReadSlice('\n')
			if len(r.buf)+len(chunk) > r.max {
				tooLong = true
			} else {
				r.buf = append(r.buf, chunk...)
			}
			if err == bufio.ErrBufferFull {
				continue
			}
			if err == io.EOF && len(r.buf) == 0 && !tooLong {
				return nil, "", io.EOF
			}
			if err != nil && err != io.EOF {
				return nil, "", err
			}
			break
		}
		r.line++
		place := fmt.Sprintf("line %d", r.line)
		if tooLong {
			return nil, place, &rowError{place, fmt.Errorf("line longer than %d bytes; skipped", r.max)}
		}
		line := bytes.TrimSpace(r.buf)
		if len(line) == 0 {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(line))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, place, &rowError{place, fmt.Errorf("not a JSON object: %w; skipped", err)}
		}
		if dec.More() {
			return nil, place, &rowError{place, errors.New("more than one JSON value on the line; skipped")}
		}
		return jsonRecord(m), place, nil
	}
}

// looksLikeJSONL reports whether head starts with a complete JSON object
// followed by another one on a later line (Zendesk's JSON export is JSON
// Lines named .json).
func looksLikeJSONL(head []byte) bool {
	head = bytes.TrimLeft(head, " \t\r\n")
	if len(head) == 0 || head[0] != '{' {
		return false
	}
	depth, in, esc := 0, false, false
	for i, b := range head {
		if in {
			switch {
			case esc:
				esc = false
			case b == '\\':
				esc = true
			case b == '"':
				in = false
			}
			continue
		}
		switch b {
		case '"':
			in = true
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				rest := bytes.TrimLeft(head[i+1:], " \t\r")
				return len(rest) > 0 && rest[0] == '\n' && len(bytes.TrimLeft(rest, " \t\r\n")) > 0 && bytes.TrimLeft(rest, " \t\r\n")[0] == '{'
			}
		}
	}
	return false
}

// openRecords picks the reader by file name and content.
func openRecords(name string, b *bufio.Reader, o Options) (recordReader, string, error) {
	ext := strings.ToLower(path.Ext(name))
	head, _ := b.Peek(64 << 10)
	switch {
	case ext == ".jsonl" || ext == ".ndjson" || ext == ".json" && looksLikeJSONL(head):
		return &jsonlRecords{r: b, max: o.MaxRecordBytes}, "jsonl", nil
	case ext == ".json":
		r, err := newJSONArrayRecords(b, o.MaxRecordBytes)
		return r, "json", err
	default:
		r, err := newCSVRecords(b, o.Delimiter, o.MaxRecordBytes)
		return r, "csv", err
	}
}
