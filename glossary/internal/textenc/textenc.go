// Package textenc finds the character encoding of glossary files and
// decodes them to UTF-8: byte-order marks, XML encoding declarations and,
// for files that say nothing, a documented guess among the encodings
// glossaries are commonly saved in (UTF-16 without BOM, GBK, Shift_JIS,
// Windows-1251, Windows-1252). It also provides the guards that keep a
// hostile file from exhausting memory.
package textenc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"
)

// How says how an encoding was found.
type How string

// Ways of finding an encoding.
const (
	ByOption      How = "option"          // the caller named it
	ByBOM         How = "byte-order mark" // the file starts with a BOM
	ByDeclaration How = "XML declaration" // <?xml ... encoding="..."?>
	ByDefault     How = "default"         // valid UTF-8, or XML without a declaration
	ByGuess       How = "guess"           // statistics of the bytes; may be wrong
)

// Detected is the outcome of encoding detection.
type Detected struct {
	// Name is the encoding's canonical name, e.g. "utf-8", "utf-16le", "gbk".
	Name string
	How  How
	// BOM is the length of the byte-order mark at the start of the data.
	BOM int
	enc encoding.Encoding // nil for UTF-8
}

// Lookup finds an encoding by any of its common labels ("utf-16le",
// "GBK", "gb2312", "cp1252", "Shift_JIS", "latin1"...). It returns the
// encoding's canonical name; enc is nil for UTF-8.
func Lookup(label string) (enc encoding.Encoding, name string, err error) {
	l := strings.ToLower(strings.TrimSpace(label))
	switch l {
	case "utf-8", "utf8":
		return nil, "utf-8", nil
	case "utf-16", "utf16":
		// Without a BOM, UTF-16 is big-endian by RFC 2781; with one, the
		// BOM decides (BOMOverride in the decoder).
		return unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM), "utf-16", nil
	case "utf-32", "utf32":
		return utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM), "utf-32", nil
	case "utf-32le":
		return utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM), "utf-32le", nil
	case "utf-32be":
		return utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM), "utf-32be", nil
	case "cp936", "windows-936", "gbk", "gb2312", "gb_2312-80", "euc-cn":
		// GB18030 decodes every GBK byte sequence the same way and also the
		// four-byte sequences some "GBK" files contain.
		return simplifiedchinese.GB18030, "gbk", nil
	}
	if e, err := htmlindex.Get(l); err == nil {
		n, _ := htmlindex.Name(e)
		if n == "utf-8" {
			return nil, n, nil
		}
		return e, n, nil
	}
	if e, err := ianaindex.IANA.Encoding(l); err == nil && e != nil {
		n, _ := ianaindex.IANA.Name(e)
		return e, strings.ToLower(n), nil
	}
	return nil, "", fmt.Errorf("unknown character encoding %q (use a name such as utf-8, utf-16le, windows-1252, gbk, shift_jis)", label)
}

// sniffBOM recognises a byte-order mark.
func sniffBOM(head []byte) (name string, n int) {
	switch {
	case bytes.HasPrefix(head, []byte{0xEF, 0xBB, 0xBF}):
		return "utf-8", 3
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE, 0, 0}):
		return "utf-32le", 4
	case bytes.HasPrefix(head, []byte{0, 0, 0xFE, 0xFF}):
		return "utf-32be", 4
	case bytes.HasPrefix(head, []byte{0xFE, 0xFF}):
		return "utf-16be", 2
	case bytes.HasPrefix(head, []byte{0xFF, 0xFE}):
		return "utf-16le", 2
	}
	return "", 0
}

var xmlDecl = regexp.MustCompile(`^\s*<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._:\-]+)["']`)

// DetectXML finds the encoding of an XML document from its first bytes
// (at least the first kilobyte when the file is that long). option, when
// not empty, overrides everything but a byte-order mark.
func DetectXML(head []byte, option string) (Detected, error) {
	if name, n := sniffBOM(head); n > 0 {
		return detected(name, ByBOM, n)
	}
	if option != "" {
		return detected(option, ByOption, 0)
	}
	// XML without a BOM announces UTF-16 by the byte pattern of "<?".
	switch {
	case bytes.HasPrefix(head, []byte{'<', 0, '?', 0}):
		return detected("utf-16le", ByDeclaration, 0)
	case bytes.HasPrefix(head, []byte{0, '<', 0, '?'}):
		return detected("utf-16be", ByDeclaration, 0)
	}
	if m := xmlDecl.FindSubmatch(head); m != nil {
		d, err := detected(string(m[1]), ByDeclaration, 0)
		if err != nil {
			return d, fmt.Errorf("XML declaration: %w", err)
		}
		// A declaration of UTF-16 on a file that is not (no BOM, no NUL
		// pattern) is wrong in practice: such files are ASCII-compatible.
		if strings.HasPrefix(d.Name, "utf-16") || strings.HasPrefix(d.Name, "utf-32") {
			return detected("utf-8", ByDefault, 0)
		}
		return d, nil
	}
	if utf8.Valid(trimPartialRune(head)) {
		return detected("utf-8", ByDefault, 0)
	}
	return Guess(head), nil
}

// DetectText finds the encoding of a whole delimited-text file (CSV,
// TSV). option, when not empty, overrides everything but a byte-order mark.
func DetectText(data []byte, option string) (Detected, error) {
	if name, n := sniffBOM(data); n > 0 {
		return detected(name, ByBOM, n)
	}
	if option != "" {
		return detected(option, ByOption, 0)
	}
	// UTF-16 text of ASCII characters is valid UTF-8 (with NULs), so its
	// pattern of NUL bytes is looked for first.
	if name := utf16Pattern(data); name != "" {
		return detected(name, ByGuess, 0)
	}
	if utf8.Valid(data) {
		return detected("utf-8", ByDefault, 0)
	}
	return Guess(data), nil
}

func detected(label string, how How, bom int) (Detected, error) {
	enc, name, err := Lookup(label)
	if err != nil {
		return Detected{How: how}, err
	}
	return Detected{Name: name, How: how, BOM: bom, enc: enc}, nil
}

func trimPartialRune(b []byte) []byte {
	// A head cut at an arbitrary byte may end inside a UTF-8 sequence.
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return b
		}
		b = b[:len(b)-1]
	}
	return b
}

// Guess picks the most plausible encoding for bytes that are not UTF-8.
// The rules, in order:
//   - many NUL bytes at odd (even) offsets: UTF-16LE (BE);
//   - every non-ASCII byte forms a valid Shift_JIS pair and at least 15% of
//     the pairs are kana: Shift_JIS;
//   - every non-ASCII byte forms a valid GBK pair and at least 80% of the
//     pairs lie in the GB2312 block of common characters: GBK;
//   - bytes 0xC0-0xFF mostly in runs of three or more, as Cyrillic words
//     are: Windows-1251;
//   - otherwise Windows-1252.
func Guess(data []byte) Detected {
	name := guessName(data)
	d, _ := detected(name, ByGuess, 0)
	return d
}

func guessName(data []byte) string {
	if name := utf16Pattern(data); name != "" {
		return name
	}
	if pairs, kana, ok := sjisPairs(data); ok && pairs > 0 && kana*100 >= pairs*15 {
		return "shift_jis"
	}
	if pairs, common, ok := gbkPairs(data); ok && pairs > 0 && common*100 >= pairs*80 {
		return "gbk"
	}
	// Cyrillic words in Windows-1251 are runs of bytes 0xC0-0xFF; accented
	// letters of Western languages in Windows-1252 stand alone between ASCII
	// letters or in pairs ("Größe"), hardly ever three in a row.
	var high, inRun int
	for i := 0; i < len(data); {
		j := i
		for j < len(data) && data[j] >= 0xC0 {
			j++
		}
		if j == i {
			i++
			continue
		}
		high += j - i
		if j-i >= 3 {
			inRun += j - i
		}
		i = j
	}
	if high > 0 && inRun*100 >= high*50 {
		return "windows-1251"
	}
	return "windows-1252"
}

// utf16Pattern recognises UTF-16 without BOM by its NUL bytes: text that
// is mostly ASCII has a NUL in every other byte.
func utf16Pattern(data []byte) string {
	if len(data) < 4 {
		return ""
	}
	var evenNUL, oddNUL int
	for i, b := range data {
		if b == 0 {
			if i%2 == 0 {
				evenNUL++
			} else {
				oddNUL++
			}
		}
	}
	half := len(data) / 2
	switch {
	case oddNUL > half/3 && evenNUL < half/20:
		return "utf-16le"
	case evenNUL > half/3 && oddNUL < half/20:
		return "utf-16be"
	}
	return ""
}

func sjisPairs(data []byte) (pairs, kana int, ok bool) {
	for i := 0; i < len(data); i++ {
		b := data[i]
		switch {
		case b < 0x80:
		case b >= 0xA1 && b <= 0xDF: // half-width katakana: legal, rare in real text
		case (b >= 0x81 && b <= 0x9F) || (b >= 0xE0 && b <= 0xFC):
			if i+1 >= len(data) {
				return pairs, kana, false
			}
			t := data[i+1]
			if t < 0x40 || t == 0x7F || t > 0xFC {
				return pairs, kana, false
			}
			pairs++
			if (b == 0x82 && t >= 0x9F && t <= 0xF1) || (b == 0x83 && t >= 0x40 && t <= 0x96) {
				kana++
			}
			i++
		default:
			return pairs, kana, false
		}
	}
	return pairs, kana, true
}

func gbkPairs(data []byte) (pairs, common int, ok bool) {
	for i := 0; i < len(data); i++ {
		b := data[i]
		switch {
		case b < 0x80:
		case b >= 0x81 && b <= 0xFE:
			if i+1 >= len(data) {
				return pairs, common, false
			}
			t := data[i+1]
			if t < 0x40 || t == 0x7F || t == 0xFF {
				return pairs, common, false
			}
			pairs++
			if b >= 0xA1 && b <= 0xF7 && t >= 0xA1 && t <= 0xFE {
				common++
			}
			i++
		default:
			return pairs, common, false
		}
	}
	return pairs, common, true
}

// NewReader returns a reader of r decoded to UTF-8 according to d, with the
// byte-order mark removed.
func NewReader(r io.Reader, d Detected) io.Reader {
	if d.BOM > 0 {
		r = skipReader{r: r, n: d.BOM}.reader()
	}
	if d.enc == nil {
		return r
	}
	return transform.NewReader(r, d.enc.NewDecoder())
}

// Decode returns data decoded to UTF-8 according to d, without the BOM.
func Decode(data []byte, d Detected) ([]byte, error) {
	data = data[d.BOM:]
	if d.enc == nil {
		return data, nil
	}
	out, _, err := transform.Bytes(d.enc.NewDecoder(), data)
	if err != nil {
		return nil, fmt.Errorf("decode as %s: %w", d.Name, err)
	}
	return out, nil
}

type skipReader struct {
	r io.Reader
	n int
}

func (s skipReader) reader() io.Reader {
	if _, err := io.CopyN(io.Discard, s.r, int64(s.n)); err != nil {
		return errReader{err}
	}
	return s.r
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// ErrTooLarge is wrapped by the errors of LimitReader.
var ErrTooLarge = errors.New("input too large")

// LimitReader returns a reader that fails with an error wrapping
// ErrTooLarge once more than max bytes have been read from r, instead of
// silently cutting the input short as io.LimitReader does.
func LimitReader(r io.Reader, max int64) io.Reader { return &limitReader{r: r, left: max} }

type limitReader struct {
	r    io.Reader
	left int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, ErrTooLarge
	}
	// Read one byte past the limit to tell "exactly max" from "more".
	if int64(len(p)) > l.left {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n - int(-l.left), ErrTooLarge
	}
	return n, err
}

// MarkupError is returned by MarkupGuard when a run of text without markup
// is longer than the guard allows.
type MarkupError struct {
	Line int // line where the run started
	Max  int
}

func (e *MarkupError) Error() string {
	return fmt.Sprintf("more than %d bytes without any '<' from line %d on: not a markup file, or a hostile one", e.Max, e.Line)
}

// MarkupGuard returns a reader of UTF-8 XML that fails with a *MarkupError
// as soon as it sees more than max bytes since the last '<'. The XML
// parser holds a whole text node or tag in memory, so this bounds what a
// file without markup (or with one giant text node) can make it allocate.
func MarkupGuard(r io.Reader, max int) io.Reader {
	return &markupGuard{r: r, max: max, line: 1, runLine: 1}
}

type markupGuard struct {
	r       io.Reader
	max     int
	run     int // bytes since the last '<'
	line    int // current line
	runLine int // line where the current run started
	err     error
}

func (g *markupGuard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i := 0; i < n; i++ {
		switch p[i] {
		case '<':
			g.run = 0
			g.runLine = g.line
			continue
		case '\n':
			g.line++
		}
		g.run++
		if g.run > g.max {
			g.err = &MarkupError{Line: g.runLine, Max: g.max}
			return i, g.err
		}
	}
	return n, err
}
