package align

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/kbops/kbops/knowledge"
)

// Options tune Siblings; the zero value gives the defaults.
type Options struct {
	// MinScore is the score a pair of units needs to be siblings
	// (default 3). Each feature (section number, page, length, shared
	// anchors, depth) gives up to about two points for agreement and takes
	// as much for disagreement.
	MinScore float64
	// MinCoverage is the share of the smaller document's units that must
	// find a sibling for two documents to count as editions (default 0.6).
	MinCoverage float64
}

func (o Options) withDefaults() Options {
	if o.MinScore == 0 {
		o.MinScore = 3
	}
	if o.MinCoverage == 0 {
		o.MinCoverage = 0.6
	}
	return o
}

// Pair is two units found to say the same thing, with the score of the
// match (higher is surer).
type Pair struct {
	A, B  string
	Score float64
}

// Siblings returns, for every unit that has translation siblings, their
// ids, sorted. Only active core units of manuals with a product are
// considered; documents are paired within a product across primary
// languages. The relation is symmetric, and with three editions a unit's
// siblings are the units of the other two (one per language).
func Siblings(units []*knowledge.Unit, o Options) map[string][]string {
	return Group(Pairs(units, o))
}

// Pairs returns the aligned unit pairs of all editions among units, best
// first; each unit has at most one pair per other language.
func Pairs(units []*knowledge.Unit, o Options) []Pair {
	o = o.withDefaults()
	docs := documents(units)
	var all []Pair
	for i, a := range docs {
		for _, b := range docs[i+1:] {
			if a.product != b.product || a.lang == b.lang {
				continue
			}
			ps := alignDocs(a, b, o)
			if float64(len(ps)) >= o.MinCoverage*float64(min(len(a.units), len(b.units))) {
				all = append(all, ps...)
			}
		}
	}
	// One sibling per unit and language: a unit of a manual that has two
	// editions in one language keeps the better match.
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].Score != all[j].Score {
			return all[i].Score > all[j].Score
		}
		return all[i].A+all[i].B < all[j].A+all[j].B
	})
	lang := map[string]string{}
	for _, u := range units {
		lang[u.ID] = knowledge.PrimaryLanguage(u.Language)
	}
	taken := map[[2]string]bool{}
	var out []Pair
	for _, p := range all {
		if taken[[2]string{p.A, lang[p.B]}] || taken[[2]string{p.B, lang[p.A]}] {
			continue
		}
		taken[[2]string{p.A, lang[p.B]}] = true
		taken[[2]string{p.B, lang[p.A]}] = true
		out = append(out, p)
	}
	return out
}

// Group turns pairs into each unit's sorted siblings, following pairs
// through a third edition (en–de and en–zh make de–zh siblings too).
func Group(pairs []Pair) map[string][]string {
	adj := map[string][]string{}
	for _, p := range pairs {
		adj[p.A] = append(adj[p.A], p.B)
		adj[p.B] = append(adj[p.B], p.A)
	}
	out := map[string][]string{}
	for id := range adj {
		seen := map[string]bool{id: true}
		queue := []string{id}
		for len(queue) > 0 {
			x := queue[0]
			queue = queue[1:]
			for _, y := range adj[x] {
				if !seen[y] {
					seen[y] = true
					queue = append(queue, y)
				}
			}
		}
		delete(seen, id)
		out[id] = slices.Sorted(func(yield func(string) bool) {
			for s := range seen {
				if !yield(s) {
					return
				}
			}
		})
	}
	return out
}

// doc is one manual in one language, with what alignment compares.
type doc struct {
	product, lang string
	units         []*unit
	pages         int     // the last page any unit names
	chars         float64 // total length of the units' text
}

type unit struct {
	id           string
	number       string // leading section number: "4.1", "2" (from "二、")
	trailing     string // trailing number of an unnumbered title: "3" in "Step 3"
	first, last  int    // pages; 0 when unknown
	depth        int    // heading depth, from the unit id
	chars        float64
	anchors      map[string]bool
	titleAnchors map[string]bool
}

func documents(units []*knowledge.Unit) []*doc {
	byKey := map[string]*doc{}
	var keys []string
	for _, u := range units {
		if u.Status != knowledge.StatusActive || u.Product == "" || u.Source.Kind != "manuals" ||
			(u.Layer != "" && u.Layer != knowledge.LayerCore) || u.Source.Document == "" {
			continue
		}
		l := knowledge.PrimaryLanguage(u.Language)
		k := u.Source.Name + "\x00" + u.Source.Document + "\x00" + l
		d := byKey[k]
		if d == nil {
			d = &doc{product: u.Product, lang: l}
			byKey[k] = d
			keys = append(keys, k)
		}
		x := describe(u)
		d.units = append(d.units, x)
		d.pages = max(d.pages, x.last)
		d.chars += x.chars
	}
	sort.Strings(keys)
	out := make([]*doc, 0, len(keys))
	for _, k := range keys {
		d := byKey[k]
		sort.Slice(d.units, func(i, j int) bool { return d.units[i].id < d.units[j].id })
		out = append(out, d)
	}
	return out
}

var (
	leadingNumber = regexp.MustCompile(`^\s*(\d+(?:\.\d+)*)\.?(?:\s|$)`)
	leadingHan    = regexp.MustCompile(`^\s*([一二三四五六七八九十]+)[、.．]`)
	trailingNum   = regexp.MustCompile(`\s(\d+)\s*$`)
	pagesRe       = regexp.MustCompile(`pp?\.\s*(\d+)(?:\s*[–-]\s*(\d+))?`)
)

func describe(u *knowledge.Unit) *unit {
	x := &unit{id: u.ID, chars: float64(len([]rune(u.Title + u.Body)))}
	if m := leadingNumber.FindStringSubmatch(u.Title); m != nil {
		x.number = m[1]
	} else if m := leadingHan.FindStringSubmatch(u.Title); m != nil {
		x.number = strconv.Itoa(hanNumber(m[1]))
	} else if m := trailingNum.FindStringSubmatch(u.Title); m != nil {
		x.trailing = m[1]
	}
	if m := pagesRe.FindStringSubmatch(u.Source.Locator); m != nil {
		x.first, _ = strconv.Atoi(m[1])
		x.last = x.first
		if m[2] != "" {
			x.last, _ = strconv.Atoi(m[2])
		}
	}
	// The heading path is the part of the id after the document's slug,
	// one dot-separated segment per level.
	if i := strings.LastIndex(u.ID, "/"); i >= 0 {
		x.depth = strings.Count(u.ID[i+1:], ".") + 1
	}
	x.anchors = anchors(u.Title + "\n" + u.Body)
	x.titleAnchors = anchors(u.Title)
	return x
}

func hanNumber(s string) int {
	digits := map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9}
	n, cur := 0, 0
	for _, r := range s {
		if r == '十' {
			if cur == 0 {
				cur = 1
			}
			n += cur * 10
			cur = 0
			continue
		}
		cur = digits[r]
	}
	return n + cur
}

// anchors are the tokens of s a translation keeps: numbers and values
// ("3.7", "2600mAh", "PD5"), and Latin words of four letters or more
// written with a capital inside or all in capitals ("MounRiver", "USB",
// "INCLINOMETER", "WCH-LinkE"). Plain words are left out: they are
// translated, and between two Latin-script languages they would match
// by chance.
func anchors(s string) map[string]bool {
	out := map[string]bool{}
	for _, f := range strings.FieldsFunc(s, func(r rune) bool {
		return !(unicode.IsLetter(r) && r < 0x2E80 || unicode.IsDigit(r) || r == '.' || r == '-' || r == ',')
	}) {
		f = strings.Trim(f, ".-,")
		if f == "" {
			continue
		}
		hasDigit := strings.ContainsFunc(f, unicode.IsDigit)
		upperInside := strings.ContainsFunc(f[1:], unicode.IsUpper)
		switch {
		case hasDigit:
			out[strings.ReplaceAll(strings.ToLower(f), ",", ".")] = true
		case len(f) >= 3 && upperInside:
			out[strings.ToLower(f)] = true
		}
	}
	return out
}

// alignDocs matches the units of two editions one to one, best pairs
// first, keeping those that score at least o.MinScore.
func alignDocs(a, b *doc, o Options) []Pair {
	ratio := 1.0
	if a.chars > 0 && b.chars > 0 {
		ratio = a.chars / b.chars
	}
	df := map[string]int{}
	for _, d := range []*doc{a, b} {
		for _, u := range d.units {
			for t := range u.anchors {
				df[t]++
			}
		}
	}
	n := float64(len(a.units) + len(b.units))
	idf := func(t string) float64 { return math.Log(1 + n/float64(df[t])) }
	var cands []Pair
	for _, x := range a.units {
		for _, y := range b.units {
			s := score(x, y, a, b, ratio, idf)
			if s >= o.MinScore {
				cands = append(cands, Pair{A: x.id, B: y.id, Score: s})
			}
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].Score != cands[j].Score {
			return cands[i].Score > cands[j].Score
		}
		return cands[i].A+cands[i].B < cands[j].A+cands[j].B
	})
	used := map[string]bool{}
	var out []Pair
	for _, c := range cands {
		if used[c.A] || used[c.B] {
			continue
		}
		used[c.A], used[c.B] = true, true
		out = append(out, c)
	}
	return out
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// score rates how likely x (of a) and y (of b) are one text in two
// languages.
func score(x, y *unit, a, b *doc, ratio float64, idf func(string) float64) float64 {
	s := 0.0
	switch {
	case x.number != "" && y.number != "":
		if x.number == y.number {
			s += 3
		} else {
			s -= 4
		}
	case x.number != "" || y.number != "":
		s -= 1
	case x.trailing != "" && y.trailing != "":
		if x.trailing == y.trailing {
			s += 2
		} else {
			s -= 3
		}
	}
	// The place in the document: editions keep the page layout roughly.
	if x.first > 0 && y.first > 0 && a.pages > 0 && b.pages > 0 {
		near := func(p, q int) float64 {
			d := math.Abs(float64(p)/float64(a.pages) - float64(q)/float64(b.pages))
			return clamp(1.5*(1-d/0.06), -1.5, 1.5)
		}
		s += near(x.first, y.first) + near(x.last, y.last)
	}
	if x.depth == y.depth {
		s += 0.5
	} else {
		s -= 0.5
	}
	// A translation is about as long, relative to its whole edition.
	if x.chars > 0 && y.chars > 0 {
		d := math.Abs(math.Log(x.chars / y.chars / ratio))
		s += clamp(1.5*(1-d/0.35), -1.5, 1.5)
	}
	s += 3 * overlap(x.anchors, y.anchors, idf)
	s += 1.5 * overlap(x.titleAnchors, y.titleAnchors, idf)
	return s
}

// overlap is the idf-weighted cosine of two token sets; 0 when either is
// empty. The sums run in sorted order: summed in map order, two editions
// that are copies of each other would score a hair apart at random, and
// which copy a unit is paired with (published as its sibling) would
// change from run to run.
func overlap(p, q map[string]bool, idf func(string) float64) float64 {
	if len(p) == 0 || len(q) == 0 {
		return 0
	}
	var dot, np, nq float64
	for _, t := range slices.Sorted(maps.Keys(p)) {
		w := idf(t)
		np += w * w
		if q[t] {
			dot += w * w
		}
	}
	for _, t := range slices.Sorted(maps.Keys(q)) {
		w := idf(t)
		nq += w * w
	}
	return dot / math.Sqrt(np*nq)
}
