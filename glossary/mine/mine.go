package mine

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/align"
	"github.com/kbops/kbops/knowledge/text/stem"
)

// Options tune Suggest; the zero value gives the defaults.
type Options struct {
	// MinPairs is how many aligned pairs must contain both terms
	// (default 3): in one or two, phrases that merely stand side by side
	// score as well as translations.
	MinPairs int
	// MinScore is the least Dice coefficient of the two terms' pair
	// counts (default 0.6): 2·together / (pairs with one + pairs with
	// the other). 1 means they never occur apart.
	MinScore float64
	// MaxWords is the longest candidate in words of a spaced script
	// (default 3); Han and Kana candidates are 2 to MaxWords+1
	// characters.
	MaxWords int
	// MaxShare is the largest share of a language pair's aligned pairs a
	// candidate may occur in (default 0.5) once there are twenty or more:
	// "nicht" and "not" are in most units and name nothing.
	MaxShare float64
	// Langs, when set, keeps only suggestions whose two languages are
	// both in it (primary subtags).
	Langs []string
}

func (o Options) withDefaults() Options {
	if o.MinPairs == 0 {
		o.MinPairs = 3
	}
	if o.MaxShare == 0 {
		o.MaxShare = 0.5
	}
	if o.MinScore == 0 {
		o.MinScore = 0.6
	}
	if o.MaxWords == 0 {
		o.MaxWords = 3
	}
	return o
}

// Suggestion is one proposed term pair and the evidence for it.
type Suggestion struct {
	// Langs are the two primary languages, in order; Terms the terms in
	// them, as most often written.
	Langs [2]string
	Terms [2]string
	// Together is the number of aligned pairs whose units contain both
	// terms; Counts the pairs of this language pair whose unit in Langs[i]
	// contains Terms[i].
	Together int
	Counts   [2]int
	// Score is the Dice coefficient 2·Together/(Counts[0]+Counts[1]).
	Score float64
	// Evidence is up to three of the aligned pairs that contain both,
	// as unit ids in the order of Langs.
	Evidence [][2]string
}

// String is the suggestion as a report line.
func (s Suggestion) String() string {
	return fmt.Sprintf("%s %q = %s %q  (score %.2f: together in %d aligned pairs; %s in %d, %s in %d)",
		s.Langs[0], s.Terms[0], s.Langs[1], s.Terms[1], s.Score, s.Together, s.Langs[0], s.Counts[0], s.Langs[1], s.Counts[1])
}

// Known reports whether a term (any letter case) is already in the
// termbase for a primary language; Suggest leaves such terms out.
type Known func(lang, term string) bool

// Suggest proposes term pairs from the aligned unit pairs among units
// (align.Pairs). Candidates are word n-grams of spaced scripts that
// neither start nor end with a function word, and Han or Kana runs cut
// into 2 to MaxWords+1 characters; a candidate written the same in both
// units of a pair (a part number, a code) is no translation and is left
// out of that pair. A candidate that only ever occurs inside one longer
// candidate (as often as it) is that longer one's fragment and is left
// out. The pairs are then linked one to one, best score first (then the
// most pairs together, then the longer terms): a term is proposed with
// at most one translation per language. Suggestions are sorted by
// language pair, then score.
func Suggest(units []*knowledge.Unit, pairs []align.Pair, known Known, o Options) []Suggestion {
	o = o.withDefaults()
	byID := make(map[string]*knowledge.Unit, len(units))
	for _, u := range units {
		byID[u.ID] = u
	}
	type side struct {
		lang string
		text string // lower case, for the "written the same" test
		u    *knowledge.Unit
	}
	type lpair [2]string
	// Per language pair: the candidate sets of each aligned pair.
	type aligned struct {
		ids  [2]string
		sets [2]map[string][]float64 // candidate → where it occurs
	}
	byLang := map[lpair][]aligned{}
	surface := map[string]map[string]map[string]int{} // lang → key → as written → count
	for _, p := range pairs {
		a, b := byID[p.A], byID[p.B]
		if a == nil || b == nil {
			continue
		}
		la, lb := knowledge.PrimaryLanguage(a.Language), knowledge.PrimaryLanguage(b.Language)
		if la == lb || !wanted(o.Langs, la) || !wanted(o.Langs, lb) {
			continue
		}
		if lb < la {
			a, b, la, lb = b, a, lb, la
		}
		sides := [2]side{{la, strings.ToLower(text(a)), a}, {lb, strings.ToLower(text(b)), b}}
		var al aligned
		al.ids = [2]string{a.ID, b.ID}
		for i, s := range sides {
			other := sides[1-i].text
			al.sets[i] = map[string][]float64{}
			if surface[s.lang] == nil {
				surface[s.lang] = map[string]map[string]int{}
			}
			for key, c := range candidates(text(s.u), s.lang, o.MaxWords) {
				if strings.Contains(other, key) {
					continue // the same in both: a code, a name, a number
				}
				al.sets[i][key] = c.at
				if surface[s.lang][key] == nil {
					surface[s.lang][key] = map[string]int{}
				}
				surface[s.lang][key][c.written]++
			}
		}
		byLang[lpair{la, lb}] = append(byLang[lpair{la, lb}], al)
	}
	var out []Suggestion
	for _, lp := range slices.SortedFunc(maps.Keys(byLang), func(x, y lpair) int { return cmp.Compare(x[0]+x[1], y[0]+y[1]) }) {
		als := byLang[lp]
		var count [2]map[string]int
		for i := range count {
			count[i] = map[string]int{}
			for _, al := range als {
				for k := range al.sets[i] {
					count[i][k]++
				}
			}
			// Decided on the full counts, then removed: a fragment is
			// judged against every longer candidate, kept or not.
			var drop []string
			frag := fragments(count[i])
			for k, n := range count[i] {
				common := len(als) >= 20 && float64(n) > o.MaxShare*float64(len(als))
				if n < o.MinPairs || common || frag[k] || (known != nil && known(lp[i], k)) {
					drop = append(drop, k)
				}
			}
			for _, k := range drop {
				delete(count[i], k)
			}
		}
		type link struct{ s, t string }
		together := map[link]int{}
		apart := map[link]float64{} // the sum over pairs of how far apart they occur
		evidence := map[link][][2]string{}
		for _, al := range als {
			for s, sat := range al.sets[0] {
				if _, ok := count[0][s]; !ok {
					continue
				}
				for t, tat := range al.sets[1] {
					if _, ok := count[1][t]; !ok {
						continue
					}
					l := link{s, t}
					together[l]++
					apart[l] += nearest(sat, tat)
					if len(evidence[l]) < 3 {
						evidence[l] = append(evidence[l], al.ids)
					}
				}
			}
		}
		var cands []Suggestion
		for l, n := range together {
			if n < o.MinPairs {
				continue
			}
			// A translation stands where the term stands: the Dice
			// coefficient weighed by how near, as shares of each text,
			// the two occur.
			score := 2 * float64(n) / float64(count[0][l.s]+count[1][l.t]) * (1 - apart[l]/float64(n))
			if score < o.MinScore {
				continue
			}
			cands = append(cands, Suggestion{
				Langs: lp, Terms: [2]string{l.s, l.t}, Together: n,
				Counts: [2]int{count[0][l.s], count[1][l.t]}, Score: score, Evidence: evidence[l],
			})
		}
		slices.SortFunc(cands, func(x, y Suggestion) int {
			if c := cmp.Compare(y.Score, x.Score); c != 0 {
				return c
			}
			if c := cmp.Compare(y.Together, x.Together); c != 0 {
				return c
			}
			if c := cmp.Compare(len(y.Terms[0])+len(y.Terms[1]), len(x.Terms[0])+len(x.Terms[1])); c != 0 {
				return c
			}
			return cmp.Compare(x.Terms[0]+"\x00"+x.Terms[1], y.Terms[0]+"\x00"+y.Terms[1])
		})
		taken := [2]map[string]bool{{}, {}}
		for _, c := range cands {
			if taken[0][c.Terms[0]] || taken[1][c.Terms[1]] {
				continue
			}
			taken[0][c.Terms[0]], taken[1][c.Terms[1]] = true, true
			for i := range c.Terms {
				c.Terms[i] = mostWritten(surface[lp[i]][c.Terms[i]], c.Terms[i])
			}
			slices.SortFunc(c.Evidence, func(x, y [2]string) int { return cmp.Compare(x[0]+x[1], y[0]+y[1]) })
			out = append(out, c)
		}
	}
	return out
}

// nearest is the least distance between a position of a and one of b.
func nearest(a, b []float64) float64 {
	d := 1.0
	for _, x := range a {
		for _, y := range b {
			d = min(d, max(x-y, y-x))
		}
	}
	return d
}

func wanted(langs []string, l string) bool {
	return len(langs) == 0 || slices.Contains(langs, l)
}

// text is what a unit says: its title and body.
func text(u *knowledge.Unit) string { return u.Title + "\n" + u.Body }

// mostWritten is the spelling of a candidate seen most often (then the
// first in order), so a German noun keeps its capital.
func mostWritten(forms map[string]int, key string) string {
	best, n := key, 0
	for f, c := range forms {
		if c > n || c == n && f < best {
			best, n = f, c
		}
	}
	return best
}

// fragments returns the candidates of count that occur only inside a
// longer candidate found as often: one word (or character) more on either
// side.
func fragments(count map[string]int) map[string]bool {
	out := map[string]bool{}
	for longer, m := range count {
		var subs [2]string
		if cjk(longer) {
			r := []rune(longer)
			if len(r) < 3 {
				continue
			}
			subs = [2]string{string(r[1:]), string(r[:len(r)-1])}
		} else {
			i, j := strings.IndexByte(longer, ' '), strings.LastIndexByte(longer, ' ')
			if i < 0 {
				continue
			}
			subs = [2]string{longer[i+1:], longer[:j]}
		}
		for _, sub := range subs {
			if count[sub] == m {
				out[sub] = true
			}
		}
	}
	return out
}

func runeLen(s string) int { return len([]rune(s)) }

// candidate is one candidate term of a text: one spelling as written,
// and where it occurs, as shares of the text's length (at most eight).
type candidate struct {
	written string
	at      []float64
}

// candidates returns the candidate terms of s in lang by their lower-case
// key.
func candidates(s, lang string, maxWords int) map[string]*candidate {
	out := map[string]*candidate{}
	total := float64(max(runeLen(s), 1))
	add := func(key, written string, at int) {
		c := out[key]
		if c == nil {
			c = &candidate{written: written}
			out[key] = c
		}
		if len(c.at) < 8 {
			c.at = append(c.at, float64(at)/total)
		}
	}
	for _, seg := range segments(s) {
		if cjk(seg.text) {
			r := []rune(seg.text)
			for i := range r {
				for n := 2; n <= maxWords+1 && i+n <= len(r); n++ {
					w := string(r[i : i+n])
					add(w, w, seg.at+i)
				}
			}
			continue
		}
		words := strings.Fields(seg.text)
		at := seg.at
		for i := range words {
			for n := 1; n <= maxWords && i+n <= len(words); n++ {
				first, last := strings.ToLower(words[i]), strings.ToLower(words[i+n-1])
				if stem.Stopword(lang, first) || stem.Stopword(lang, last) || !termWord(first) || !termWord(last) {
					continue
				}
				if n == 1 && runeLen(first) < 3 {
					continue
				}
				w := strings.Join(words[i:i+n], " ")
				add(strings.ToLower(w), w, at)
			}
			at += runeLen(words[i]) + 1
		}
	}
	return out
}

// termWord reports whether w can begin or end a term: it has a letter
// and is not a number with a unit.
func termWord(w string) bool {
	letters := 0
	for _, r := range w {
		switch {
		case unicode.IsLetter(r):
			letters++
		case unicode.IsDigit(r):
			return false
		}
	}
	return letters > 0
}

// segment is a run of text a term can lie in, and where it starts (in
// runes).
type segment struct {
	text string
	at   int
}

// segments cuts s where a term cannot go on: at punctuation, line ends,
// and between a Han or Kana run and other text. Words keep inner hyphens
// and apostrophes.
func segments(s string) []segment {
	var out []segment
	var b strings.Builder
	kind, start := 0, 0 // kind: 0 none, 1 spaced, 2 CJK
	rs := []rune(s)
	flush := func(i int) {
		if t := strings.TrimRight(b.String(), " "); t != "" {
			out = append(out, segment{t, start})
		}
		b.Reset()
		kind, start = 0, i
	}
	for i, r := range rs {
		if b.Len() == 0 {
			start = i
		}
		switch {
		case isCJK(r):
			if kind == 1 {
				flush(i)
			}
			kind = 2
			b.WriteRune(r)
		case unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r):
			if kind == 2 {
				flush(i)
			}
			kind = 1
			b.WriteRune(r)
		case r == ' ' || r == '\t':
			if kind == 2 {
				flush(i + 1)
			} else if kind == 1 {
				b.WriteRune(' ')
			}
		case (r == '-' || r == '\'' || r == '’') && kind == 1 && i+1 < len(rs) && unicode.IsLetter(rs[i+1]):
			b.WriteRune(r)
		default:
			flush(i + 1)
		}
	}
	flush(len(rs))
	return out
}

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) || unicode.Is(unicode.Katakana, r) || r == 'ー'
}

func cjk(s string) bool {
	for _, r := range s {
		return isCJK(r)
	}
	return false
}
