package glossary

import (
	"bytes"
	"encoding/binary"
	"hash/maphash"
	"unicode/utf8"
)

// startIndex finds, for a position in a text (in matching form), the
// patterns that may begin there. Every pattern has a start key:
//
//   - a pattern beginning with a letter or digit of a script written with
//     spaces can only match at a word start, and its first word must then
//     be the whole word there (the word-boundary rule): its key is that
//     first word;
//   - any other pattern (Chinese, Japanese, Korean, Thai, or starting with a
//     symbol) may start anywhere: its key is its first two characters, or
//     its only character.
//
// One pass over the text computes the key of each word start and of each
// position where a pattern of the second kind could start, and checks the
// few patterns under that key with a prefix comparison. A 128 KiB bit set
// rejects most keys before the table is touched, so the pass costs a few
// nanoseconds per byte and does not depend on the number of terms. Terms
// sharing a first word (or first two characters) are each compared where
// that word occurs; that is the one cost that grows with the termbase.
type startIndex struct {
	seed   maphash.Seed
	seed2  maphash.Seed // for the fingerprint that stands in for a byte comparison
	bloom  []uint64     // bit key>>bloomShift is set for every key in the table
	slots  []slot       // open addressing, length a power of two
	mask   uint64
	cands  []cand2            // the patterns after the first of each key
	moreOf map[uint64][]cand2 // for keys with more than 255 patterns
	// Runes a pattern of the second kind starts with, for the BMP: pair for
	// patterns of two characters or more, single for one-character ones.
	pair, single []uint64
	bigStart     map[rune]uint8 // the same beyond the BMP: bit 1 pair, bit 2 single
}

// slot is one key, 32 bytes: two per cache line. A key is identified by
// two independent hashes (64 + 32 bits): telling two keys apart by them
// fails with probability 2^-96 per lookup, far below the error rate of the
// hardware, and saves reading the pattern's bytes for every word of the
// text. The key's first pattern is kept in the slot itself, so that a word
// that starts one pattern costs one cache miss.
type slot struct {
	key   uint64 // first hash; 0: empty
	fp    uint32 // second hash
	more  uint32 // further patterns of the key: cands[more>>8 : more>>8+more&0xFF], or in moreOf when more&0xFF == 0xFF
	first cand2
}

// cand2 is a pattern under a key, with its length and up to eight of the
// bytes after the key, so that most candidates are accepted (a pattern
// that is its key alone) or rejected without reading the pattern.
type cand2 struct {
	p, n int32
	next uint64 // bytes after the key, little-endian, zero-padded
}

// mask returns which bytes of c.next belong to the pattern, for a key of
// klen bytes.
func (c cand2) mask(klen int) uint64 {
	if rest := int(c.n) - klen; rest < 8 {
		return 1<<(8*rest) - 1
	}
	return ^uint64(0)
}

// load8 reads up to eight bytes of b as a little-endian integer, zero-padded.
func load8(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.LittleEndian.Uint64(b)
	}
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

const (
	bloomBits  = 21 // 256 KiB: fits in a core's L2 cache
	bloomShift = 64 - bloomBits
)

func (ix *startIndex) fingerprint(b []byte) uint32 { return uint32(maphash.Bytes(ix.seed2, b)) }

func (ix *startIndex) hash(b []byte) uint64 {
	h := maphash.Bytes(ix.seed, b)
	if h == 0 {
		h = 1
	}
	return h
}

// build indexes patterns (in matching form); pattern i is reported as i.
func (ix *startIndex) build(pats [][]byte) {
	ix.seed, ix.seed2 = maphash.MakeSeed(), maphash.MakeSeed()
	ix.pair = make([]uint64, 0x10000/64)
	ix.single = make([]uint64, 0x10000/64)
	type keyInfo struct {
		fp   uint32
		pats []cand2
	}
	byKey := map[uint64]*keyInfo{}
	var order []uint64
	for i, p := range pats {
		var key []byte
		if n := firstWordLen(p); n > 0 {
			key = p[:n]
		} else {
			r1, s1 := utf8.DecodeRune(p)
			if s1 == len(p) {
				key = p
				ix.markStart(r1, 2)
			} else {
				_, s2 := utf8.DecodeRune(p[s1:])
				key = p[:s1+s2]
				ix.markStart(r1, 1)
			}
		}
		h := ix.hash(key)
		k := byKey[h]
		if k == nil {
			k = &keyInfo{fp: ix.fingerprint(key)}
			byKey[h] = k
			order = append(order, h)
		}
		k.pats = append(k.pats, cand2{p: int32(i), n: int32(len(p)), next: load8(p[len(key):])})
	}
	size := 16
	for size*2 < 3*len(order) { // load factor at most 2/3
		size *= 2
	}
	ix.slots = make([]slot, size)
	ix.mask = uint64(size - 1)
	ix.bloom = make([]uint64, (1<<bloomBits)/64)
	for _, h := range order {
		k := byKey[h]
		i := h & ix.mask
		for ix.slots[i].key != 0 {
			i = (i + 1) & ix.mask
		}
		sl := slot{key: h, fp: k.fp, first: k.pats[0]}
		switch rest := k.pats[1:]; {
		case len(rest) >= 0xFF || len(ix.cands) >= 1<<24:
			if ix.moreOf == nil {
				ix.moreOf = map[uint64][]cand2{}
			}
			ix.moreOf[h] = rest
			sl.more = 0xFF
		default:
			sl.more = uint32(len(ix.cands))<<8 | uint32(len(rest))
			ix.cands = append(ix.cands, rest...)
		}
		ix.slots[i] = sl
		b := h >> bloomShift
		ix.bloom[b/64] |= 1 << (b % 64)
	}
}

func (ix *startIndex) markStart(r rune, kind uint8) {
	if r < 0x10000 {
		if kind == 1 {
			ix.pair[r/64] |= 1 << (r % 64)
		} else {
			ix.single[r/64] |= 1 << (r % 64)
		}
		return
	}
	if ix.bigStart == nil {
		ix.bigStart = map[rune]uint8{}
	}
	ix.bigStart[r] |= kind
}

// starts reports whether patterns of two or more (pair) or of one
// character (single) start with r.
func (ix *startIndex) starts(r rune) (pair, single bool) {
	if r < 0x10000 {
		return ix.pair[r/64]&(1<<(r%64)) != 0, ix.single[r/64]&(1<<(r%64)) != 0
	}
	k := ix.bigStart[r]
	return k&1 != 0, k&2 != 0
}

// lookup returns the slot of key b, or nil.
func (ix *startIndex) lookup(b []byte) *slot {
	h := ix.hash(b)
	if x := h >> bloomShift; ix.bloom[x/64]&(1<<(x%64)) == 0 {
		return nil
	}
	for i := h & ix.mask; ; i = (i + 1) & ix.mask {
		s := &ix.slots[i]
		switch s.key {
		case h:
			if s.fp != ix.fingerprint(b) {
				return nil
			}
			return s
		case 0:
			return nil
		}
	}
}

// rest returns the patterns of a slot after the first.
func (ix *startIndex) rest(s *slot) []cand2 {
	switch n := s.more & 0xFF; n {
	case 0:
		return nil
	case 0xFF:
		return ix.moreOf[s.key]
	default:
		start := s.more >> 8
		return ix.cands[start : start+n]
	}
}

// rawCand is a pattern whose bytes occur at start.
type rawCand struct {
	p     int32
	start int32
}

// scan appends to out every pattern whose bytes occur at a position of nf
// where the index says it may start, in order of position.
func (ix *startIndex) scan(nf []byte, pats [][]byte, out []rawCand) []rawCand {
	f := foldData()
	for i := 0; i < len(nf); {
		c := nf[i]
		r, size := rune(c), 1
		var word bool
		if c < utf8.RuneSelf {
			word = asciiWord[c]
		} else {
			r, size = utf8.DecodeRune(nf[i:])
			word = f.isWord(r)
		}
		if word {
			// A word start (the previous word, if any, was skipped whole).
			n := firstWordLen(nf[i:])
			out = ix.check(out, nf, pats, ix.lookup(nf[i:i+n]), i, n)
			i += n
			continue
		}
		if pair, single := ix.starts(r); pair || single {
			if pair && i+size < len(nf) {
				_, s2 := utf8.DecodeRune(nf[i+size:])
				out = ix.check(out, nf, pats, ix.lookup(nf[i:i+size+s2]), i, size+s2)
			}
			if single {
				out = ix.check(out, nf, pats, ix.lookup(nf[i:i+size]), i, size)
			}
		}
		i += size
	}
	return out
}

// check appends the patterns of slot s (the key's n bytes are at nf[i:])
// that occur there; only what follows the key needs comparing.
func (ix *startIndex) check(out []rawCand, nf []byte, pats [][]byte, s *slot, i, n int) []rawCand {
	if s == nil {
		return out
	}
	next := load8(nf[i+n:])
	try := func(c cand2) bool {
		switch {
		case int(c.n) == n:
			return true
		case next&c.mask(n) != c.next || i+int(c.n) > len(nf):
			return false
		}
		return int(c.n)-n <= 8 || bytes.Equal(nf[i+n+8:i+int(c.n)], pats[c.p][n+8:])
	}
	if try(s.first) {
		out = append(out, rawCand{s.first.p, int32(i)})
	}
	for _, c := range ix.rest(s) {
		if try(c) {
			out = append(out, rawCand{c.p, int32(i)})
		}
	}
	return out
}
