package cluster

import (
	"unicode"
	"unicode/utf8"
)

// Signature sizes. SignatureSize = Bands * Rows.
const (
	SignatureSize = 32
	Bands         = 8
	Rows          = SignatureSize / Bands
)

// Signature is the MinHash signature of a text.
type Signature [SignatureSize]uint32

// Similarity estimates the Jaccard similarity of the texts behind a and b
// (0..1): the share of positions where the signatures agree.
func Similarity(a, b *Signature) float64 {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return float64(n) / SignatureSize
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
}

// Shingles calls f with the hash of each shingle of text, in order
// (repeats included). Exposed so that callers and tests can see what
// counts as "the same words".
func Shingles(text string, f func(h uint64)) {
	sh := shingler{f: f, prevCJK: -1, word: fnvOffset}
	sh.feed(text)
	sh.endWord()
}

// shingler is the state of Shingles between characters, so that texts
// can be fed one after the other.
type shingler struct {
	f       func(h uint64)
	prev    uint64 // hash of the previous word, 0 at the start
	prevCJK rune
	word    uint64
	inWord  bool
	skip    bool // inside "<placeholder>"
}

func (sh *shingler) endWord() {
	if !sh.inWord {
		return
	}
	sh.f(sh.word)
	if sh.prev != 0 {
		sh.f(sh.prev*31 ^ sh.word*fnvPrime ^ 0x9e3779b97f4a7c15) // order-sensitive bigram
	}
	sh.prev = sh.word
	sh.word = fnvOffset
	sh.inWord = false
}

func (sh *shingler) feed(text string) {
	for i := 0; i < len(text); {
		r, size := rune(text[i]), 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(text[i:])
		}
		i += size
		if sh.skip {
			if r == '>' || unicode.IsSpace(r) {
				sh.skip = false
			}
			continue
		}
		if r == '<' {
			sh.endWord()
			sh.skip = true
			continue
		}
		if r >= 0x2E80 && isCJK(r) {
			sh.endWord()
			if sh.prevCJK >= 0 {
				sh.f(uint64(sh.prevCJK)<<32 | uint64(r) ^ 0xc2b2ae3d27d4eb4f)
			} else {
				sh.f(uint64(r) ^ 0x165667b19e3779f9)
			}
			sh.prevCJK = r
			continue
		}
		sh.prevCJK = -1
		if r < utf8.RuneSelf && (r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			sh.word = (sh.word ^ uint64(r)) * fnvPrime
			sh.inWord = true
			continue
		}
		if r >= 'A' && r <= 'Z' {
			sh.word = (sh.word ^ uint64(r+'a'-'A')) * fnvPrime
			sh.inWord = true
			continue
		}
		if r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			r = unicode.ToLower(r)
			var buf [4]byte
			n := utf8.EncodeRune(buf[:], r)
			for _, b := range buf[:n] {
				sh.word = (sh.word ^ uint64(b)) * fnvPrime
			}
			sh.inWord = true
			continue
		}
		if r == '\'' || r == '’' {
			continue // "doesn't" is one word
		}
		sh.endWord()
	}
}

// mix spreads a hash over all 64 bits (splitmix64 finaliser).
func mix(h uint64) uint64 {
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// perm are the odd multipliers and offsets of the SignatureSize hash
// functions h_i(x) = a_i*x + b_i (mod 2^64), high 32 bits kept. Fixed, so
// that signatures are comparable across runs.
var permA, permB = func() (a, b [SignatureSize]uint64) {
	s := uint64(0x243f6a8885a308d3) // digits of pi
	for i := range a {
		s = mix(s + 0x9e3779b97f4a7c15)
		a[i] = s | 1
		s = mix(s + 0x9e3779b97f4a7c15)
		b[i] = s
	}
	return
}()

// Sign returns the MinHash signature of text and the number of shingles;
// a text with no shingles (empty, only punctuation or placeholders) has
// n == 0 and should not be matched against anything.
func Sign(text string) (sig Signature, n int) { return SignTexts(text) }

// SignTexts is Sign of the texts joined by "\n", without building the
// joined string.
func SignTexts(texts ...string) (sig Signature, n int) {
	for i := range sig {
		sig[i] = ^uint32(0)
	}
	sh := shingler{prevCJK: -1, word: fnvOffset, f: func(h uint64) {
		n++
		x := mix(h)
		for i := range sig {
			v := uint32((permA[i]*x + permB[i]) >> 32)
			if v < sig[i] {
				sig[i] = v
			}
		}
	}}
	for k, t := range texts {
		if k > 0 {
			sh.feed("\n")
		}
		sh.feed(t)
	}
	sh.endWord()
	return sig, n
}

// Index holds signatures under caller-chosen ids and finds the most
// similar one. Each band table keeps only the earliest id per band value:
// boilerplate ("Dear support team, … Best regards") makes some band values
// common to thousands of texts, and such a band says nothing, so keeping
// one owner bounds both memory and lookup time (at most Bands
// comparisons). Not safe for concurrent use.
type Index struct {
	threshold float64
	bands     [Bands]map[uint32]int32
	sigs      map[int32]Signature
}

// NewIndex returns an empty index that reports matches with estimated
// similarity >= threshold (0..1; 0.6 suits ticket texts).
func NewIndex(threshold float64) *Index {
	ix := &Index{threshold: threshold, sigs: map[int32]Signature{}}
	for i := range ix.bands {
		ix.bands[i] = map[uint32]int32{}
	}
	return ix
}

// BandKey is the hash of band b (0 ≤ b < Bands) of sig: two signatures
// with equal keys in some band are candidates for a match (locality-
// sensitive hashing); at similarity 0.8 a pair shares at least one band
// with probability 0.985.
func BandKey(sig *Signature, b int) uint32 { return bandKey(sig, b) }

func bandKey(sig *Signature, b int) uint32 {
	h := uint64(fnvOffset) ^ uint64(b)
	for _, v := range sig[b*Rows : (b+1)*Rows] {
		h = (h ^ uint64(v)) * fnvPrime
	}
	return uint32(h ^ h>>32)
}

// Len is the number of signatures held.
func (ix *Index) Len() int { return len(ix.sigs) }

// Nearest returns the id of the most similar signature at or above the
// threshold (the smallest id among equals, for stable results) and its
// estimated similarity; id is -1 when there is none.
func (ix *Index) Nearest(sig *Signature) (id int, sim float64) {
	best, bestSim := int32(-1), 0.0
	for b := range ix.bands {
		c, ok := ix.bands[b][bandKey(sig, b)]
		if !ok {
			continue
		}
		other := ix.sigs[c]
		s := Similarity(&other, sig)
		if s >= ix.threshold && (s > bestSim || s == bestSim && c < best) {
			best, bestSim = c, s
		}
	}
	return int(best), bestSim
}

// Add stores sig under id (replacing an earlier signature with that id).
func (ix *Index) Add(id int, sig Signature) {
	ix.Remove(id)
	ix.sigs[int32(id)] = sig
	for b := range ix.bands {
		k := bandKey(&sig, b)
		if _, taken := ix.bands[b][k]; !taken {
			ix.bands[b][k] = int32(id)
		}
	}
}

// Remove forgets id; later lookups never return it.
func (ix *Index) Remove(id int) {
	s, ok := ix.sigs[int32(id)]
	if !ok {
		return
	}
	delete(ix.sigs, int32(id))
	for b := range ix.bands {
		k := bandKey(&s, b)
		if ix.bands[b][k] == int32(id) {
			delete(ix.bands[b], k)
		}
	}
}
