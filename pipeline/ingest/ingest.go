// Package ingest runs the ingestion stage: for each configured source it
// lists documents, extracts the changed ones into sections, turns sections
// into knowledge units, and commits what changed to the review branch of
// the knowledge repository.
//
// It is incremental and idempotent: an unchanged document is not
// re-extracted, an unchanged unit is not rewritten, and a run with no
// source change makes no commit. One bad document never stops a run: it is
// reported with its place, its existing units are kept, and the rest goes
// on.
package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/contextlib"
	"github.com/kbops/kbops/knowledge/text/redact"
	"github.com/kbops/kbops/pipeline/glossarypass"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
	"github.com/kbops/kbops/sources"
)

// Options control a run.
type Options struct {
	// Sources limits the run to these source names; empty runs all.
	Sources []string
	// Now is the run's time (fetch time of new units).
	Now time.Time
	// Registry of plugins; nil means sources.Default.
	Registry *sources.Registry
	// Segment, when set, reshapes a document's sections (target sizes).
	Segment func([]sources.Section) []sources.Section
	// Detect, when set, returns the language of a text ("" if unsure).
	Detect func(text string) string
	// Map, when set, is the glossary pass: it may set u.Concepts and
	// returns findings as one-line strings.
	Map func(u *knowledge.Unit) []string
	// Push pushes the review branch to git.remote after a commit.
	Push bool
	// GitToken authenticates the push (from the environment).
	GitToken string
	// Log receives progress; nil discards.
	Log *slog.Logger
}

// SourceReport is one source's part of a run.
type SourceReport struct {
	Name      string `json:"name"`
	Documents int    `json:"documents"`
	Unchanged int    `json:"documents_unchanged"`
	Extracted int    `json:"documents_extracted"`
	Removed   int    `json:"documents_removed"`
	Sections  int    `json:"sections"`
	Added     int    `json:"units_added"`
	Changed   int    `json:"units_changed"`
	Retired   int    `json:"units_retired"`
	Touched   int    `json:"units_touched"`
	// Redacted counts the personal data replaced in the source's
	// documents by kind (ticket exports count in their own report).
	Redacted redact.Counts `json:"redacted,omitempty"`
	Errors   []string      `json:"errors,omitempty"`
}

// Report is what a run did.
type Report struct {
	Branch   string         `json:"branch"`
	Commit   string         `json:"commit,omitempty"`
	Pushed   bool           `json:"pushed,omitempty"`
	Sources  []SourceReport `json:"sources"`
	Findings []string       `json:"findings,omitempty"`
	Changes  []UnitChange   `json:"changes,omitempty"`
}

// UnitChange is one changed unit.
type UnitChange struct {
	ID      string `json:"id"`
	Change  string `json:"change"`
	Version int    `json:"version"`
	Owner   string `json:"owner"`
}

// Errors counts errors over all sources.
func (r Report) Errors() int {
	n := 0
	for _, s := range r.Sources {
		n += len(s.Errors)
	}
	return n
}

// state remembers the change token of each document extracted, so that
// unchanged documents are skipped. It is a cache: losing it costs time,
// never correctness.
type state struct {
	Documents map[string]map[string]string `json:"documents"` // source → key → version
	// Termbase is the git hash of the termbase the documents were mapped with.
	Termbase string `json:"termbase,omitempty"`
	// Redaction is, per source, the redaction its documents were extracted
	// with (see redactionToken); another one extracts them again, so that
	// turning redaction on or allowing a value reaches existing units.
	Redaction map[string]string `json:"redaction,omitempty"`
}

// redactRevision changes when what redaction finds changes, so that an
// upgrade redacts documents extracted before it.
const redactRevision = "2"

// redactionToken describes how a source's documents are redacted.
func redactionToken(spec sources.Spec) string {
	if !spec.Redacts() {
		return "off"
	}
	b, _ := json.Marshal(spec.Redact.Config)
	return redactRevision + " " + string(b)
}

func loadState(path string) state {
	s := state{Documents: map[string]map[string]string{}}
	if b, err := os.ReadFile(path); err == nil {
		if json.Unmarshal(b, &s) != nil || s.Documents == nil {
			s = state{Documents: map[string]map[string]string{}}
		}
	}
	return s
}

func (s state) save(path string) error {
	b, err := json.MarshalIndent(s, "", " ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Run ingests the workspace's sources into its review branch.
func Run(ctx context.Context, ws *workspace.Workspace, o Options) (Report, error) {
	ctx, unlock, err := ws.Repo.WriteLock(ctx, "kbops ingest", true)
	if err != nil {
		return Report{}, err
	}
	defer unlock()
	cfg := ws.Config
	rep := Report{Branch: cfg.Review.Branch}
	if o.Registry == nil {
		o.Registry = sources.Default
	}
	if o.Now.IsZero() {
		o.Now = time.Now()
	}
	o.Now = o.Now.UTC().Truncate(time.Second)
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for _, name := range o.Sources {
		if _, ok := cfg.Source(name); !ok {
			return rep, fmt.Errorf("no source named %q in kbops.yaml", name)
		}
	}

	repo := ws.Repo
	base, onReview, err := repo.Branch(cfg.Review.Branch)
	if err != nil {
		return rep, err
	}
	if !onReview {
		var ok bool
		if base, ok, err = repo.Branch(cfg.Review.Main); err != nil {
			return rep, err
		} else if !ok {
			return rep, fmt.Errorf("branch %s does not exist: is %s a kbops workspace? run `kbops init`", cfg.Review.Main, ws.Root)
		}
	}
	statePath, err := ws.State("state", "ingest.json")
	if err != nil {
		return rep, err
	}
	st := loadState(statePath)
	// Every selected source is opened and listed once, before the
	// snapshot is read: when nothing changed, the run ends here without
	// reading (and parsing) every unit of the repository.
	var lists []*sourceList
	defer func() {
		for _, l := range lists {
			l.close()
		}
	}()
	for _, spec := range cfg.Sources {
		if len(o.Sources) > 0 && !slices.Contains(o.Sources, spec.Name) {
			continue
		}
		lists = append(lists, listSource(ctx, ws, spec, o))
		if err := ctx.Err(); err != nil {
			return rep, cancelled(cfg.Review.Branch, err)
		}
	}
	if reps, ok := unchanged(repo, base, st, lists, o); ok {
		rep.Sources = reps
		return rep, retryPush(ctx, ws, o, &rep)
	}
	tree, err := repo.Tree(base)
	if err != nil {
		return rep, err
	}
	idx := newBaseUnits(repo, tree)
	var concepts reviews.ConceptFinder
	if o.Map == nil {
		m, err := glossarypass.Load(ctx, repo, tree, cfg.Languages)
		if err != nil {
			rep.Findings = append(rep.Findings, err.Error())
		} else if m != nil {
			o.Map = glossarypass.Map(m)
			concepts = reviews.MatcherConcepts(m)
		}
	}
	lib, err := ContextLibrary(repo, tree)
	if err != nil {
		rep.Findings = append(rep.Findings, err.Error())
	}
	// A changed termbase changes concepts in unchanged documents too: the
	// document tokens are then no reason to skip.
	if tbHash := tree[glossarypass.Path].Hash.String(); st.Termbase != tbHash {
		st.Documents = map[string]map[string]string{}
		st.Termbase = tbHash
	}
	if st.Redaction == nil {
		st.Redaction = map[string]string{}
	}
	for _, sl := range lists {
		if tok := redactionToken(sl.spec); st.Redaction[sl.spec.Name] != tok {
			delete(st.Documents, sl.spec.Name)
			st.Redaction[sl.spec.Name] = tok
		}
	}

	var changes []kbrepo.Change
	for _, sl := range lists {
		sr, ch := ingestSource(ctx, ws, sl, idx, st, o, log)
		if err := ctx.Err(); err != nil {
			return rep, cancelled(cfg.Review.Branch, err)
		}
		rep.Sources = append(rep.Sources, sr.SourceReport)
		rep.Findings = append(rep.Findings, sr.findings...)
		changes = append(changes, ch...)
		rep.Changes = append(rep.Changes, sr.changes...)
	}
	if len(changes) == 0 {
		if err := st.save(statePath); err != nil {
			return rep, err
		}
		return rep, retryPush(ctx, ws, o, &rep)
	}
	for _, p := range idx.problems {
		rep.Findings = append(rep.Findings, "unreadable file kept as it is: "+p.Error())
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Path < changes[j].Path })
	rep.Findings = append(rep.Findings, checkChanges(ctx, repo, base, idx, changes, reviews.CheckOptions{Concepts: concepts, Context: lib})...)
	sig, err := kbrepo.Signature(cfg.Git.Author, o.Now)
	if err != nil {
		return rep, fmt.Errorf("git.author in kbops.yaml: %w", err)
	}
	h, err := repo.Commit(ctx, kbrepo.CommitOptions{
		Branch: cfg.Review.Branch, Parents: []plumbing.Hash{base}, Changes: changes,
		Message: Summary(rep), Author: sig,
	})
	if errors.Is(err, kbrepo.ErrNothingToCommit) {
		if err := st.save(statePath); err != nil {
			return rep, err
		}
		return rep, retryPush(ctx, ws, o, &rep)
	}
	if err != nil {
		return rep, err
	}
	rep.Commit = h.String()
	// The state is saved only after the commit: a crash before it makes the
	// next run extract again, which writes the same units and converges.
	if err := st.save(statePath); err != nil {
		return rep, err
	}
	if o.Push && cfg.Git.Remote != "" {
		pending, _ := ws.State("state", pushPendingFile)
		if err := repo.Push(ctx, cfg.Git.Remote, cfg.Review.Branch, o.GitToken); err != nil {
			// Remember the commit, so that the next run pushes it even when
			// no source changed (it would otherwise make no commit and
			// never push, and the remote would wait for the next change).
			_ = os.WriteFile(pending, []byte(h.String()+"\n"), 0o644)
			return rep, fmt.Errorf("committed %s, but %w; run `kbops ingest --push` again or push by hand", h.String()[:12], err)
		}
		_ = os.Remove(pending)
		rep.Pushed = true
	}
	return rep, nil
}

// cancelled is the error of a run stopped (by a signal) before its
// commit: nothing was written, and the next run does the work again.
func cancelled(branch string, err error) error {
	return fmt.Errorf("ingest cancelled before committing: %s is unchanged and the next run starts over (%w)", branch, err)
}

// pushPendingFile, under .kbops/state, holds the review-branch commit whose
// push failed.
const pushPendingFile = "push-pending"

// retryPush pushes the review branch when a run made no commit but an
// earlier run's push failed and the branch still points at the commit it
// could not push. Runs without a pending push do not touch the remote.
func retryPush(ctx context.Context, ws *workspace.Workspace, o Options, rep *Report) error {
	cfg := ws.Config
	if !o.Push || cfg.Git.Remote == "" {
		return nil
	}
	pending, err := ws.State("state", pushPendingFile)
	if err != nil {
		return err
	}
	b, err := os.ReadFile(pending)
	if err != nil {
		return nil // nothing pending
	}
	h, ok, err := ws.Repo.Branch(cfg.Review.Branch)
	if err != nil {
		return err
	}
	if !ok || h.String() != strings.TrimSpace(string(b)) {
		// The branch moved on (merged, or a later commit was pushed):
		// the pending push is moot.
		_ = os.Remove(pending)
		return nil
	}
	if err := ws.Repo.Push(ctx, cfg.Git.Remote, cfg.Review.Branch, o.GitToken); err != nil {
		return fmt.Errorf("%s was committed by an earlier run, but %w; run `kbops ingest --push` again or push by hand", h.String()[:12], err)
	}
	_ = os.Remove(pending)
	rep.Pushed = true
	return nil
}

type sourceResult struct {
	SourceReport
	findings []string
	changes  []UnitChange
}

func ingestSource(ctx context.Context, ws *workspace.Workspace, sl *sourceList, idx *baseUnits, st state, o Options, log *slog.Logger) (sourceResult, []kbrepo.Change) {
	spec := sl.spec
	res := sourceResult{SourceReport: SourceReport{Name: spec.Name}}
	fail := func(err error) { res.Errors = append(res.Errors, err.Error()) }
	if sl.err != nil {
		fail(sl.err)
		return res, nil
	}
	loc, items, itemErrs := sl.loc, sl.items, sl.itemErrs
	keep := map[string]bool{} // documents whose units must not be retired
	for _, e := range itemErrs {
		var ie *sources.ItemError
		if errors.As(e, &ie) {
			ie.Source = spec.Name
			keep[ie.Key] = true
		}
		fail(e)
	}
	// Ticket exports are redacted by their extractor, field by field;
	// other documents by ReadDocument, section by section, with one
	// redactor for the whole source.
	var red *redact.Redactor
	if spec.Kind != "tickets" && spec.Redacts() {
		var err error
		if red, err = redact.New(spec.Redact.Config); err != nil {
			fail(fmt.Errorf("source %s: %w", spec.Name, err))
			return res, nil
		}
		res.Redacted = redact.Counts{}
	}
	if st.Documents[spec.Name] == nil {
		st.Documents[spec.Name] = map[string]string{}
	}
	seenDocs := map[string]bool{}
	var sc *scenarioState
	if scenariosNeeded(o.Registry, spec, loc, items, st.Documents[spec.Name], idx) {
		var err error
		if sc, err = loadScenarios(ctx, spec, idx); err != nil {
			fail(err)
			return res, nil
		}
	}
	col := &collector{}
	for _, it := range items {
		if ctx.Err() != nil {
			return res, nil
		}
		if FormatOf(o.Registry, spec, loc, it) == "" {
			continue
		}
		res.Documents++
		seenDocs[it.Key] = true
		if st.Documents[spec.Name][it.Key] == it.Version && (idx.has(spec.Name, it.Key) || sc.has(it.Key)) {
			res.Unchanged++
			continue
		}
		budget, budgetKey := ws.Config.DocumentTimeout(spec)
		doc, err := ReadDocument(ctx, loc, spec, it, ReadOptions{
			Registry: o.Registry, Budget: budget, BudgetKey: budgetKey, Segment: o.Segment, Redactor: red,
			Prior: sc.priors(),
			Warn: func(e error) {
				var ie *sources.ItemError
				if errors.As(e, &ie) {
					ie.Source = spec.Name
				}
				fail(e)
			},
		})
		var cfgErr *configError
		if errors.As(err, &cfgErr) {
			fail(err)
			return res, nil
		}
		if err != nil {
			// Over its budget or not, a document that could not be read
			// keeps the units it has: it is not gone, only unreadable now.
			keep[it.Key] = true
			fail(&sources.ItemError{Source: spec.Name, Key: it.Key, Err: err})
			continue
		}
		res.Extracted++
		for _, f := range doc.Info.Findings {
			res.findings = append(res.findings, fmt.Sprintf("%s: %s: %s", spec.Name, it.Key, f))
		}
		if red != nil {
			res.Redacted.Add(doc.Redacted)
		}
		secs := doc.Sections
		res.Sections += len(secs)
		existing, err := idx.forDocument(ctx, spec.Name, it.Key)
		if err != nil {
			fail(err)
			return res, nil
		}
		unitsForDocument(spec, it, secs, doc.IDs, existing, o, ws, idx.owners, sc, col, &res)
		st.Documents[spec.Name][it.Key] = it.Version
		log.Debug("extracted", "source", spec.Name, "document", it.Key, "sections", len(secs))
	}
	// Documents that are gone: retire their units. Only folders of no
	// listed document are read.
	listedDirs := map[string]bool{}
	for doc := range seenDocs {
		listedDirs[docDir(spec.Name, doc)] = true
	}
	for doc := range keep {
		listedDirs[docDir(spec.Name, doc)] = true
	}
	byDoc := map[string][]*knowledge.Unit{}
	for _, dir := range idx.sourceDirs(spec.Name) {
		if listedDirs[dir] {
			continue
		}
		us, err := idx.parseDir(ctx, dir)
		if err != nil {
			fail(err)
			return res, nil
		}
		for _, u := range us {
			if u.Source.Name == spec.Name {
				byDoc[u.Source.Document] = append(byDoc[u.Source.Document], u)
			}
		}
	}
	var gone []string
	for doc := range byDoc {
		if !seenDocs[doc] && !keep[doc] {
			gone = append(gone, doc)
		}
	}
	// An export whose tickets all joined earlier scenarios has no units
	// of its own; that it is gone shows only in the scenarios' seen_in.
	for _, doc := range sc.exports() {
		if _, ok := byDoc[doc]; !ok && !seenDocs[doc] && !keep[doc] {
			gone = append(gone, doc)
		}
	}
	sort.Strings(gone)
	for _, doc := range gone {
		res.Removed++
		delete(st.Documents[spec.Name], doc)
		// A scenario first seen in a removed export lives on while a
		// later export still reports it.
		sc.withdraw(doc, nil, col)
		for _, u := range byDoc[doc] {
			if sc != nil && sc.base[u.ID] != nil {
				continue // withdrawn above
			}
			col.put(knowledge.Retire(*u))
		}
	}
	return res, col.report(&res)
}

// maxChecked bounds the automated review checks run at ingestion: a first
// import of a whole manual library is checked stage by stage by
// `kbops review check` instead of in the commit message.
const maxChecked = 2000

// maxCheckedBase bounds the size of the knowledge base ingestion reads in
// full for the checks (see checkChanges).
const maxCheckedBase = 20000

// checkChanges runs the review checks on the changed units as they will
// be committed, so the pull-request description shows what reviewers will
// be told (conflicts, leftover personal data, broken Markdown, …).
// Terminology findings come from the glossary pass already.
func checkChanges(ctx context.Context, repo *kbrepo.Repo, base plumbing.Hash, idx *baseUnits, changes []kbrepo.Change, opts reviews.CheckOptions) []string {
	if len(changes) > maxChecked {
		return []string{fmt.Sprintf("%d changed units: run `kbops review check` for the automated findings", len(changes))}
	}
	// The checks compare a unit with the rest of the knowledge (conflicts,
	// near-duplicates, relations), which means reading all of it; past
	// maxCheckedBase units that is left to `kbops review check`.
	if idx.unitFiles() > maxCheckedBase {
		return []string{fmt.Sprintf("%d units in the repository: run `kbops review check` for the automated findings of this change", idx.unitFiles())}
	}
	snap, err := reviews.Load(ctx, repo, base)
	if err != nil {
		return []string{"automated checks not run: " + err.Error()}
	}
	next := *snap
	next.Units = make(map[string]*knowledge.Unit, len(snap.Units)+len(changes))
	for id, u := range snap.Units {
		next.Units[id] = u
	}
	var ids []string
	for _, c := range changes {
		id, ok := knowledge.IDFromPath(c.Path)
		if !ok || c.Data == nil {
			continue
		}
		u, err := knowledge.Parse(c.Path, c.Data)
		if err != nil {
			continue
		}
		next.Units[id] = &u
		if u.Status == knowledge.StatusActive {
			ids = append(ids, id)
		}
	}
	var out []string
	for _, f := range reviews.Check(&next, ids, opts) {
		out = append(out, f.String())
	}
	return out
}

// ContextLibrary reads the context library (context.yaml) in tree; nil
// without one. A library that does not parse is an error naming the file
// and line, and the checks run without it.
func ContextLibrary(repo *kbrepo.Repo, tree kbrepo.Tree) (*contextlib.Library, error) {
	b, ok, err := repo.ReadPath(tree, contextlib.File)
	if err != nil || !ok {
		return nil, err
	}
	return contextlib.Parse(contextlib.File, b)
}

// extractorFor returns the format's extractor, configured for the source
// when the extractor takes options.
func extractorFor(reg *sources.Registry, format string, spec sources.Spec) (sources.Extractor, error) {
	ex, ok := reg.Extractor(format)
	if !ok {
		return nil, fmt.Errorf("source %s: no extractor for format %q", spec.Name, format)
	}
	if se, ok := ex.(sources.SpecExtractor); ok {
		configured, err := se.ForSpec(spec)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", spec.Name, err)
		}
		return configured, nil
	}
	return ex, nil
}

// BudgetError is the error of a document whose reading and extraction
// took longer than its time budget (ingest.document_timeout or the
// source's document_timeout). It matches context.DeadlineExceeded.
type BudgetError struct {
	Budget time.Duration
	// Key is the config key that set the budget, for the message.
	Key string
}

func (e *BudgetError) Error() string {
	return fmt.Sprintf("reading and extracting took longer than %v; raise %s in kbops.yaml or report the file", e.Budget, e.Key)
}

// Is makes errors.Is(err, context.DeadlineExceeded) hold.
func (e *BudgetError) Is(target error) bool { return target == context.DeadlineExceeded }

// errOverBudget is the cause of the per-document context ending at the
// budget, told apart from the run itself being cancelled.
var errOverBudget = errors.New("document time budget used up")

// extract opens and extracts one document within budget. The run's own
// cancellation (a signal) is returned as ctx's error, the budget running
// out as *BudgetError.
//
// The extractors check ctx in their loops, but some work happens inside
// libraries that take no context (ledongthuc/pdf resolves objects and
// inflates streams, pdfcpu decrypts, golang.org/x/net/html parses), and an
// extractor from elsewhere may not check at all. So the extraction runs in
// its own goroutine and extract stops waiting for it when the budget or
// the run ends. The cost: an abandoned extraction goes on using CPU and
// memory in the background until it next checks ctx or finishes by itself
// (its sections and warnings are dropped); a process that exits, as
// `kbops ingest` does, takes it along.
func extract(ctx context.Context, loc sources.Location, ex sources.Extractor, doc sources.Document, budget time.Duration, budgetKey string, warn func(error)) ([]sources.Section, sources.DocumentInfo, error) {
	dctx, cancel := context.WithTimeoutCause(ctx, budget, errOverBudget)
	defer cancel()
	var mu sync.Mutex
	abandoned := false
	type result struct {
		secs []sources.Section
		info sources.DocumentInfo
		err  error
	}
	done := make(chan result, 1)
	go func() {
		secs, info, err := extractDocument(dctx, loc, ex, doc, func(e error) {
			mu.Lock()
			defer mu.Unlock()
			if !abandoned {
				warn(e)
			}
		})
		done <- result{secs, info, err}
	}()
	var r result
	select {
	case r = <-done:
	case <-dctx.Done():
		mu.Lock()
		abandoned = true
		mu.Unlock()
		r.err = dctx.Err()
	}
	if r.err != nil {
		if err := ctx.Err(); err != nil {
			return nil, sources.DocumentInfo{}, err
		}
		if errors.Is(context.Cause(dctx), errOverBudget) {
			return nil, sources.DocumentInfo{}, &BudgetError{Budget: budget, Key: budgetKey}
		}
	}
	return r.secs, r.info, r.err
}

// extractDocument opens the document and runs the extractor on it,
// asking an InfoExtractor for its DocumentInfo too.
func extractDocument(ctx context.Context, loc sources.Location, ex sources.Extractor, doc sources.Document, warn func(error)) ([]sources.Section, sources.DocumentInfo, error) {
	r, err := loc.Open(ctx, doc.Item)
	if err != nil {
		return nil, sources.DocumentInfo{}, err
	}
	defer r.Close()
	doc.Body = r
	var secs []sources.Section
	emit := func(s sources.Section) error { secs = append(secs, s); return nil }
	if ie, ok := ex.(sources.InfoExtractor); ok {
		info, err := ie.ExtractInfo(ctx, doc, emit, warn)
		return secs, info, err
	}
	return secs, sources.DocumentInfo{}, ex.Extract(ctx, doc, emit, warn)
}

// redactSections replaces the personal data in a document's sections:
// their text, headings (unit ids are made of them), titles and locators.
// Names are learned from the whole document, so a person introduced in
// one section ("Call with Jane Doe") is removed from the others too.
func redactSections(red *redact.Redactor, secs []sources.Section, counts redact.Counts) []sources.Section {
	texts := make([]string, 0, 2*len(secs))
	for _, s := range secs {
		texts = append(texts, s.Text, s.Title)
		texts = append(texts, s.Headings...)
	}
	names := redact.Learn(nil, texts...)
	out := make([]sources.Section, len(secs))
	for i, s := range secs {
		s.Text = red.Redact(s.Text, names, counts)
		s.Title = red.Redact(s.Title, names, counts)
		s.Locator = red.Redact(s.Locator, names, counts)
		hs := make([]string, len(s.Headings))
		for j, h := range s.Headings {
			hs[j] = red.Redact(h, names, counts)
		}
		s.Headings = hs
		out[i] = s
	}
	return out
}

// unitsForDocument turns a document's sections into units and puts the
// file changes into col: new and changed units, and retirements of units
// whose section is gone. For a scenario source (sc not nil), sections may
// continue scenarios of other documents, and a scenario this document no
// longer reports loses its count instead of being retired outright.
func unitsForDocument(spec sources.Spec, it sources.Item, secs []sources.Section, ids []string, existing []*knowledge.Unit, o Options, ws *workspace.Workspace, owners *reviews.Owners, sc *scenarioState, col *collector, res *sourceResult) {
	cfg := ws.Config
	kind := sources.Kinds()[spec.Kind]
	prev := map[string]*knowledge.Unit{}
	for _, u := range existing {
		prev[u.ID] = u
	}
	if sc != nil {
		// This run's earlier documents may have moved a scenario on.
		maps.Copy(prev, sc.cur)
	}
	produced := map[string]bool{}
	// One finding per document, not one per unit: the date is the
	// document's to state.
	var undated []string
	var undatedOn knowledge.Date
	for i, s := range secs {
		id := ids[i]
		produced[id] = true
		u := knowledge.Unit{
			ID: id, Title: or(s.Title, lastOr(s.Headings, it.Key)),
			Language: or(s.Language, spec.Language), Layer: knowledge.Layer(or(s.Layer, string(kind.Layer))),
			Kind: or(s.Kind, kind.Kind), Product: or(s.Product, spec.Product),
			Markets:    firstList(s.Markets, spec.Markets, cfg.Defaults.Markets),
			Industries: s.Industries, Audiences: s.Audiences, Adapts: s.Adapts,
			Source: knowledge.Source{
				Name: spec.Name, Kind: spec.Kind, URI: it.URI, Document: it.Key,
				Locator: s.Locator, FetchedAt: o.Now, Hash: it.Version,
			},
			Tier: spec.Tier, Owner: ownerOf(spec, s, owners), Access: knowledge.Access(or(s.Access, string(spec.Access))),
			Status: knowledge.StatusActive, Body: s.Text, Occurrences: s.Occurrences,
		}
		if p := prev[id]; p != nil && s.Continues != "" {
			// A scenario keeps the provenance of the export it was first
			// seen in (its id says so); seen_in names the others.
			u.Source.URI, u.Source.Document, u.Source.Hash = p.Source.URI, p.Source.Document, p.Source.Hash
		}
		scenarioFields(&u, s, o.Now)
		u.Effective, u.EffectiveSource = effectiveOf(s, it, o.Now)
		if p := prev[id]; p != nil && s.SeenIn != nil && s.Effective.IsZero() {
			// A scenario rendered afresh (new redaction) states no date of
			// its own: it keeps the date of the newest fix it carries.
			u.Effective, u.EffectiveSource = p.Effective, p.EffectiveSource
		}
		if u.Language == "" && o.Detect != nil {
			u.Language = o.Detect(u.Title + "\n" + u.Body)
		}
		if u.Language == "" {
			u.Language = cfg.Defaults.Language
		}
		if o.Map != nil {
			for _, f := range o.Map(&u) {
				res.findings = append(res.findings, knowledge.FilePath(id)+": "+f)
			}
		}
		keepEffective(&u, prev[id], s)
		check := u
		check.Version, check.ContentHash = 1, knowledge.ComputeHash(u)
		if err := check.Validate(); err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %s (%s): unit %s: %v", spec.Name, it.Key, s.Locator, id, err))
			continue
		}
		next, ch := knowledge.Revise(sc.revisionBase(id, prev[id]), u)
		sc.record(next)
		col.put(next, ch)
		if ch != knowledge.Unchanged && ch != knowledge.Touched && next.EffectiveSource == knowledge.EffectiveFromIngest {
			undated = append(undated, knowledge.FilePath(id))
			undatedOn = next.Effective
		}
	}
	if len(undated) > 0 {
		what := undated[0]
		if len(undated) > 1 {
			what = fmt.Sprintf("%s and %d more units", undated[0], len(undated)-1)
		}
		res.findings = append(res.findings, fmt.Sprintf("%s: %s: effective: the document states no date; the ingest date %s is used (effective_source: ingest), and it loses conflicts to dated units: add `effective:` to the document or to the unit", it.Key, what, undatedOn))
	}
	for _, u := range existing {
		if produced[u.ID] || (sc != nil && sc.base[u.ID] != nil) {
			continue // scenarios: see withdraw
		}
		col.put(knowledge.Retire(*u))
	}
	sc.withdraw(it.Key, produced, col)
}

// effectiveOf returns a new unit's effective date and where it came from:
// the date the section states (front matter, PDF info, ticket), else the
// date the location gives for the document when it is one its publisher
// states (HTTP Last-Modified, git commit), else the ingest date, marked
// as such so that nobody mistakes it for the document's.
func effectiveOf(s sources.Section, it sources.Item, now time.Time) (knowledge.Date, string) {
	switch {
	case !s.Effective.IsZero():
		src := s.EffectiveSource
		if src == "" {
			src = knowledge.EffectiveFromFrontMatter
		}
		return knowledge.DateOf(s.Effective), src
	case !it.ModTime.IsZero() && it.DateSource != "":
		return knowledge.DateOf(it.ModTime), it.DateSource
	}
	return knowledge.DateOf(now), knowledge.EffectiveFromIngest
}

// keepEffective gives u the effective date of its stored version p when
// nothing else of the unit changed: a document-wide date (Last-Modified,
// a PDF's ModDate, a commit) moves whenever any part of the document
// changes, and that must not make every unit of it a new version to
// review. A date the section states itself (front matter) is always
// taken, and a stored ingest-date fallback gives way to a date the
// document now states (one new version, reviewed like any change).
// Files from before effective_source keep their date until their content
// changes.
func keepEffective(u, p *knowledge.Unit, s sources.Section) {
	if p == nil || s.EffectiveSource == knowledge.EffectiveFromFrontMatter && !s.Effective.IsZero() {
		return
	}
	if p.EffectiveSource == knowledge.EffectiveFromIngest && u.EffectiveSource != knowledge.EffectiveFromIngest {
		return
	}
	same := *u
	same.Effective, same.EffectiveSource = p.Effective, p.EffectiveSource
	if knowledge.ComputeHash(same) == p.ContentHash {
		u.Effective, u.EffectiveSource = p.Effective, p.EffectiveSource
	}
}

// ownerOf decides a unit's accountable owner. Expert notes belong to the
// product's owner in OWNERS (the first technical reviewer listed for the
// product), else to their author; other documents to the owner they name,
// else to the source's owner.
func ownerOf(spec sources.Spec, s sources.Section, owners *reviews.Owners) string {
	if spec.Kind == "notes" && owners != nil {
		product := or(s.Product, spec.Product)
		if list := owners.Technical[product]; product != "" && len(list) > 0 {
			return list[0]
		}
	}
	return or(s.Owner, spec.Owner)
}

func count(res *sourceResult, ch knowledge.Change) {
	switch ch {
	case knowledge.Added:
		res.Added++
	case knowledge.Changed:
		res.Changed++
	case knowledge.Touched:
		res.Touched++
	}
}

func unitChange(u knowledge.Unit) (kbrepo.Change, error) {
	b, err := knowledge.Marshal(u)
	if err != nil {
		return kbrepo.Change{}, err
	}
	return kbrepo.Change{Path: knowledge.FilePath(u.ID), Data: b}, nil
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func lastOr(xs []string, def string) string {
	if len(xs) > 0 {
		return xs[len(xs)-1]
	}
	return strings.TrimSuffix(filepath.Base(def), filepath.Ext(def))
}

func firstList(ls ...[]string) []string {
	for _, l := range ls {
		if len(l) > 0 {
			return l
		}
	}
	return nil
}

// Summary is the commit message of an ingestion commit. It reads as a
// pull-request description: counts, changed units by owner, findings.
func Summary(r Report) string {
	var a, c, ret, t int
	for _, s := range r.Sources {
		a, c, ret, t = a+s.Added, c+s.Changed, ret+s.Retired, t+s.Touched
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ingest: %d added, %d changed, %d retired", a, c, ret)
	if t > 0 {
		fmt.Fprintf(&b, ", %d touched", t)
	}
	b.WriteString("\n\n")
	byOwner := map[string][]UnitChange{}
	for _, ch := range r.Changes {
		byOwner[ch.Owner] = append(byOwner[ch.Owner], ch)
	}
	owners := make([]string, 0, len(byOwner))
	for o := range byOwner {
		owners = append(owners, o)
	}
	sort.Strings(owners)
	for _, o := range owners {
		fmt.Fprintf(&b, "Owner %s (%d):\n", o, len(byOwner[o]))
		list := byOwner[o]
		sort.Slice(list, func(i, j int) bool { return list[i].ID < list[j].ID })
		for i, ch := range list {
			if i == 50 {
				fmt.Fprintf(&b, "  … and %d more\n", len(list)-50)
				break
			}
			fmt.Fprintf(&b, "  - %s %s (v%d)\n", ch.Change, ch.ID, ch.Version)
		}
		b.WriteString("\n")
	}
	if len(r.Findings) > 0 {
		fmt.Fprintf(&b, "Findings (%d):\n", len(r.Findings))
		for i, f := range r.Findings {
			if i == 50 {
				fmt.Fprintf(&b, "  … and %d more\n", len(r.Findings)-50)
				break
			}
			fmt.Fprintf(&b, "  - %s\n", f)
		}
		b.WriteString("\n")
	}
	for _, s := range r.Sources {
		for _, e := range s.Errors {
			fmt.Fprintf(&b, "Error: %s\n", e)
		}
	}
	b.WriteString("Review each stage with `kbops review approve --stage technical|expression|consistency`.\n")
	return b.String()
}

// sourceList is one source opened and listed.
type sourceList struct {
	spec     sources.Spec
	loc      sources.Location
	items    []sources.Item
	itemErrs []error
	// err is why the source could not be opened or listed; its units are
	// then kept as they are.
	err error
}

func (l *sourceList) close() {
	if c, ok := l.loc.(sources.Closer); ok {
		_ = c.Close()
	}
}

func listSource(ctx context.Context, ws *workspace.Workspace, spec sources.Spec, o Options) *sourceList {
	sl := &sourceList{spec: spec}
	cache, err := ws.State("cache", knowledge.Slug(spec.Name))
	if err != nil {
		sl.err = err
		return sl
	}
	env := sources.Env{Base: ws.Root, Cache: cache, GitRemote: ws.Repo.RemoteURL(ws.Config.Git.Remote)}
	if sl.loc, err = o.Registry.OpenLocation(ctx, spec, env); err != nil {
		sl.err = err
		return sl
	}
	if sl.items, sl.itemErrs, err = sl.loc.List(ctx); err != nil {
		// The place as a whole is unreadable: keep every unit as it is.
		sl.err = fmt.Errorf("source %s: %w; its units are kept unchanged", spec.Name, err)
	}
	return sl
}

// unchanged reports whether a run would find nothing to do, without
// reading the units: every source listed cleanly exactly the documents the
// state remembers, each with the same change token and with units in the
// tree, and the termbase is the one the state was built with. That is the
// condition under which the full path skips every document, retires
// nothing and commits nothing; its reports are returned. Anything else
// (a new, changed, removed or unreadable document, a lost state) takes the
// full path.
func unchanged(repo *kbrepo.Repo, base plumbing.Hash, st state, lists []*sourceList, o Options) ([]SourceReport, bool) {
	for _, sl := range lists {
		if sl.err != nil || len(sl.itemErrs) > 0 || len(st.Documents[sl.spec.Name]) == 0 ||
			st.Redaction[sl.spec.Name] != redactionToken(sl.spec) {
			return nil, false
		}
	}
	// Only the units folder is read, not the approvals beside it.
	c, err := repo.Git.CommitObject(base)
	if err != nil {
		return nil, false
	}
	root, err := c.Tree()
	if err != nil {
		return nil, false
	}
	tb := plumbing.ZeroHash
	if e, err := root.FindEntry(glossarypass.Path); err == nil {
		tb = e.Hash
	}
	if tb.String() != st.Termbase {
		return nil, false
	}
	// Folders that hold unit files: "units/<source>/<document>/".
	dirs := map[string]bool{}
	if ut, err := root.Tree(knowledge.UnitsDir); err == nil {
		w := object.NewTreeWalker(ut, true, nil)
		for {
			name, e, err := w.Next()
			if err == io.EOF {
				break
			}
			if err != nil {
				w.Close()
				return nil, false
			}
			if e.Mode.IsFile() {
				dirs[knowledge.UnitsDir+"/"+name[:strings.LastIndexByte(name, '/')+1]] = true
			}
		}
		w.Close()
	}
	var reps []SourceReport
	for _, sl := range lists {
		spec := sl.spec
		known := st.Documents[spec.Name]
		scenarios := sources.Kinds()[spec.Kind].Layer == knowledge.LayerScenario
		rep := SourceReport{Name: spec.Name}
		seen := map[string]bool{}
		for _, it := range sl.items {
			if FormatOf(o.Registry, spec, sl.loc, it) == "" {
				continue
			}
			rep.Documents++
			rep.Unchanged++
			seen[it.Key] = true
			dir := path.Dir(knowledge.FilePath(knowledge.MakeID(spec.Name, it.Key, nil))) + "/"
			if known[it.Key] != it.Version {
				return nil, false
			}
			// An export whose tickets all joined earlier scenarios has no
			// folder of its own; its units are those of the source.
			if !dirs[dir] && !(scenarios && sourceHasDir(dirs, spec.Name)) {
				return nil, false
			}
		}
		if len(seen) != len(known) {
			return nil, false // a document is gone: its units are retired on the full path
		}
		reps = append(reps, rep)
	}
	return reps, true
}

// sourceHasDir reports whether any unit folder of the source exists.
func sourceHasDir(dirs map[string]bool, source string) bool {
	prefix := knowledge.UnitsDir + "/" + knowledge.Slug(source) + "/"
	for d := range dirs {
		if strings.HasPrefix(d, prefix) {
			return true
		}
	}
	return false
}
