package reviews

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/contextlib"
	"github.com/kbops/kbops/knowledge/text/cluster"
	"github.com/kbops/kbops/knowledge/text/lang"
	"github.com/kbops/kbops/knowledge/text/redact"
)

// Finding is one result of the automated checks, shown to the reviewer of
// its stage as file:line.
type Finding struct {
	Stage Stage
	Unit  string
	File  string // repository path
	Line  int    // 1-based line in File; 0 for the file as a whole
	// Code is stable, for scripts: provenance, source-changed, conflict,
	// language, length, personal-data, glossary codes, markdown,
	// near-duplicate, broken-relation, retired-relation.
	Code    string
	Message string
	// Blocking findings stop approval of their stage unless the reviewer
	// waives them with a reason (see Waiver): leftover personal data,
	// forbidden terms and conflicting values with no winner. The rest
	// are advice.
	Blocking bool
}

func (f Finding) String() string {
	loc := f.File
	if f.Line > 0 {
		loc = fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	code := f.Code
	if f.Blocking {
		code += " (blocking)"
	}
	return fmt.Sprintf("%s: %s: %s: %s", loc, f.Stage, code, f.Message)
}

// Codes of the findings that block approval.
const (
	CodePersonalData = "personal-data"
	CodeConflict     = "conflict"
)

// blockingCode reports whether findings with code block their stage
// (conflicts block only when no winner is known; see checker.conflict).
func blockingCode(code string) bool {
	return code == CodePersonalData || code == string(glossary.CodeForbidden)
}

// BlockingFindings runs only the checks whose findings block approval, for
// the stages given (all when none), on units ids of s. Approve and verify
// run them; they cost a fraction of Check.
func BlockingFindings(s *Snapshot, ids []string, o CheckOptions, stages ...Stage) []Finding {
	if o.Redactor == nil {
		o.Redactor = redact.Default()
	}
	if len(stages) == 0 {
		stages = Stages
	}
	c := &checker{s: s, o: o, offsets: map[string]int{}}
	var live []string
	for _, id := range ids {
		if u := s.Units[id]; u != nil && u.Status == knowledge.StatusActive {
			live = append(live, id)
		}
	}
	for _, st := range stages {
		switch st {
		case Technical:
			for _, k := range FindConflictsAcross(s.Units, live, o.concepts()) {
				if k.Winner == "" {
					c.conflict(k)
				}
			}
		case Expression:
			for _, id := range live {
				c.personalData(s.Units[id])
				for _, f := range c.glossary(s.Units[id]).Findings {
					if f.Code == glossary.CodeForbidden {
						c.add(Expression, s.Units[id], max(f.Line, 1), string(f.Code), "%s", glossaryMessage(f))
					}
				}
			}
		}
	}
	blocking := c.out[:0]
	for _, f := range c.out {
		if f.Blocking {
			blocking = append(blocking, f)
		}
	}
	return blocking
}

// CheckOptions tune the checks. The zero value runs every check that needs
// nothing from outside the repository.
type CheckOptions struct {
	// Stages limits the checks to these stages; empty means all three.
	Stages []Stage
	// Glossary, when set, reports terminology findings (forbidden and
	// deprecated terms for expression, the rest for consistency).
	Glossary *glossary.Matcher
	// Context, when set, is the context library the unit's markets,
	// industries and audiences must be in (code unknown-context).
	Context *contextlib.Library
	// Concepts, when set, relates statements across languages for the
	// conflict check; nil uses Glossary's concepts (none without it).
	Concepts ConceptFinder
	// Redactor finds leftover personal data; nil means redact.Default().
	Redactor *redact.Redactor
	// RedactorFor, when set, gives the redactor of a unit's source (with
	// its allow list) and whether that source is redacted at all. Personal
	// data in a unit of a source that is not redacted (manuals, by default:
	// a vendor's hotline is content) is reported but does not block; a nil
	// redactor falls back to Redactor.
	RedactorFor func(source string) (r *redact.Redactor, redacted bool)
	// SourceToken, when set, returns the current change token of a source
	// document as the local ingestion state knows it; a unit whose
	// source.hash differs no longer matches its source.
	SourceToken func(source, document string) (string, bool)
	// MinChars and MaxChars bound a unit body's length in characters;
	// zero means 20 and 8000.
	MinChars, MaxChars int
	// DuplicateThreshold is the estimated similarity from which two
	// units are near-duplicates; zero means 0.8.
	DuplicateThreshold float64
}

// Check runs the automated checks of the stages on the units ids of s
// (the units changed on the review branch, typically) against the whole
// snapshot, and returns the findings sorted by file and line.
func Check(s *Snapshot, ids []string, o CheckOptions) []Finding {
	if o.Redactor == nil {
		o.Redactor = redact.Default()
	}
	if o.MinChars == 0 {
		o.MinChars = 20
	}
	if o.MaxChars == 0 {
		o.MaxChars = 8000
	}
	if o.DuplicateThreshold == 0 {
		o.DuplicateThreshold = 0.8
	}
	want := map[Stage]bool{}
	for _, st := range o.Stages {
		want[st] = true
	}
	if len(want) == 0 {
		for _, st := range Stages {
			want[st] = true
		}
	}
	c := &checker{s: s, o: o, offsets: map[string]int{}}
	var ids2 []string
	for _, id := range ids {
		if s.Units[id] != nil {
			ids2 = append(ids2, id)
		}
	}
	if want[Technical] {
		for _, id := range ids2 {
			c.technical(s.Units[id])
		}
		for _, k := range FindConflictsAcross(s.Units, ids2, o.concepts()) {
			c.conflict(k)
		}
	}
	if want[Expression] {
		for _, id := range ids2 {
			c.expression(s.Units[id])
		}
	}
	if want[Consistency] {
		for _, id := range ids2 {
			c.consistency(s.Units[id])
		}
		c.duplicates(ids2)
		if !want[Technical] {
			// Contradicting values are a consistency matter too.
			for _, k := range FindConflictsAcross(s.Units, ids2, o.concepts()) {
				c.conflict(k)
			}
		}
	}
	sort.SliceStable(c.out, func(i, j int) bool {
		a, b := c.out[i], c.out[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Stage.Index() < b.Stage.Index()
	})
	return c.out
}

type checker struct {
	s       *Snapshot
	o       CheckOptions
	out     []Finding
	offsets map[string]int // unit id → file line of the body's first line, minus one
	glos    map[string]glossary.Result
}

func (c *checker) add(st Stage, u *knowledge.Unit, bodyLine int, code, format string, args ...any) {
	line := 0
	if bodyLine > 0 {
		line = c.offset(u.ID) + bodyLine
	}
	c.out = append(c.out, Finding{Stage: st, Unit: u.ID, File: knowledge.FilePath(u.ID), Line: line, Code: code, Message: fmt.Sprintf(format, args...), Blocking: blockingCode(code)})
}

// offset is the number of file lines before the body: the front matter
// and the blank line after it.
func (c *checker) offset(id string) int {
	if n, ok := c.offsets[id]; ok {
		return n
	}
	n := 0
	if c.s.repo != nil {
		if b, ok, err := c.s.repo.ReadPath(c.s.Tree, knowledge.FilePath(id)); err == nil && ok {
			if i := bytes.Index(b[min(4, len(b)):], []byte("\n---\n")); i >= 0 {
				n = bytes.Count(b[:i+4+5], []byte("\n"))
				if bytes.HasPrefix(b[i+4+5:], []byte("\n")) {
					n++
				}
			}
		}
	}
	c.offsets[id] = n
	return n
}

func (c *checker) technical(u *knowledge.Unit) {
	var missing []string
	for _, f := range []struct{ name, v string }{{"source.name", u.Source.Name}, {"source.uri", u.Source.URI}, {"source.document", u.Source.Document}, {"source.hash", u.Source.Hash}} {
		if strings.TrimSpace(f.v) == "" {
			missing = append(missing, f.name)
		}
	}
	if u.Source.FetchedAt.IsZero() {
		missing = append(missing, "source.fetched_at")
	}
	if len(missing) > 0 {
		c.add(Technical, u, 0, "provenance", "provenance incomplete: %s missing; a reviewer cannot check the unit against its source", strings.Join(missing, ", "))
	}
	if c.o.SourceToken != nil && u.Status == knowledge.StatusActive {
		if tok, ok := c.o.SourceToken(u.Source.Name, u.Source.Document); ok && tok != u.Source.Hash {
			c.add(Technical, u, 0, "source-changed", "its document %s changed since this version was extracted (token %s, now %s); run `kbops ingest` before approving", u.Source.Document, short(u.Source.Hash), short(tok))
		}
	}
}

func short(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

func (c *checker) conflict(k Conflict) {
	a, b := c.s.Units[k.A.Unit], c.s.Units[k.B.Unit]
	verdict := "no winner: " + k.Why
	if k.Winner != "" {
		verdict = fmt.Sprintf("winner %s (%s)", knowledge.FilePath(k.Winner), k.Why)
	}
	across := ""
	if len(k.Concepts) > 0 {
		across = fmt.Sprintf(" (in %s, the same concept %s)", b.Language, strings.Join(k.Concepts, ", "))
	}
	// The unit named is the strongest of those contradicting; the rest are
	// counted, so a parameter stated by thousands of units stays readable.
	others := ""
	switch {
	case k.Values > 1:
		others = fmt.Sprintf(", the strongest of %d units stating %d other values", k.Others+1, k.Values)
	case k.Others == 1:
		others = ", as does 1 other unit"
	case k.Others > 1:
		others = fmt.Sprintf(", as do %d other units", k.Others)
	}
	c.add(Technical, a, k.A.Line, CodeConflict, "%q states %s here, %s:%d%s states %s (%q, tier %s, effective %s)%s; %s",
		k.A.Text, formatValue(k.A.Value, k.A.Symbol), knowledge.FilePath(b.ID), c.offset(b.ID)+k.B.Line, across,
		formatValue(k.B.Value, k.B.Symbol), k.B.Text, b.Tier, b.Effective, others, verdict)
	// Which value the agent should give is undecided: that must not
	// reach it by default.
	c.out[len(c.out)-1].Blocking = k.Winner == ""
}

func (c *checker) expression(u *knowledge.Unit) {
	if u.Status != knowledge.StatusActive {
		return
	}
	if got := lang.Detect(u.Title + "\n" + u.Body); got != "" && got != knowledge.PrimaryLanguage(u.Language) {
		c.add(Expression, u, 1, "language", "the text reads as %q but the unit declares language %q; fix the text or the language field", got, u.Language)
	}
	if n := utf8.RuneCountInString(strings.TrimSpace(u.Body)); n < c.o.MinChars {
		c.add(Expression, u, 1, "length", "body has %d characters, fewer than %d: too short to answer a question on its own", n, c.o.MinChars)
	} else if n > c.o.MaxChars {
		c.add(Expression, u, 1, "length", "body has %d characters, more than %d: split it into smaller units", n, c.o.MaxChars)
	}
	c.personalData(u)
	for _, f := range c.glossary(u).Findings {
		if f.Code == glossary.CodeForbidden || f.Code == glossary.CodeDeprecated || f.Code == glossary.CodeWrongVariant {
			c.add(Expression, u, max(f.Line, 1), string(f.Code), "%s", glossaryMessage(f))
		}
	}
	c.markdown(u)
}

func (c *checker) personalData(u *knowledge.Unit) {
	r, blocking := c.o.Redactor, true
	if c.o.RedactorFor != nil {
		if sr, redacted := c.o.RedactorFor(u.Source.Name); sr != nil {
			r, blocking = sr, redacted
		}
	}
	lines := lineStarts(u.Body)
	for _, m := range r.Find(u.Body, nil) {
		c.add(Expression, u, lineOf(lines, m.Start), CodePersonalData, "leftover personal data (%s); remove it before approving", m.Kind)
		c.out[len(c.out)-1].Blocking = blocking
	}
}

func glossaryMessage(f glossary.Finding) string {
	msg := f.Message
	if msg == "" {
		msg = fmt.Sprintf("term %q", f.Term)
	}
	if f.Suggestion != "" && !strings.Contains(msg, f.Suggestion) {
		msg += fmt.Sprintf("; write %q", f.Suggestion)
	}
	return msg
}

func (c *checker) glossary(u *knowledge.Unit) glossary.Result {
	if c.o.Glossary == nil {
		return glossary.Result{}
	}
	if c.glos == nil {
		c.glos = map[string]glossary.Result{}
	}
	if r, ok := c.glos[u.ID]; ok {
		return r
	}
	r := c.o.Glossary.Map(u)
	c.glos[u.ID] = r
	return r
}

var fenceLine = regexp.MustCompile("^\\s{0,3}(```+|~~~+)")

// markdown finds what renders broken: an unclosed code fence, a table
// whose rows have a different number of cells than its header.
func (c *checker) markdown(u *knowledge.Unit) {
	lines := strings.Split(u.Body, "\n")
	open, openAt := "", 0
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if m := fenceLine.FindStringSubmatch(l); m != nil {
			switch {
			case open == "":
				open, openAt = m[1], i+1
			case strings.HasPrefix(m[1], open[:1]) && len(m[1]) >= len(open):
				open = ""
			}
			continue
		}
		if open != "" {
			continue
		}
		// A table: header row, then a delimiter row of dashes and pipes.
		if i+1 < len(lines) && strings.Contains(l, "|") && isDelimiterRow(lines[i+1]) {
			want := cells(l)
			if got := cells(lines[i+1]); got != want {
				c.add(Expression, u, i+2, "markdown", "table delimiter row has %d cells, the header %d", got, want)
			}
			for j := i + 2; j < len(lines) && strings.Contains(lines[j], "|"); j++ {
				if got := cells(lines[j]); got != want {
					c.add(Expression, u, j+1, "markdown", "table row has %d cells, the header %d", got, want)
				}
				i = j
			}
		}
	}
	if open != "" {
		c.add(Expression, u, openAt, "markdown", "code fence %s is never closed: the rest of the unit renders as code", open)
	}
}

func isDelimiterRow(l string) bool {
	t := strings.TrimSpace(l)
	return strings.Contains(t, "-") && strings.Trim(t, "|-: ") == ""
}

func cells(l string) int {
	t := strings.TrimSpace(l)
	t = strings.TrimPrefix(t, "|")
	t = strings.TrimSuffix(t, "|")
	t = strings.ReplaceAll(t, `\|`, "")
	return strings.Count(t, "|") + 1
}

func lineStarts(s string) []int {
	starts := []int{0}
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

func lineOf(starts []int, off int) int {
	return sort.Search(len(starts), func(i int) bool { return starts[i] > off })
}

// relation is a Markdown link to another unit: kb:<id> or units/<id>.md.
var relation = regexp.MustCompile(`\]\(\s*(?:kb:([^)\s#]+)|(?:\.\./)*(?:/)?units/([^)\s#]+)\.md)`)

func (c *checker) consistency(u *knowledge.Unit) {
	for _, f := range c.glossary(u).Findings {
		if f.Code != glossary.CodeForbidden && f.Code != glossary.CodeDeprecated && f.Code != glossary.CodeWrongVariant {
			c.add(Consistency, u, max(f.Line, 1), string(f.Code), "%s", glossaryMessage(f))
		}
	}
	for i, l := range strings.Split(u.Body, "\n") {
		for _, m := range relation.FindAllStringSubmatch(l, -1) {
			target := m[1] + m[2]
			t, ok := c.s.Units[target]
			switch {
			case !ok:
				c.add(Consistency, u, i+1, "broken-relation", "links to unit %s, which does not exist; fix or remove the link", target)
			case t.Status == knowledge.StatusRetired && u.Status == knowledge.StatusActive:
				c.add(Consistency, u, i+1, "retired-relation", "links to unit %s, which is retired; link to its successor or remove the link", target)
			}
		}
	}
	if u.Adapts != "" && u.Status == knowledge.StatusActive {
		switch t, ok := c.s.Units[u.Adapts]; {
		case !ok:
			c.add(Consistency, u, 0, "broken-relation", "adapts unit %s, which does not exist; fix `adapts`", u.Adapts)
		case t.Status == knowledge.StatusRetired:
			c.add(Consistency, u, 0, "retired-relation", "adapts unit %s, which is retired; adapt its successor", u.Adapts)
		case len(u.Markets) == 0 && len(u.Industries) == 0 && len(u.Audiences) == 0:
			c.add(Consistency, u, 0, "unknown-context", "adapts %s but names no market, industry or audience it adapts it for", u.Adapts)
		}
	}
	if c.o.Context != nil && u.Status == knowledge.StatusActive {
		for _, f := range c.o.Context.Check(u) {
			c.add(Consistency, u, 0, "unknown-context", "%s; add it to the library or fix the unit", f)
		}
	}
	if u.Status == knowledge.StatusRetired {
		// A retired unit that others still link to leaves them dangling.
		for _, id := range c.s.IDs() {
			o := c.s.Units[id]
			if o.Status != knowledge.StatusActive || o.ID == u.ID {
				continue
			}
			for _, m := range relation.FindAllStringSubmatch(o.Body, -1) {
				if m[1]+m[2] == u.ID {
					c.add(Consistency, u, 0, "retired-relation", "retired, but %s still links to it", knowledge.FilePath(o.ID))
					break
				}
			}
		}
	}
}

// duplicates finds near-duplicates of the checked units: the same text in
// one language (MinHash), or, across languages, units of one product that
// name the same set of glossary concepts (a translation kept twice).
func (c *checker) duplicates(ids []string) {
	all := c.s.IDs()
	sigs := make([]cluster.Signature, len(all))
	pos := map[string]int{}
	byLang := map[string]*cluster.Index{}
	for i, id := range all {
		u := c.s.Units[id]
		pos[id] = i
		if u.Status != knowledge.StatusActive {
			continue
		}
		sig, n := cluster.Sign(u.Title + "\n" + u.Body)
		if n < 8 {
			continue // too short to tell
		}
		sigs[i] = sig
		l := knowledge.PrimaryLanguage(u.Language)
		if byLang[l] == nil {
			byLang[l] = cluster.NewIndex(c.o.DuplicateThreshold)
		}
		byLang[l].Add(i, sig)
	}
	for _, id := range ids {
		u := c.s.Units[id]
		if u.Status != knowledge.StatusActive {
			continue
		}
		ix := byLang[knowledge.PrimaryLanguage(u.Language)]
		if ix == nil {
			continue
		}
		i := pos[id]
		ix.Remove(i)
		if j, sim := ix.Nearest(&sigs[i]); j >= 0 {
			c.add(Consistency, u, 0, "near-duplicate", "%.0f%% similar to %s; merge them or retire one", sim*100, knowledge.FilePath(all[j]))
		}
		ix.Add(i, sigs[i])
	}
	// Across languages: the same product and the same concepts (at least
	// three) in another language.
	byConcepts := map[string][]string{}
	for _, id := range all {
		u := c.s.Units[id]
		if u.Status == knowledge.StatusActive && len(u.Concepts) >= 3 {
			k := u.Product + "|" + u.Kind + "|" + strings.Join(sortedCopy(u.Concepts), ",")
			byConcepts[k] = append(byConcepts[k], id)
		}
	}
	for _, id := range ids {
		u := c.s.Units[id]
		if u.Status != knowledge.StatusActive || len(u.Concepts) < 3 {
			continue
		}
		k := u.Product + "|" + u.Kind + "|" + strings.Join(sortedCopy(u.Concepts), ",")
		for _, o := range byConcepts[k] {
			ou := c.s.Units[o]
			if o != id && knowledge.PrimaryLanguage(ou.Language) != knowledge.PrimaryLanguage(u.Language) && ou.Title != "" {
				c.add(Consistency, u, 0, "near-duplicate", "names the same %d concepts as %s (%s): a translation of it? keep them consistent", len(u.Concepts), knowledge.FilePath(o), ou.Language)
			}
		}
	}
}

func sortedCopy(xs []string) []string {
	out := append([]string(nil), xs...)
	sort.Strings(out)
	return out
}

func (o CheckOptions) concepts() ConceptFinder {
	if o.Concepts != nil {
		return o.Concepts
	}
	return MatcherConcepts(o.Glossary)
}
