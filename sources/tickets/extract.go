package tickets

import (
	"bufio"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/template"
	"github.com/kbops/kbops/knowledge/text/cluster"
	"github.com/kbops/kbops/knowledge/text/redact"
	"github.com/kbops/kbops/sources"
)

func init() {
	sources.Default.RegisterFormat(sources.Format{
		Name: "tickets", Extractor: New(Options{}),
		Extensions: []string{".csv", ".tsv", ".json", ".jsonl", ".ndjson"}, Kinds: []string{"tickets"},
	})
}

// Skip reasons counted in Report.Skipped.
const (
	SkipUnsolved   = "unsolved"
	SkipUnanswered = "no answer"
	SkipEmpty      = "no subject or text"
	SkipMalformed  = "malformed"
)

// Report is what one export gave. It holds counts only, never values.
type Report struct {
	Key       string
	Format    string // csv, json or jsonl
	Preset    string // the preset used ("custom" for a mapping without one)
	Encoding  string // note on a guessed encoding, "" when UTF-8 or declared
	Rows      int    // records read, including malformed ones
	Bytes     int64
	Tickets   int            // tickets that became part of a scenario
	Skipped   map[string]int // records left out, by reason
	Sections  int            // scenario sections emitted
	Merged    int            // tickets merged into an earlier scenario
	Languages map[string]int // tickets per language ("" when unknown)
	Redacted  redact.Counts  // replacements per kind of personal data
	Warnings  int            // problems reported through warn
	Duration  time.Duration
}

// MergeRate is the share of kept tickets that joined an earlier scenario.
func (r Report) MergeRate() float64 {
	if r.Tickets == 0 {
		return 0
	}
	return float64(r.Merged) / float64(r.Tickets)
}

// String is a one-line summary.
func (r Report) String() string {
	var sk []string
	for k, n := range r.Skipped {
		sk = append(sk, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(sk)
	var ls []string
	for k, n := range r.Languages {
		if k == "" {
			k = "unknown"
		}
		ls = append(ls, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(ls)
	return fmt.Sprintf("%s: %s/%s rows=%d tickets=%d skipped[%s] sections=%d merged=%d (%.1f%%) languages[%s] redacted[%s] warnings=%d",
		r.Key, r.Format, r.Preset, r.Rows, r.Tickets, strings.Join(sk, " "), r.Sections, r.Merged, 100*r.MergeRate(),
		strings.Join(ls, " "), r.Redacted, r.Warnings)
}

// Extractor reads ticket exports. Make one with New.
type Extractor struct {
	opts Options
	red  *redact.Redactor
	err  error // invalid options, reported on each Extract
}

// New returns an extractor with the given options. Invalid options make
// every Extract fail with the reason.
func New(opts Options) sources.Extractor {
	return newExtractor(opts)
}

func newExtractor(opts Options) *Extractor {
	e := &Extractor{opts: opts.withDefaults()}
	if err := opts.validate(); err != nil {
		e.err = err
		return e
	}
	e.red, e.err = redact.New(opts.Redact)
	return e
}

// Extract implements sources.Extractor.
func (e *Extractor) Extract(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) error {
	_, err := e.ExtractReport(ctx, doc, emit, warn)
	return err
}

// ExtractInfo implements sources.InfoExtractor: the document's Report.
func (e *Extractor) ExtractInfo(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) (sources.DocumentInfo, error) {
	rep, err := e.ExtractReport(ctx, doc, emit, warn)
	return sources.DocumentInfo{Report: rep}, err
}

// ExtractReport is Extract that also returns the document's report.
func ExtractReport(ctx context.Context, opts Options, doc sources.Document, emit func(sources.Section) error, warn func(error)) (Report, error) {
	return newExtractor(opts).ExtractReport(ctx, doc, emit, warn)
}

// countingReader counts bytes read; the count may be read from another
// goroutine.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (c *countingReader) bytes() int64 { return c.n.Load() }

// bodyError remembers the first error of the document body (over the
// size limit, cancelled), which the record readers would otherwise report
// as a damaged rest of the file.
// The records are read in another goroutine than the one that asks.
type bodyError struct {
	r   io.Reader
	mu  sync.Mutex
	err error
}

func (b *bodyError) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.mu.Lock()
		if b.err == nil {
			b.err = err
		}
		b.mu.Unlock()
	}
	return n, err
}

func (b *bodyError) failed() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.err
}

// maxWarnings per reason per document; the rest are counted in one
// summary warning, so a file with a million bad dates does not drown the
// run report.
const maxWarnings = 20

// ExtractReport is Extract that also returns the document's report.
func (e *Extractor) ExtractReport(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) (Report, error) {
	start := time.Now()
	key := doc.Key()
	rep := Report{Key: key, Skipped: map[string]int{}, Languages: map[string]int{}, Redacted: redact.Counts{}}
	if e.err != nil {
		return rep, fmt.Errorf("%s: ticket options: %w", key, e.err)
	}
	o := e.opts
	warned := map[string]int{}
	warnf := func(reason, place string, err error) {
		rep.Warnings++
		warned[reason]++
		if warned[reason] <= maxWarnings {
			warn(&sources.ItemError{Key: key, Place: place, Err: err})
		}
	}
	defer func() {
		for reason, n := range warned {
			if n > maxWarnings {
				warn(&sources.ItemError{Key: key, Err: fmt.Errorf("%d more problems like %q not shown", n-maxWarnings, reason)})
			}
		}
	}()

	body := &bodyError{r: sources.LimitBody(ctx, doc, "tickets", o.MaxSize)}
	cr := &countingReader{r: body}
	br, note, err := decodeText(cr, o.Encoding)
	if err != nil {
		if err := body.failed(); err != nil {
			return rep, err // names the file already
		}
		return rep, fmt.Errorf("%s: %w", key, err)
	}
	if note != "" {
		rep.Encoding = note
		warnf("encoding", "", errors.New(note))
	}
	rr, format, err := openRecords(doc.Name, br, o)
	rep.Format = format
	if err != nil {
		return rep, fmt.Errorf("%s: %w", key, err)
	}

	b, err := newBuilder(o, key)
	if err != nil {
		return rep, err
	}
	defer b.close()
	b.defLang = doc.Language
	b.seed(doc.Prior)

	derived := map[[6]byte]int32{}
	var rows atomic.Int64
	progress := func() {
		if o.Progress != nil {
			o.Progress(Progress{Key: key, Rows: rows.Load(), Bytes: cr.bytes(), TotalBytes: doc.Item.Size})
		}
	}
	stop := make(chan struct{})
	var mapErr error
	items := e.stream(ctx, rr, &rows, stop, func(m *mapping, err error) bool {
		rep.Preset, mapErr = m.preset, err
		return err == nil
	})
	defer func() {
		close(stop)
		for it := range items { // let the goroutines finish
			<-it.done
		}
	}()
	for it := range items {
		<-it.done
		if rep.Rows%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return rep, err
			}
			progress()
		}
		rep.Rows++
		var re *rowError
		if err := body.failed(); err != nil {
			return rep, err
		}
		if errors.As(it.err, &re) {
			rep.Skipped[SkipMalformed]++
			warnf("malformed", re.place, re.err)
			continue
		}
		if it.err != nil {
			// The rest cannot be read; keep what was read so far.
			warnf("fatal", it.place, it.err)
			break
		}
		rep.Redacted.Add(it.counts)
		for _, what := range it.bad {
			warnf(what, it.place, errors.New(what))
		}
		if it.skip != "" {
			rep.Skipped[it.skip]++
			continue
		}
		t := it.t
		if t.DerivedID {
			// Identical rows get the same content hash; number the repeats
			// so that ids stay unique and stable when rows are appended.
			var k [6]byte
			hex.Decode(k[:], []byte(t.ID))
			if n := derived[k]; n > 0 {
				t.ID = fmt.Sprintf("%s-%d", t.ID, n+1)
			}
			derived[k]++
		}
		rep.Tickets++
		rep.Languages[t.Language]++
		merged, err := b.add(t, &it.sig, it.nsh, it.resSig)
		if err != nil {
			return rep, err
		}
		if merged {
			rep.Merged++
		}
	}
	if mapErr != nil {
		return rep, fmt.Errorf("%s: %w", key, mapErr)
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	rep.Bytes = cr.bytes()
	progress()
	n, err := b.emit(ctx, emit)
	rep.Sections = n
	rep.Duration = time.Since(start)
	if err != nil {
		return rep, err
	}
	o.Logger.Info("tickets extracted", "key", key, "format", rep.Format, "preset", rep.Preset, "rows", rep.Rows,
		"tickets", rep.Tickets, "sections", rep.Sections, "merged", rep.Merged, "skipped", rep.Skipped,
		"redacted", rep.Redacted.String(), "warnings", rep.Warnings)
	if o.OnReport != nil {
		o.OnReport(rep)
	}
	return rep, nil
}

// resolveMapping picks the preset (given or detected from the first
// record's keys) and lays the configured fields over it.
func resolveMapping(o Options, rec record) (Fields, map[string]bool, string, error) {
	name := o.Preset
	if name == "" {
		name = detectPreset(rec.keys())
	}
	var p Preset
	if name != "" {
		p = Presets[name]
	} else if o.Fields == (Fields{}) {
		ks := rec.keys()
		sort.Strings(ks)
		if len(ks) > 12 {
			ks = append(ks[:12], "…")
		}
		return Fields{}, nil, "", fmt.Errorf("cannot tell the helpdesk layout from the columns/keys %s: set options.preset (%s) or options.fields",
			strings.Join(ks, ", "), strings.Join(PresetNames(), ", "))
	} else {
		name = "custom"
	}
	f := p.Fields.merge(o.Fields)
	st := o.SolvedStatuses
	if len(st) == 0 {
		st = p.Solved
	}
	if len(st) == 0 {
		st = defaultSolved
	}
	set := map[string]bool{}
	for _, s := range st {
		set[strings.ToLower(strings.TrimSpace(s))] = true
	}
	if f.Subject == "" && f.Body == "" && f.Comments == "" {
		return f, nil, name, errors.New("the field mapping has neither subject, body nor comments")
	}
	return f, set, name, nil
}

// detectPreset recognises a preset by the columns or keys it has.
func detectPreset(keys []string) string {
	has := map[string]bool{}
	for _, k := range keys {
		has[strings.ToLower(strings.TrimSpace(k))] = true
	}
	switch {
	case has["ticket id"] && has["subject"], has["description_text"], has["conversations"]:
		return "freshdesk"
	case has["subject"] && has["body"] && has["answer"]:
		return "tobi-bueck"
	case has["id"] && (has["description"] || has["comments"]) && (has["requester_id"] || has["via"] || has["raw_subject"]):
		return "zendesk"
	}
	return ""
}

// ---- scenarios ----

// maxLocatorIDs bounds the ticket ids listed in a locator; a scenario
// with thousands of tickets lists the first ones and the count.
const maxLocatorIDs = 50

// scenario is the in-memory state of one merged problem. Its texts live
// in the spill file; only what changes stays here.
// Only scenarios that can still be matched (seen within the window) are
// held; the others are finalised into the spill file, so memory does not
// grow with the length of the export.
type scenario struct {
	static   span      // fixed part: written once when the scenario starts
	res      span      // current resolution
	resSig   [8]uint32 // coarse signature of the resolution, to notice a changed fix
	ids      []string  // ids after the first, up to maxLocatorIDs
	count    int32
	lastSeen int32 // ticket number when last matched, for the window
	lang     int32
	// prior is 1 + the index in builder.priors of the earlier export's
	// scenario this one continues, 0 for a scenario new in this export.
	prior       int32
	first, last int64 // earliest and latest ticket date (Unix seconds), 0 unknown
	// own: res is the fix of the earlier scenario's own first ticket,
	// read again (see refresh).
	own bool
}

// finalPart is a scenario's final state in the spill file.
type finalPart struct {
	StaticOff int64    `json:"so"`
	StaticLen int32    `json:"sn"`
	ResOff    int64    `json:"ro"`
	ResLen    int32    `json:"rn"`
	Count     int32    `json:"c"`
	IDs       []string `json:"ids,omitempty"`
	Prior     int32    `json:"p,omitempty"`
	Own       bool     `json:"o,omitempty"`
	First     int64    `json:"f,omitempty"`
	Last      int64    `json:"l,omitempty"`
}

type span struct {
	off int64
	n   int32
}

type staticPart struct {
	FirstID  string `json:"id"`
	Title    string `json:"title"`
	Category string `json:"cat"`
	Kind     string `json:"kind"`
	Language string `json:"lang"`
	Product  string `json:"product"`
	Head     string `json:"head"` // Background and Symptom, rendered
	Root     string `json:"root"`
	Prevent  string `json:"prev"`
}

type resPart struct {
	Text      string    `json:"text"`
	Effective time.Time `json:"eff"`
}

type seen struct{ scen, at int32 }

type builder struct {
	o       Options
	key     string
	spill   *os.File
	w       *bufio.Writer
	off     int64
	active  map[int32]*scenario // scenarios still matchable
	finals  []span              // final record per scenario number, in order of creation
	indexes map[string]*cluster.Index
	langs   []string
	langID  map[string]int32
	queue   []seen // scenarios by when last seen, for the window
	qHead   int
	n       int32 // tickets added
	defLang string
	priors  []sources.Prior
	// priorFirst is the first ticket id of each prior (its unit's id).
	priorFirst []string
}

func newBuilder(o Options, key string) (*builder, error) {
	f, err := os.CreateTemp(o.TempDir, "kbops-tickets-*.spill")
	if err != nil {
		return nil, fmt.Errorf("%s: scenario spill file: %w", key, err)
	}
	return &builder{o: o, key: key, spill: f, w: bufio.NewWriterSize(f, 256<<10), indexes: map[string]*cluster.Index{}, langID: map[string]int32{}, active: map[int32]*scenario{}}, nil
}

func (b *builder) close() {
	b.spill.Close()
	os.Remove(b.spill.Name())
}

func (b *builder) write(v any) (span, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return span{}, err
	}
	if _, err := b.w.Write(data); err != nil {
		return span{}, fmt.Errorf("%s: scenario spill file: %w", b.key, err)
	}
	s := span{b.off, int32(len(data))}
	b.off += int64(len(data))
	return s, nil
}

func resSignature(s string) [8]uint32 {
	sig, _ := cluster.Sign(s)
	var out [8]uint32
	copy(out[:], sig[:8])
	return out
}

func sameResolution(a, b [8]uint32) bool {
	n := 0
	for i := range a {
		if a[i] == b[i] {
			n++
		}
	}
	return n >= 4 // estimated Jaccard >= 0.5
}

// add puts a ticket into its scenario and reports whether it joined an
// existing one.
func (b *builder) add(t Ticket, sig *cluster.Signature, nsh int, resSig [8]uint32) (bool, error) {
	b.n++
	if err := b.expire(); err != nil {
		return false, err
	}
	lk := t.Language
	if lk == "" {
		lk = b.defLang // as ingest will label the unit, and so its prior
	}
	lid := b.lang(lk)
	// Tickets in different languages never merge: each language has its
	// own index, and shingles are per script anyway.
	ix := b.index(lk)
	seenAt := ticketDate(t)
	if nsh > 0 && b.o.Similarity < 1 {
		if id, _ := ix.Nearest(sig); id >= 0 {
			s := b.active[int32(id)]
			s.count++
			if len(s.ids) < maxLocatorIDs-1 {
				s.ids = append(s.ids, t.ID)
			}
			s.lastSeen = b.n
			s.seenAt(seenAt)
			b.queue = append(b.queue, seen{int32(id), b.n})
			if own, err := b.refresh(s, t, lk, resSig); own || err != nil {
				return true, err
			}
			if t.Answer != "" {
				rs := resSig
				if !sameResolution(rs, s.resSig) {
					// A different fix: the newest one is the scenario's.
					sp, err := b.write(resPart{t.Answer, effective(t)})
					if err != nil {
						return true, err
					}
					s.res, s.resSig, s.own = sp, rs, false
				}
			}
			return true, nil
		}
	}
	st, err := b.write(staticPart{
		FirstID: t.ID, Title: title(t), Category: t.category(), Kind: t.kind(), Language: t.Language,
		Product: t.Product, Head: renderHead(t, lk), Root: t.RootCause, Prevent: t.Prevention,
	})
	if err != nil {
		return false, err
	}
	rs, err := b.write(resPart{t.Answer, effective(t)})
	if err != nil {
		return false, err
	}
	id := int32(len(b.finals))
	b.finals = append(b.finals, span{})
	b.active[id] = &scenario{static: st, res: rs, resSig: resSig, count: 1, lastSeen: b.n, lang: lid, first: seenAt, last: seenAt}
	if nsh > 0 && b.o.Similarity < 1 {
		ix.Add(int(id), *sig)
		b.queue = append(b.queue, seen{id, b.n})
		return false, nil
	}
	return false, b.finalize(id)
}

// finalize writes a scenario's final state and forgets it.
func (b *builder) finalize(id int32) error {
	s := b.active[id]
	sp, err := b.write(finalPart{s.static.off, s.static.n, s.res.off, s.res.n, s.count, s.ids, s.prior, s.own, s.first, s.last})
	if err != nil {
		return err
	}
	b.finals[id] = sp
	delete(b.active, id)
	return nil
}

// expire removes from the indexes the scenarios not seen within the
// window, keeping memory bounded however long the export.
func (b *builder) expire() error {
	for b.qHead < len(b.queue) && b.n-b.queue[b.qHead].at > int32(b.o.Window) {
		q := b.queue[b.qHead]
		b.qHead++
		s := b.active[q.scen]
		if s != nil && s.lastSeen == q.at {
			b.indexes[b.langs[s.lang]].Remove(int(q.scen))
			if err := b.finalize(q.scen); err != nil {
				return err
			}
		}
	}
	if b.qHead > 4096 && b.qHead > len(b.queue)/2 {
		b.queue = append(b.queue[:0], b.queue[b.qHead:]...)
		b.qHead = 0
	}
	return nil
}

func effective(t Ticket) time.Time {
	if !t.Solved.IsZero() {
		return t.Solved
	}
	return t.Created
}

func title(t Ticket) string {
	if t.Subject != "" {
		return t.Subject
	}
	s := strings.Join(strings.Fields(t.Body), " ")
	if r := []rune(s); len(r) > 80 {
		s = strings.TrimSpace(string(r[:80])) + "…"
	}
	return s
}

// renderHead writes the Background and Symptom sections.
func renderHead(t Ticket, lang string) string {
	var sb strings.Builder
	sb.WriteString("## " + template.Heading(template.Background, lang) + "\n\n")
	line := func(k template.Label, v string) {
		if v = strings.TrimSpace(v); v != "" {
			fmt.Fprintf(&sb, "- %s: %s\n", template.LabelText(k, lang), strings.Join(strings.Fields(v), " "))
		}
	}
	line(template.LabelProduct, t.Product)
	line(template.LabelEnvironment, t.Environment)
	line(template.LabelCategory, t.category())
	if len(t.Tags) > 0 {
		line(template.LabelTags, strings.Join(t.Tags, ", "))
	}
	line(template.LabelType, t.Type)
	line(template.LabelPriority, t.Priority)
	sb.WriteString("\n## " + template.Heading(template.Symptom, lang) + "\n\n")
	sym := t.Body
	if sym == "" {
		sym = t.Subject
	}
	sb.WriteString(sym)
	sb.WriteString("\n")
	return sb.String()
}

func (b *builder) read(sp span, v any) error {
	buf := make([]byte, sp.n)
	if _, err := b.spill.ReadAt(buf, sp.off); err != nil {
		return fmt.Errorf("%s: scenario spill file: %w", b.key, err)
	}
	return json.Unmarshal(buf, v)
}

// emit renders every scenario, in the order they started, with its final
// count.
func (b *builder) emit(ctx context.Context, emit func(sources.Section) error) (int, error) {
	// The index is not needed any more; let it go before rendering.
	b.indexes, b.queue = nil, nil
	for id := range b.finals {
		if _, ok := b.active[int32(id)]; ok {
			if err := b.finalize(int32(id)); err != nil {
				return 0, err
			}
		}
	}
	if err := b.w.Flush(); err != nil {
		return 0, fmt.Errorf("%s: scenario spill file: %w", b.key, err)
	}
	n := 0
	for i := range b.finals {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return n, err
			}
		}
		var s finalPart
		var st staticPart
		var res resPart
		if err := b.read(b.finals[i], &s); err != nil {
			return n, err
		}
		if s.Prior > 0 {
			if s.Count == 0 {
				continue // an earlier scenario this export does not report
			}
			var res *resPart
			if s.ResLen > 0 {
				res = &resPart{}
				if err := b.read(span{s.ResOff, s.ResLen}, res); err != nil {
					return n, err
				}
			}
			var fresh *staticPart
			if s.StaticLen > 0 {
				fresh = &staticPart{}
				if err := b.read(span{s.StaticOff, s.StaticLen}, fresh); err != nil {
					return n, err
				}
			}
			if err := emit(b.continued(&b.priors[s.Prior-1], s, fresh, res).Sanitized()); err != nil {
				return n, err
			}
			n++
			continue
		}
		if err := b.read(span{s.StaticOff, s.StaticLen}, &st); err != nil {
			return n, err
		}
		if err := b.read(span{s.ResOff, s.ResLen}, &res); err != nil {
			return n, err
		}
		ids := append([]string{st.FirstID}, s.IDs...)
		loc := locator(ids, int(s.Count))
		sec := sources.Section{
			Headings:        []string{st.Category, "ticket " + st.FirstID},
			Text:            b.render(&st, res.Text),
			Locator:         loc,
			Language:        st.Language,
			Kind:            st.Kind,
			Layer:           "scenario",
			Title:           st.Title,
			Product:         st.Product,
			Occurrences:     int(s.Count),
			Effective:       res.Effective,
			EffectiveSource: knowledge.EffectiveFromTicket,
			SeenIn:          map[string]int{b.key: int(s.Count)},
			FirstSeen:       unixTime(s.First),
			LastSeen:        unixTime(s.Last),
		}
		if err := emit(sec.Sanitized()); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// ForSpec implements sources.SpecExtractor: the ingestion pipeline gets an
// extractor configured with the source's options (preset, field mapping,
// filters, redaction patterns) instead of the auto-detecting default.
func (e *Extractor) ForSpec(spec sources.Spec) (sources.Extractor, error) {
	opts, err := OptionsFromSpec(spec)
	if err != nil {
		return nil, err
	}
	opts.Progress, opts.OnReport, opts.Logger, opts.TempDir, opts.MaxSize = e.opts.Progress, e.opts.OnReport, e.opts.Logger, e.opts.TempDir, e.opts.MaxSize
	return New(opts), nil
}
