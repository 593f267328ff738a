package tickets

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/kbops/kbops/knowledge/template"
	"github.com/kbops/kbops/knowledge/text/cluster"
	"github.com/kbops/kbops/sources"
)

// Scenarios persist across exports without a state file of their own: the
// scenario units in the knowledge repository are the state. Ingest hands
// them to the extractor as Document.Prior; seed signs each one's title and
// Symptom section (what a ticket's subject and first message become) and
// puts it into the matching index before the first ticket, so a ticket of
// tonight's export about last night's problem joins that scenario, keeps
// its unit id, and raises its count. What the unit files cannot give back
// (the exact shingles of a ticket) is approximated from the text they
// hold, which is the same text after redaction and sanitising.

func (b *builder) lang(l string) int32 {
	lid, ok := b.langID[l]
	if !ok {
		lid = int32(len(b.langs))
		b.langs = append(b.langs, l)
		b.langID[l] = lid
	}
	return lid
}

func (b *builder) index(l string) *cluster.Index {
	ix := b.indexes[l]
	if ix == nil {
		ix = cluster.NewIndex(b.o.Similarity)
		b.indexes[l] = ix
	}
	return ix
}

// seed makes the earlier exports' scenarios matchable. They take part in
// the window like scenarios seen before the export's first ticket.
func (b *builder) seed(priors []sources.Prior) {
	if b.o.Similarity >= 1 {
		return
	}
	for _, p := range priors {
		sym, ok := template.Find(p.Text, template.Symptom)
		if !ok {
			continue
		}
		text := p.Title + "\n" + sym
		if strings.TrimSpace(sym) == strings.TrimSpace(p.Title) {
			// A ticket without a body has its subject as the Symptom
			// (renderHead), and was signed as subject alone.
			text = p.Title + "\n"
		}
		sig, n := cluster.Sign(text)
		if n == 0 {
			continue
		}
		res, _ := template.Find(p.Text, template.Resolution)
		b.priors = append(b.priors, p)
		first := ""
		if ids := locatorIDs(p.Locator); len(ids) > 0 {
			first = ids[0]
		}
		b.priorFirst = append(b.priorFirst, first)
		id := int32(len(b.finals))
		b.finals = append(b.finals, span{})
		b.active[id] = &scenario{prior: int32(len(b.priors)), resSig: resSignature(res), lang: b.lang(p.Language)}
		b.index(p.Language).Add(int(id), sig)
		b.queue = append(b.queue, seen{id, 0})
	}
}

// refresh reads an earlier scenario again from its own first ticket when
// this export holds it (the export is being read again: a changed file,
// other redaction settings, a newer kbops): the unit's text is rendered
// afresh from the ticket, as when it was first made, so that what changed
// in reading it reaches the unit. It reports whether the ticket's answer
// became the scenario's resolution.
func (b *builder) refresh(s *scenario, t Ticket, lk string, resSig [8]uint32) (bool, error) {
	if s.prior == 0 || s.static.n > 0 || t.ID == "" || t.ID != b.priorFirst[s.prior-1] {
		return false, nil
	}
	st, err := b.write(staticPart{
		FirstID: t.ID, Title: title(t), Category: t.category(), Kind: t.kind(), Language: t.Language,
		Product: t.Product, Head: renderHead(t, lk), Root: t.RootCause, Prevent: t.Prevention,
	})
	if err != nil {
		return false, err
	}
	s.static = st
	if s.res.n > 0 || t.Answer == "" {
		return false, nil // a later ticket of this export brought a newer fix
	}
	rs, err := b.write(resPart{t.Answer, effective(t)})
	if err != nil {
		return false, err
	}
	s.res, s.resSig, s.own = rs, resSig, true
	return true, nil
}

// render writes a scenario's sections in its language.
func (b *builder) render(st *staticPart, resolution string) string {
	var sb strings.Builder
	sb.WriteString(st.Head)
	section := func(k template.Section, text string) {
		if text != "" {
			sb.WriteString("\n## " + template.Heading(k, or(st.Language, b.defLang)) + "\n\n" + text + "\n")
		}
	}
	section(template.RootCause, st.Root)
	section(template.Resolution, resolution)
	section(template.Prevention, st.Prevent)
	return strings.TrimSpace(sb.String())
}

// ticketDate is when a ticket reported its problem: created, else solved.
func ticketDate(t Ticket) int64 {
	switch {
	case !t.Created.IsZero():
		return t.Created.Unix()
	case !t.Solved.IsZero():
		return t.Solved.Unix()
	}
	return 0
}

func (s *scenario) seenAt(at int64) {
	if at == 0 {
		return
	}
	if s.first == 0 || at < s.first {
		s.first = at
	}
	if at > s.last {
		s.last = at
	}
}

func unixTime(sec int64) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}

// locator lists the first ticket ids and how many more there are.
func locator(ids []string, count int) string {
	loc := "tickets " + strings.Join(ids, ", ")
	if len(ids) == 1 {
		loc = "ticket " + ids[0]
	}
	if more := count - len(ids); more > 0 {
		loc += fmt.Sprintf(" and %d more", more)
	}
	return loc
}

// locatorIDs reads the ticket ids back from a locator written by locator.
func locatorIDs(loc string) []string {
	loc, _, _ = strings.Cut(loc, " and ")
	switch {
	case strings.HasPrefix(loc, "tickets "):
		loc = loc[len("tickets "):]
	case strings.HasPrefix(loc, "ticket "):
		loc = loc[len("ticket "):]
	default:
		return nil
	}
	var ids []string
	for _, id := range strings.Split(loc, ", ") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return ids
}

// continued is the next state of an earlier scenario that this export's
// tickets joined: its count in this export replaces the export's earlier
// count (re-reading an export does not count its tickets twice), its new
// ticket ids are added to the locator, and a different fix replaces the
// Resolution section. Headings written in English before they were
// localised are put into the unit's language.
func (b *builder) continued(p *sources.Prior, s finalPart, fresh *staticPart, res *resPart) sources.Section {
	seenIn := maps.Clone(p.SeenIn)
	if len(seenIn) == 0 {
		seenIn = map[string]int{}
		if p.Occurrences > 0 {
			// A unit from before counts were kept per export.
			seenIn[p.Document] = p.Occurrences
		}
	}
	seenIn[b.key] = int(s.Count)
	total := 0
	for _, n := range seenIn {
		total += n
	}
	ids := locatorIDs(p.Locator)
	have := map[string]bool{}
	for _, id := range ids {
		have[id] = true
	}
	for _, id := range s.IDs {
		if len(ids) >= maxLocatorIDs {
			break
		}
		if !have[id] {
			ids, have[id] = append(ids, id), true
		}
	}
	sec := sources.Section{
		Continues: p.ID, Title: p.Title, Language: p.Language, Kind: p.Kind, Product: p.Product,
		Layer: "scenario", Text: template.Localize(p.Text, p.Language), Locator: locator(ids, max(total, len(ids))),
		Occurrences: total, SeenIn: seenIn,
	}
	if len(ids) > 0 {
		sec.Headings = []string{"ticket " + ids[0]}
	}
	priorRes, _ := template.Find(p.Text, template.Resolution)
	if fresh != nil {
		// Read again from its first ticket. The fix stays the unit's when
		// a later export brought a newer one than that ticket's.
		resText := priorRes
		if res != nil && res.Text != "" {
			resText = res.Text
			sec.Effective = res.Effective
			if s.Own && priorRes != "" && !sameResolution(resSignature(priorRes), resSignature(res.Text)) && p.Effective.After(res.Effective) {
				resText, sec.Effective = priorRes, time.Time{}
			}
		}
		sec.Text = b.render(fresh, resText)
		sec.Title, sec.Kind = fresh.Title, fresh.Kind
		sec.Language, sec.Product = or(fresh.Language, p.Language), or(fresh.Product, p.Product)
		sec.Headings = []string{fresh.Category, "ticket " + fresh.FirstID}
	} else if res != nil && res.Text != "" {
		sec.Text = replaceSection(sec.Text, template.Resolution, template.Heading(template.Resolution, p.Language), res.Text)
		sec.Effective = res.Effective
	}
	first, last := unixTime(s.First), unixTime(s.Last)
	sec.FirstSeen = p.FirstSeen
	if !first.IsZero() && (sec.FirstSeen.IsZero() || first.Before(sec.FirstSeen)) {
		sec.FirstSeen = first
	}
	if !last.IsZero() {
		sec.LastSeen = last
		if p.LastSeen.After(last) {
			sec.LastSeen = p.LastSeen
		}
	}
	return sec
}

// replaceSection puts text under the body's section k (heading in any
// language), or adds it as a new section headed heading before a
// Prevention section or at the end.
func replaceSection(body string, k template.Section, heading, text string) string {
	lines := strings.Split(body, "\n")
	start, end := -1, len(lines)
	insert := len(lines)
	fence := false
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = !fence
		}
		if fence || !strings.HasPrefix(l, "## ") {
			continue
		}
		key, _ := template.SectionOf(l[3:])
		if start >= 0 {
			end = i
			break
		}
		if key == k {
			start = i
		} else if key == template.Prevention && insert == len(lines) {
			insert = i
		}
	}
	if start < 0 {
		out := append([]string{}, lines[:insert]...)
		out = append(out, "## "+heading, "", text, "")
		return strings.TrimSpace(strings.Join(append(out, lines[insert:]...), "\n"))
	}
	out := append([]string{}, lines[:start+1]...)
	out = append(out, "", text, "")
	return strings.TrimSpace(strings.Join(append(out, lines[end:]...), "\n"))
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
