package pdf

import (
	"bytes"
	"strconv"
)

// tokKind is the kind of a content-stream token.
type tokKind uint8

const (
	tNone tokKind = iota
	tNum
	tStr
	tName
	tArr
	tDict
	tOp
)

// token is one operand or operator of a content stream. Only what text
// extraction needs is kept: dictionaries are parsed to skip them and their
// entries are kept as flat key/value pairs.
type token struct {
	kind tokKind
	num  float64
	s    string  // string bytes, name (without '/'), or operator
	arr  []token // array elements or dictionary key, value pairs
}

// lexer tokenises PDF content streams and CMaps. It never recurses more
// than maxNest levels, so hostile nesting cannot blow the stack.
type lexer struct {
	b []byte
	i int
}

const maxNest = 64

func isWhite(c byte) bool {
	return c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f' || c == 0
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func (l *lexer) skipSpace() {
	for l.i < len(l.b) {
		c := l.b[l.i]
		if isWhite(c) {
			l.i++
			continue
		}
		if c == '%' {
			for l.i < len(l.b) && l.b[l.i] != '\n' && l.b[l.i] != '\r' {
				l.i++
			}
			continue
		}
		return
	}
}

// next returns the next token; ok is false at the end of the data.
func (l *lexer) next() (token, bool) {
	return l.nextDepth(0)
}

func (l *lexer) nextDepth(depth int) (token, bool) {
	l.skipSpace()
	if l.i >= len(l.b) {
		return token{}, false
	}
	c := l.b[l.i]
	switch {
	case c == '(':
		return token{kind: tStr, s: l.literal()}, true
	case c == '<' && l.i+1 < len(l.b) && l.b[l.i+1] == '<':
		l.i += 2
		t := token{kind: tDict}
		for {
			l.skipSpace()
			if l.i >= len(l.b) {
				return t, true
			}
			if l.b[l.i] == '>' && l.i+1 < len(l.b) && l.b[l.i+1] == '>' {
				l.i += 2
				return t, true
			}
			v, ok := l.nextDepth(depth + 1)
			if !ok {
				return t, true
			}
			if depth < maxNest {
				t.arr = append(t.arr, v)
			}
		}
	case c == '<':
		return token{kind: tStr, s: l.hex()}, true
	case c == '[':
		l.i++
		t := token{kind: tArr}
		for {
			l.skipSpace()
			if l.i >= len(l.b) {
				return t, true
			}
			if l.b[l.i] == ']' {
				l.i++
				return t, true
			}
			v, ok := l.nextDepth(depth + 1)
			if !ok {
				return t, true
			}
			if depth < maxNest {
				t.arr = append(t.arr, v)
			}
		}
	case c == '/':
		l.i++
		start := l.i
		for l.i < len(l.b) && !isWhite(l.b[l.i]) && !isDelim(l.b[l.i]) {
			l.i++
		}
		return token{kind: tName, s: unescapeName(l.b[start:l.i])}, true
	case c == ')' || c == '>' || c == ']' || c == '{' || c == '}':
		l.i++
		return token{kind: tOp, s: string(c)}, true
	}
	start := l.i
	for l.i < len(l.b) && !isWhite(l.b[l.i]) && !isDelim(l.b[l.i]) {
		l.i++
	}
	w := l.b[start:l.i]
	if len(w) > 0 && (w[0] >= '0' && w[0] <= '9' || w[0] == '-' || w[0] == '+' || w[0] == '.') {
		if f, err := strconv.ParseFloat(string(w), 64); err == nil {
			return token{kind: tNum, num: f}, true
		}
		return token{kind: tNum, num: parseLooseNum(w)}, true
	}
	return token{kind: tOp, s: string(w)}, true
}

// parseLooseNum reads numbers such as "--5" or "1.2.3" that some writers
// produce, as viewers do: the leading valid part counts.
func parseLooseNum(w []byte) float64 {
	neg := false
	i := 0
	for i < len(w) && (w[i] == '-' || w[i] == '+') {
		neg = neg != (w[i] == '-')
		i++
	}
	j := i
	dot := false
	for j < len(w) && (w[j] >= '0' && w[j] <= '9' || w[j] == '.' && !dot) {
		dot = dot || w[j] == '.'
		j++
	}
	f, _ := strconv.ParseFloat(string(w[i:j]), 64)
	if neg {
		f = -f
	}
	return f
}

func unescapeName(b []byte) string {
	if bytes.IndexByte(b, '#') < 0 {
		return string(b)
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] == '#' && i+2 < len(b) {
			if v, err := strconv.ParseUint(string(b[i+1:i+3]), 16, 8); err == nil {
				out = append(out, byte(v))
				i += 2
				continue
			}
		}
		out = append(out, b[i])
	}
	return string(out)
}

func (l *lexer) literal() string {
	l.i++ // (
	var out []byte
	depth := 1
	for l.i < len(l.b) {
		c := l.b[l.i]
		l.i++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return string(out)
			}
		case '\\':
			if l.i >= len(l.b) {
				return string(out)
			}
			e := l.b[l.i]
			l.i++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if l.i < len(l.b) && l.b[l.i] == '\n' {
					l.i++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && l.i < len(l.b) && l.b[l.i] >= '0' && l.b[l.i] <= '7'; k++ {
						v = v*8 + int(l.b[l.i]-'0')
						l.i++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return string(out)
}

func (l *lexer) hex() string {
	l.i++ // <
	var out []byte
	var hi byte
	half := false
	for l.i < len(l.b) {
		c := l.b[l.i]
		l.i++
		if c == '>' {
			break
		}
		v, ok := unhex(c)
		if !ok {
			continue
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	if half {
		out = append(out, hi<<4)
	}
	return string(out)
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// skipInlineImage moves past the data of an inline image, whose operator
// ID has just been read: the data ends at "EI" between white space. The
// data is binary and must never be tokenised, which is what trips other
// parsers on pages with inline images.
func (l *lexer) skipInlineImage() {
	if l.i < len(l.b) && isWhite(l.b[l.i]) {
		l.i++
	}
	for j := l.i; j+1 < len(l.b); j++ {
		if l.b[j] == 'E' && l.b[j+1] == 'I' && j > l.i && isWhite(l.b[j-1]) && (j+2 == len(l.b) || isWhite(l.b[j+2])) {
			l.i = j + 2
			return
		}
	}
	l.i = len(l.b)
}
