package glossary

import (
	"slices"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// The matching form of a text is its NFKC normalisation, case-folded. NFKC
// takes care of full- and half-width forms (ＰＬＣ → PLC, ｶ → カ), ligatures
// and other compatibility characters; case folding makes "Inverter" and
// "INVERTER" equal, and "STRASSE" equal to "Straße".
//
// Normalisation is computed per segment (a character and the combining
// marks that follow it): the matching form of a text is the concatenation
// of the matching forms of its segments. That lets the matcher map every
// position of the matching form back to a position of the original text,
// and lets a term match only on segment boundaries.

// foldTable holds the matching form of every BMP rune.
type foldTable struct {
	same  []uint64 // bit set: the rune is its own matching form
	repl  []string // the matching form of the other runes
	joins []uint64 // bit set: the rune may join the previous segment
	words []uint64 // bit set: wordChar(r)
}

var foldData = sync.OnceValue(func() *foldTable {
	f := &foldTable{same: make([]uint64, 0x10000/64), repl: make([]string, 0x10000), joins: make([]uint64, 0x10000/64), words: make([]uint64, 0x10000/64)}
	folder := cases.Fold()
	for r := rune(0); r < 0x10000; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		s := string(r)
		m := foldString(folder, s)
		switch {
		case r == 0xAD || r == 0x200B || r == 0x2060 || r == 0xFEFF:
			// Soft hyphen, zero-width space, word joiner, BOM: invisible
			// inside words, so they do not count.
			m = ""
		case unicode.IsSpace(r):
			m = " "
		}
		if m != s {
			f.repl[r] = m
		} else {
			f.same[r/64] |= 1 << (r % 64)
		}
		if !norm.NFKC.PropertiesString(s).BoundaryBefore() {
			f.joins[r/64] |= 1 << (r % 64)
		}
		if wordChar(r) {
			f.words[r/64] |= 1 << (r % 64)
		}
	}
	return f
})

// isWord is wordChar through the table.
func (f *foldTable) isWord(r rune) bool {
	if r < 0x10000 {
		return f.words[r/64]&(1<<(r%64)) != 0
	}
	return wordChar(r)
}

// foldString is the matching form of one segment. Folding can undo the
// normal form, so it is normalised again.
func foldString(folder cases.Caser, s string) string {
	return norm.NFKC.String(folder.String(norm.NFKC.String(s)))
}

func (f *foldTable) joinsPrev(r rune) bool {
	if r < 0x10000 {
		return f.joins[r/64]&(1<<(r%64)) != 0
	}
	return !norm.NFKC.PropertiesString(string(r)).BoundaryBefore()
}

var asciiSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true, '\v': true, '\f': true}

var asciiLower = func() (t [128]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

// foldKey returns the matching form of a term.
func foldKey(s string) string {
	return string(appendFold(nil, nil, s, true))
}

// appendFold appends the matching form of s to dst (case-folded when fold
// is true). When offsp is not nil it appends to *offsp, for every byte
// added, the offset in s of the segment the byte comes from, or -1 when the
// byte is not the first of its segment's output.
func appendFold(dst []byte, offsp *[]int32, s string, fold bool) []byte {
	var offs []int32
	if offsp != nil {
		offs = *offsp
	}
	f := foldData()
	var folder *cases.Caser // made on first need: few texts need it
	n := len(s)
	var nextR rune // a rune decoded ahead, at nextAt, of nextSize bytes
	var nextSize, nextAt int
	lastSpace := false // the last byte written is a space: more white space adds nothing
	for i := 0; i < n; {
		if s[i] < utf8.RuneSelf {
			// A run of ASCII. ASCII never combines with what precedes it, and
			// only a non-ASCII mark can combine with it, so the run's last
			// byte is left to the general case when non-ASCII follows.
			j := i + 1
			for j < n && s[j] < utf8.RuneSelf {
				j++
			}
			if j < n {
				j--
			}
			if j > i {
				if !fold {
					dst = append(dst, s[i:j]...)
					if offsp != nil {
						for k := i; k < j; k++ {
							offs = append(offs, int32(k))
						}
					}
					i = j
					continue
				}
				dst = slices.Grow(dst, j-i)
				if offsp != nil {
					offs = slices.Grow(offs, j-i)
				}
				for k := i; k < j; k++ {
					c := s[k]
					if asciiSpace[c] {
						// A run of white space (line breaks inside a paragraph
						// included) is one space.
						if lastSpace {
							continue
						}
						c = ' '
						lastSpace = true
					} else {
						c = asciiLower[c]
						lastSpace = false
					}
					dst = append(dst, c)
					if offsp != nil {
						offs = append(offs, int32(k))
					}
				}
				i = j
				continue
			}
		}
		r, size := rune(nextR), nextSize
		if size == 0 || nextAt != i {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		j := i + size
		for j < n && s[j] >= utf8.RuneSelf {
			r2, sz2 := utf8.DecodeRuneInString(s[j:])
			if !f.joinsPrev(r2) {
				// Decoded already: the next round starts with it.
				nextR, nextSize, nextAt = r2, sz2, j
				break
			}
			j += sz2
		}
		before := len(dst)
		switch {
		case !fold:
			dst = norm.NFKC.AppendString(dst, s[i:j])
		case j == i+size && r < 0x10000:
			switch {
			case (r < utf8.RuneSelf && asciiSpace[r]) || f.repl[r] == " ":
				// White space, NBSP and ideographic space included.
				if !lastSpace {
					dst = append(dst, ' ')
				}
			case f.same[r/64]&(1<<(r%64)) != 0:
				dst = append(dst, s[i:j]...)
			default:
				dst = append(dst, f.repl[r]...)
			}
		default:
			if folder == nil {
				c := cases.Fold()
				folder = &c
			}
			dst = append(dst, foldString(*folder, s[i:j])...)
		}
		if fold && len(dst) > before {
			lastSpace = dst[len(dst)-1] == ' '
		}
		if offsp != nil && len(dst) > before {
			offs = append(offs, int32(i))
			for k := before + 1; k < len(dst); k++ {
				offs = append(offs, -1)
			}
		}
		i = j
	}
	if offsp != nil {
		*offsp = offs
	}
	return dst
}

// wordChar reports letters, digits, marks and '_' of scripts that separate
// words with spaces: the characters a term must not run into.
func wordChar(r rune) bool {
	if r < utf8.RuneSelf {
		return r == '_' || (r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
	}
	if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !unicode.IsMark(r) {
		return false
	}
	return !unspaced(r)
}

// unspaced reports characters of scripts written without spaces between
// words (Chinese, Japanese, Korean — whose particles attach to nouns — Thai,
// Lao, Khmer, Myanmar), where a term may match inside a longer run.
func unspaced(r rune) bool {
	switch {
	case r == 'ー' || r == '々' || r == '〆' || r == 'ヶ':
		return true
	case r < 0x0E00:
		return false
	}
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
		unicode.Thai, unicode.Lao, unicode.Khmer, unicode.Myanmar)
}
