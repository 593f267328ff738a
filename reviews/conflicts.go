package reviews

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kbops/kbops/knowledge"
)

// Statement is one stated parameter value found in a unit's body: "max.
// ambient temperature 50 °C" gives the parameter "ambient temperature"
// with qualifier "max", the value 50 and the unit °C.
type Statement struct {
	Unit      string
	Line      int    // 1-based line of the body
	Parameter string // normalised phrase: lower case, qualifier and filler words removed
	Qualifier string // "max", "min" or ""
	Value     float64
	Symbol    string // normalised unit of measure: °C, m, W, kPa …
	Text      string // the words as written, for reports
	// Clause is the text the parameter phrase was read from, as written:
	// cross-language comparison finds termbase terms in it.
	Clause string
}

// Key is what two statements must share to be about the same parameter.
func (s Statement) Key() string { return s.Qualifier + "|" + s.Parameter + "|" + s.Symbol }

// quantity matches a number with a unit of measure. Longer unit symbols
// come first so that "mm²" is not read as "m". It is the specification:
// Statements uses findQuantities, which matches the same and is tested
// against it.
var quantity = regexp.MustCompile(`(-?\d+(?:[.,]\d+)?)\s*(°\s?C|℃|°\s?F|℉|mm²|mm2|mm|cm|kW|kVA|W|kV|mV|V|mA|A|kHz|Hz|%|MPa|kPa|bar|kg|g|ms|min|rpm|dB|m|s|h)(?:[^\p{L}\d]|$)`)

type unitNorm struct {
	unit  string
	scale float64
	shift float64
}

var units = map[string]unitNorm{
	"°C": {"°C", 1, 0}, "° C": {"°C", 1, 0}, "℃": {"°C", 1, 0},
	"°F": {"°C", 5.0 / 9, -32 * 5.0 / 9}, "° F": {"°C", 5.0 / 9, -32 * 5.0 / 9}, "℉": {"°C", 5.0 / 9, -32 * 5.0 / 9},
	"mm²": {"mm²", 1, 0}, "mm2": {"mm²", 1, 0},
	"mm": {"m", 0.001, 0}, "cm": {"m", 0.01, 0}, "m": {"m", 1, 0},
	"kW": {"W", 1000, 0}, "W": {"W", 1, 0}, "kVA": {"VA", 1000, 0},
	"kV": {"V", 1000, 0}, "V": {"V", 1, 0}, "mV": {"V", 0.001, 0},
	"A": {"A", 1, 0}, "mA": {"A", 0.001, 0},
	"kHz": {"Hz", 1000, 0}, "Hz": {"Hz", 1, 0}, "%": {"%", 1, 0},
	"MPa": {"kPa", 1000, 0}, "kPa": {"kPa", 1, 0}, "bar": {"kPa", 100, 0},
	"kg": {"kg", 1, 0}, "g": {"kg", 0.001, 0},
	"ms": {"s", 0.001, 0}, "s": {"s", 1, 0}, "min": {"s", 60, 0}, "h": {"s", 3600, 0},
	"rpm": {"rpm", 1, 0}, "dB": {"dB", 1, 0},
}

// qualifiers in the target languages; the phrase keeps the rest.
var qualifiers = map[string]string{
	"max": "max", "max.": "max", "maximum": "max", "maximal": "max", "máx": "max", "máx.": "max", "máximo": "max", "máxima": "max",
	"maximale": "max", "maximaler": "max", "höchste": "max", "maximum:": "max",
	"min": "min", "min.": "min", "minimum": "min", "mínimo": "min", "mínima": "min", "minimale": "min", "minimaler": "min", "mindestens": "min",
	"最高": "max", "最大": "max", "最低": "min", "最小": "min", "不超过": "max", "不低于": "min",
}

// filler words that do not name the parameter.
var filler = map[string]bool{
	"is": true, "are": true, "of": true, "the": true, "a": true, "to": true, "be": true, "must": true, "should": true, "least": true, "rated": true, "up": true, "at": true,
	"es": true, "de": true, "la": true, "el": true, "del": true, "debe": true, "ser": true, "hasta": true, "un": true, "una": true,
	"ist": true, "der": true, "die": true, "das": true, "bis": true, "zu": true, "von": true, "beträgt": true,
	"est": true, "le": true, "du": true, "jusqu'à": true, "é": true, "do": true, "da": true, "até": true,
	"为": true, "是": true, "：": true, ":": true, "=": true, "-": true, "–": true, "约": true, "为：": true,
}

// Statements extracts the parameter values a unit states, one per number
// with a unit of measure that follows a parameter phrase on its line.
func Statements(u *knowledge.Unit) []Statement {
	var out []Statement
	for i, line := range strings.Split(u.Body, "\n") {
		// quantity needs an ASCII digit (\d); most lines of prose have
		// none, and the regexp was most of the time of a conflict check.
		if !strings.ContainsAny(line, "0123456789") {
			continue
		}
		for _, m := range findQuantities(line) {
			num := strings.Replace(line[m[2]:m[3]], ",", ".", 1)
			v, err := strconv.ParseFloat(num, 64)
			if err != nil {
				continue
			}
			n, ok := units[line[m[4]:m[5]]]
			if !ok {
				continue
			}
			before := line[:m[2]]
			// "0 – 40 °C": the upper end is a maximum, the lower a minimum.
			var lo []int
			if endsWithRangeWord(before) {
				lo = findRangeStart(before)
			}
			if lo != nil {
				before = before[:lo[0]]
			}
			qual, phrase, text := phraseBefore(before)
			if phrase == "" && strings.HasPrefix(strings.TrimSpace(line), "|") {
				// A table row "| ambient temperature | 40 °C |": the
				// parameter is named in the cell before.
				if j := strings.LastIndex(strings.TrimRight(before, " \t"), "|"); j > 0 && strings.TrimSpace(before[j+1:]) == "" {
					qual, phrase, text = phraseBefore(before[:j])
				}
			}
			if phrase == "" {
				continue
			}
			st := Statement{
				Unit: u.ID, Line: i + 1, Parameter: phrase, Qualifier: qual,
				Value: math.Round((v*n.scale+n.shift)*1e6) / 1e6, Symbol: n.unit,
				Text: strings.TrimSpace(text + " " + line[m[2]:m[5]]), Clause: text,
			}
			if lo != nil && qual == "" {
				low := strings.Replace(strings.Replace(line[lo[2]:lo[3]], ",", ".", 1), "−", "-", 1)
				if lv, err := strconv.ParseFloat(low, 64); err == nil {
					min := st
					min.Qualifier, min.Value = "min", math.Round((lv*n.scale+n.shift)*1e6)/1e6
					out = append(out, min)
				}
				st.Qualifier = "max"
			}
			out = append(out, st)
		}
	}
	return out
}

// rangeStart matches the lower end of a range that ends where a value
// starts: "0 – ", "-20 to ", "5 bis ", "0～".
var rangeStart = regexp.MustCompile(`([-−]?\d+(?:[.,]\d+)?)\s*(?:` + strings.Join(rangeWords, "|") + `)\s*$`)

// rangeWords join the two ends of a range.
var rangeWords = []string{"–", "—", "-", "~", "～", "to", "bis", "a", "à", "até"}

// endsWithRangeWord reports whether s ends with a range word and white
// space (\s), which rangeStart needs: checking the end first spares
// running an end-anchored regexp over every line prefix.
func endsWithRangeWord(s string) bool {
	s = strings.TrimRight(s, "\t\n\f\r ")
	for _, w := range rangeWords {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}

// phraseBefore reads the parameter phrase that ends where a number starts:
// up to four words (or six Han characters) back to the start of the clause.
func phraseBefore(s string) (qual, phrase, text string) {
	// The clause: after the last sentence or list punctuation.
	if i := strings.LastIndexAny(s, ";!?。；，,()（）|"); i >= 0 {
		_, size := utf8.DecodeRuneInString(s[i:])
		s = s[i+size:]
	}
	s = strings.TrimLeft(s, "-*#> \t")
	text = strings.TrimSpace(s)
	if text == "" {
		return "", "", ""
	}
	var words []string
	if hasHan(s) {
		// Han text has no spaces: qualifiers and filler are characters.
		t := strings.TrimSpace(s)
		t = strings.TrimRight(t, ":：= ")
		if i := strings.LastIndexAny(t, ":："); i >= 0 {
			_, size := utf8.DecodeRuneInString(t[i:])
			t = t[i+size:] // "注意：最高环境温度": the phrase follows the colon
		}
		for q, v := range qualifiers {
			if hasHan(q) && strings.Contains(t, q) {
				qual = v
				t = strings.ReplaceAll(t, q, "")
			}
		}
		for f := range filler {
			if hasHan(f) {
				t = strings.TrimSuffix(strings.TrimSpace(t), f)
			}
		}
		t = strings.TrimRight(strings.TrimSpace(t), ":：=")
		r := []rune(t)
		if len(r) > 6 {
			r = r[len(r)-6:]
		}
		return qual, strings.ToLower(string(r)), text
	}
	fields := strings.Fields(strings.ToLower(s))
	for i := len(fields) - 1; i >= 0 && len(words) < 4; i-- {
		w := fields[i]
		if q, ok := qualifiers[w]; ok {
			qual = q
			if len(words) > 0 {
				break // "max. ambient temperature": the phrase starts after it
			}
			continue
		}
		if strings.HasSuffix(w, ".") && i < len(fields)-1 {
			break // the end of the previous sentence
		}
		w = strings.Trim(w, ":=()\"'“”.")
		if w == "" || filler[w] {
			continue
		}
		if !strings.ContainsFunc(w, unicode.IsLetter) {
			break // "138,5 × 78 × 38,5 mm": a list of values, not a name
		}
		if _, err := strconv.ParseFloat(strings.Replace(w, ",", ".", 1), 64); err == nil {
			break // another value: "230 V 50 Hz"
		}
		words = append(words, w)
	}
	sort.Strings(words) // "temperatura ambiente" and "ambiente temperatura" name one thing
	return qual, strings.Join(words, " "), text
}

func hasHan(s string) bool {
	for _, r := range s {
		if unicode.Is(unicode.Han, r) {
			return true
		}
	}
	return false
}

// Conflict is two units of one product stating different values for one
// parameter, and which of them wins.
//
// For each statement of a checked unit A there is at most one conflict:
// B is the strongest of all the units that contradict it (the one that
// wins by tier, then date, and so decides how A fares: if A beats it, A
// beats them all; if it beats A, A is superseded whatever the weaker
// values say). Others and Values count the rest, so a parameter stated by
// thousands of units with thousands of values gives one conflict per
// checked statement, not one per value or per pair of units.
type Conflict struct {
	A, B Statement
	// Winner is the id of the unit that wins by tier, then effective date;
	// "" when they tie and a person must decide.
	Winner string
	// Why says how the winner was chosen.
	Why string
	// Concepts are the termbase concepts that name the parameter in both
	// units when they are in different languages; nil within a language.
	Concepts []string
	// Others is the number of further units that contradict A (stating
	// B's value or another one); they are not reported one by one.
	Others int
	// Values is the number of distinct values, B's included, that
	// contradict A; 1 when every contradicting unit states B's value.
	Values int
}

// FindConflicts compares the statements of the units checked with those of
// every active unit of the same product and language and returns the
// contradictions that involve a checked unit: for each statement of a
// checked unit, at most one (see Conflict), so the result grows with the
// checked statements, not with the values or the square of the units.
func FindConflicts(all map[string]*knowledge.Unit, checked []string) []Conflict {
	return FindConflictsAcross(all, checked, nil)
}

// FindConflictsAcross is FindConflicts that also compares units of one
// product in different languages when concepts is set: two statements are
// about the same parameter when the termbase concepts named in the text
// of their parameters are the same (and in both units' reviewed concept
// lists), with the same qualifier and normalised unit of measure.
func FindConflictsAcross(all map[string]*knowledge.Unit, checked []string, concepts ConceptFinder) []Conflict {
	return findConflictsAcross(all, checked, concepts, nil)
}

// findConflictsAcross is FindConflictsAcross whose choice of the unit that
// stands for the contradicting units passes over the units skip names for
// a checked unit (Supersede decides pinned pairs first, and the strongest
// unit other than the pinned one must still count).
func findConflictsAcross(all map[string]*knowledge.Unit, checked []string, concepts ConceptFinder, skip func(a, b string) bool) []Conflict {
	out := findConflicts(all, checked, skip)
	if concepts != nil {
		out = append(out, crossLanguageConflicts(all, checked, concepts)...)
		sortConflicts(out)
	}
	return out
}

// valueGroup is the units of one product and language that state one value
// for one parameter, each once (its first such statement), strongest first.
type valueGroup struct {
	value   float64
	members []Statement
}

// paramIndex is every value stated for one parameter (one key) in one
// product and language: the groups ordered by their strongest member, so
// the strongest unit contradicting a statement is found in the first
// groups, not by reading them all. Most parameters are stated by one or
// a few units, so the index holds no map until it has many values.
type paramIndex struct {
	groups  []*valueGroup
	byValue map[float64]int // value → index in groups; nil while there are few
	total   int             // members of all groups
}

// manyValues is the number of values from which a parameter's values are
// looked up in a map rather than by reading the groups.
const manyValues = 8

// find returns the index of the group of value v.
func (p *paramIndex) find(v float64) (int, bool) {
	if p.byValue != nil {
		i, ok := p.byValue[v]
		return i, ok
	}
	for i, g := range p.groups {
		if g.value == v {
			return i, true
		}
	}
	return -1, false
}

// index (re)builds byValue once there are many values.
func (p *paramIndex) index() {
	if len(p.groups) < manyValues {
		return
	}
	p.byValue = make(map[float64]int, len(p.groups))
	for i, g := range p.groups {
		p.byValue[g.value] = i
	}
}

// plain reports whether u names no market, industry or audience: then it
// shares a context with every unit that does not adapt it or is adapted
// by it (sameContext).
func plain(u *knowledge.Unit) bool {
	return len(u.Markets) == 0 && len(u.Industries) == 0 && len(u.Audiences) == 0
}

// stronger reports whether a wins over b by the rule of winner, the unit
// id breaking ties so that the strongest of a group is always the same.
// Without the id it is the order winner decides by, so a unit stronger
// than the strongest contradicting one is stronger than all of them.
func stronger(a, b *knowledge.Unit) bool {
	if ra, rb := a.Tier.Rank(), b.Tier.Rank(); ra != rb {
		return ra < rb
	}
	if da, db := a.Dated(), b.Dated(); da != db {
		return da
	} else if da && !a.Effective.Equal(b.Effective.Time) {
		return a.Effective.After(b.Effective.Time)
	}
	return a.ID < b.ID
}

func findConflicts(all map[string]*knowledge.Unit, checked []string, skip func(a, b string) bool) []Conflict {
	type group struct{ product, lang string }
	idx := map[group]map[string]*paramIndex{}
	stmts := map[string][]Statement{}
	adaptedBy := map[string][]string{} // unit id → the active units adapting it
	ids := make([]string, 0, len(all))
	for id, u := range all {
		if u.Status == knowledge.StatusActive && u.Product != "" {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		u := all[id]
		if u.Adapts != "" {
			adaptedBy[u.Adapts] = append(adaptedBy[u.Adapts], u.ID)
		}
		g := group{u.Product, knowledge.PrimaryLanguage(u.Language)}
		if idx[g] == nil {
			idx[g] = map[string]*paramIndex{}
		}
		sts := Statements(u)
		stmts[id] = sts
		for _, st := range sts {
			k := st.Key()
			p := idx[g][k]
			if p == nil {
				p = &paramIndex{}
				idx[g][k] = p
			}
			i, ok := p.find(st.Value)
			if !ok {
				i = len(p.groups)
				p.groups = append(p.groups, &valueGroup{value: st.Value})
				if p.byValue != nil {
					p.byValue[st.Value] = i
				} else {
					p.index()
				}
			}
			// Units come in id order, so a unit's statements of a group
			// are its last members.
			if m := p.groups[i].members; len(m) > 0 && m[len(m)-1].Unit == u.ID {
				continue // a second line with the same value
			}
			p.groups[i].members = append(p.groups[i].members, st)
			p.total++
		}
	}
	for _, keys := range idx {
		for _, p := range keys {
			for _, vg := range p.groups {
				sort.SliceStable(vg.members, func(i, j int) bool { return stronger(all[vg.members[i].Unit], all[vg.members[j].Unit]) })
			}
			if len(p.groups) > 1 {
				sort.SliceStable(p.groups, func(i, j int) bool {
					return stronger(all[p.groups[i].members[0].Unit], all[p.groups[j].members[0].Unit])
				})
				if p.byValue != nil {
					p.index()
				}
			}
		}
	}
	isChecked := map[string]bool{}
	for _, id := range checked {
		isChecked[id] = true
	}
	type pairKey struct{ a, b, key string }
	seen := map[pairKey]bool{}
	var out []Conflict
	for _, id := range checked {
		u := all[id]
		if u == nil || u.Status != knowledge.StatusActive || u.Product == "" {
			continue
		}
		sts, ok := stmts[id]
		if !ok {
			sts = Statements(u)
		}
		// The units that never share u's context whatever they name.
		excluded := slices.Compact(slices.Sorted(slices.Values(append([]string{u.ID, u.Adapts}, adaptedBy[u.ID]...))))
		uPlain := plain(u)
		g := group{u.Product, knowledge.PrimaryLanguage(u.Language)}
		keys := make([]string, len(sts))
		for i, a := range sts {
			keys[i] = a.Key()
		}
		for i, a := range sts {
			k := keys[i]
			p := idx[g][k]
			if p == nil {
				continue
			}
			// The values u itself states for the parameter: u is no
			// contradiction of its own.
			var own []float64
			for j, b := range sts {
				if keys[j] == k && !slices.Contains(own, b.Value) {
					own = append(own, b.Value)
				}
			}
			rep, n, values := contradicting(p, all, u, a.Value, own, uPlain, excluded, skip)
			if rep == nil {
				continue
			}
			pair := pairKey{u.ID, rep.Unit, k}
			if seen[pair] || seen[pairKey{rep.Unit, u.ID, k}] && isChecked[rep.Unit] {
				continue
			}
			seen[pair] = true
			c := Conflict{A: a, B: *rep, Others: n - 1, Values: values}
			c.Winner, c.Why = winner(u, all[rep.Unit])
			out = append(out, c)
		}
	}
	sortConflicts(out)
	return out
}

// contradicting finds, among the statements of p, the strongest that
// contradicts u's value v and shares u's context (and that skip does not
// name with u), and counts the units and values that contradict it. For a
// plain unit the counts come from the group sizes and the choice from the
// head of the first groups; a unit naming a market reads every member, as
// only those sharing one of its markets count.
func contradicting(p *paramIndex, all map[string]*knowledge.Unit, u *knowledge.Unit, v float64, uValues []float64, uPlain bool, excluded []string, skip func(a, b string) bool) (rep *Statement, n, values int) {
	own, _ := p.find(v)
	usable := func(b *Statement) bool {
		return b.Unit != u.ID && sameContext(u, all[b.Unit]) && (skip == nil || !skip(u.ID, b.Unit))
	}
	if uPlain {
		for gi, vg := range p.groups {
			if gi == own {
				continue
			}
			if rep != nil && stronger(all[rep.Unit], all[vg.members[0].Unit]) {
				break // this group's best, and so all after it, is weaker
			}
			for i := range vg.members {
				if b := &vg.members[i]; usable(b) {
					if rep == nil || stronger(all[b.Unit], all[rep.Unit]) {
						rep = b
					}
					break
				}
			}
		}
		n, values = p.total, len(p.groups)
		if own >= 0 {
			n -= len(p.groups[own].members)
			values--
		}
		gone := map[int]int{}
		for _, x := range excluded {
			switch {
			case x == "":
			case x == u.ID:
				for _, w := range uValues {
					if gi, ok := p.find(w); ok && gi != own {
						n--
						gone[gi]++
					}
				}
			default: // an adaptation: rare, read the groups
				for gi, g := range p.groups {
					if gi != own && slices.ContainsFunc(g.members, func(m Statement) bool { return m.Unit == x }) {
						n--
						gone[gi]++
					}
				}
			}
		}
		for gi, c := range gone {
			if c == len(p.groups[gi].members) {
				values--
			}
		}
		return rep, n, values
	}
	for gi, vg := range p.groups {
		if gi == own {
			continue
		}
		c := 0
		for i := range vg.members {
			b := &vg.members[i]
			if b.Unit == u.ID || !sameContext(u, all[b.Unit]) {
				continue
			}
			c++
			if (skip == nil || !skip(u.ID, b.Unit)) && (rep == nil || stronger(all[b.Unit], all[rep.Unit])) {
				rep = b
			}
		}
		n += c
		if c > 0 {
			values++
		}
	}
	return rep, n, values
}

func sortConflicts(out []Conflict) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].A.Unit != out[j].A.Unit {
			return out[i].A.Unit < out[j].A.Unit
		}
		return out[i].A.Line < out[j].A.Line
	})
}

// sameContext reports whether two units speak to one context, so that
// different values contradict: not when one adapts the other (the
// adaptation says what differs), nor when both name markets, industries
// or audiences and share none (120 V for the US and 230 V for the EU).
func sameContext(a, b *knowledge.Unit) bool {
	if a == nil || b == nil || a.Adapts == b.ID || b.Adapts == a.ID {
		return false
	}
	for _, f := range [][2][]string{{a.Markets, b.Markets}, {a.Industries, b.Industries}, {a.Audiences, b.Audiences}} {
		if len(f[0]) > 0 && len(f[1]) > 0 && !slices.ContainsFunc(f[0], func(x string) bool { return slices.Contains(f[1], x) }) {
			return false
		}
	}
	return true
}

// winner applies the rule of the design: the higher tier wins, then the
// newer effective date.
func winner(a, b *knowledge.Unit) (string, string) {
	switch ra, rb := a.Tier.Rank(), b.Tier.Rank(); {
	case ra < rb:
		return a.ID, fmt.Sprintf("tier %s above %s", a.Tier, b.Tier)
	case rb < ra:
		return b.ID, fmt.Sprintf("tier %s above %s", b.Tier, a.Tier)
	}
	// The ingest date is only when kbops first saw a document, not when
	// its knowledge became valid: a date the document states wins over it,
	// and two undated units are for a person to decide.
	switch da, db := a.Dated(), b.Dated(); {
	case da && !db:
		return a.ID, fmt.Sprintf("same tier %s, %s states its date (%s), %s has only the ingest date", a.Tier, a.ID, a.Effective, b.ID)
	case db && !da:
		return b.ID, fmt.Sprintf("same tier %s, %s states its date (%s), %s has only the ingest date", b.Tier, b.ID, b.Effective, a.ID)
	case !da && !db:
		return "", fmt.Sprintf("same tier %s and neither document states a date: decide by hand", a.Tier)
	}
	switch {
	case a.Effective.After(b.Effective.Time):
		return a.ID, fmt.Sprintf("same tier %s, effective %s is newer than %s", a.Tier, a.Effective, b.Effective)
	case b.Effective.After(a.Effective.Time):
		return b.ID, fmt.Sprintf("same tier %s, effective %s is newer than %s", b.Tier, b.Effective, a.Effective)
	}
	return "", fmt.Sprintf("same tier %s and effective date %s: decide by hand", a.Tier, a.Effective)
}

func formatValue(v float64, unit string) string {
	return strconv.FormatFloat(v, 'f', -1, 64) + " " + unit
}
