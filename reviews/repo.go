package reviews

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// Snapshot is the knowledge repository at one commit: units, their review
// records and OWNERS.
type Snapshot struct {
	Commit  plumbing.Hash
	Tree    kbrepo.Tree
	Units   map[string]*knowledge.Unit
	Records map[string][]Record
	// Owners is the OWNERS file as committed. The OWNERS in force may be
	// the previous one when a change of it is not approved: see
	// EffectiveOwners.
	Owners *Owners
	// GlossaryRecords are the approvals of the termbase.
	GlossaryRecords []Record
	// OwnersRecords are the approvals of OWNERS itself.
	OwnersRecords []Record
	// Problems are files that could not be read; each names the file.
	Problems []error
	// Unreadable holds the unit ids whose files are on the tree but could
	// not be read, with the reason. Publishing keeps what it published of
	// them: a broken file must never turn into a deletion.
	Unreadable map[string]error

	repo *kbrepo.Repo
	// cache is the parse cache the snapshot was loaded with (nil: none);
	// the history walk reads older versions of approvals files through it.
	cache *ParseCache
	hist  *History
	// ancestry caches descends.
	ancestry map[[2]plumbing.Hash]bool
	// recKeys holds the record keys of approvals-file versions read
	// during the history walk, by blob.
	recKeys map[plumbing.Hash]recordIDs
	// effective is the OWNERS in force and why the committed one is not.
	effective      *Owners
	ownersProblems []string
	// removals caches readRemovals.
	removals map[string]*removal
}

func (s *Snapshot) unreadable(id string, err error) {
	if s.Unreadable == nil {
		s.Unreadable = map[string]error{}
	}
	s.Unreadable[id] = err
}

// Load reads the snapshot at commit (the zero hash gives an empty one).
func Load(ctx context.Context, r *kbrepo.Repo, commit plumbing.Hash) (*Snapshot, error) {
	return LoadCached(ctx, r, commit, nil)
}

// LoadCached is Load with a cache of parsed files keyed by their git blob
// hash (nil: none). Parsing every unit of a large knowledge base is most
// of the cost of publish and verify; with the cache only changed files
// are read and parsed.
func LoadCached(ctx context.Context, r *kbrepo.Repo, commit plumbing.Hash, cache *ParseCache) (*Snapshot, error) {
	t, err := r.Tree(commit)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{Commit: commit, Tree: t, Units: map[string]*knowledge.Unit{}, Records: map[string][]Record{}, Owners: &Owners{}, repo: r, cache: cache}
	if b, ok, err := r.ReadPath(t, OwnersFile); err != nil {
		return nil, err
	} else if ok {
		o, err := ParseOwners(OwnersFile, b)
		if err != nil {
			s.Problems = append(s.Problems, err)
		} else {
			s.Owners = o
		}
	}
	for p, e := range t {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if id, ok := knowledge.IDFromPath(p); ok {
			if u, ok := cache.unit(e.Hash); ok && u.ID == id {
				s.Units[id] = u
				continue
			}
			b, err := r.Read(e.Hash)
			if err != nil {
				return nil, err
			}
			u, err := knowledge.Parse(p, b)
			if err != nil {
				s.Problems = append(s.Problems, err)
				s.unreadable(id, err)
				continue
			}
			cache.putUnit(e.Hash, &u)
			if u.ID != id {
				err := fmt.Errorf("%s: field \"id\": %q does not match the file's path (want %q); move the file or fix the id", p, u.ID, id)
				s.Problems = append(s.Problems, err)
				s.unreadable(id, err)
				continue
			}
			s.Units[id] = &u
		} else if id, ok := UnitIDFromApprovalPath(p); ok {
			f, ok := cache.approvals(e.Hash)
			if !ok {
				b, err := r.Read(e.Hash)
				if err != nil {
					return nil, err
				}
				if f, err = ParseApprovals(p, b); err != nil {
					s.Problems = append(s.Problems, err)
					continue
				}
				cache.putApprovals(e.Hash, f)
			}
			if id == OwnersApprovalID {
				s.OwnersRecords = f.Records
				continue
			}
			if id == GlossaryApprovalID {
				s.GlossaryRecords = f.Records
				continue
			}
			s.Records[id] = f.Records
		}
	}
	return s, nil
}

// LoadBranch loads the snapshot at a branch's tip; a missing branch gives
// ok == false.
func LoadBranch(ctx context.Context, r *kbrepo.Repo, branch string) (*Snapshot, bool, error) {
	h, ok, err := r.Branch(branch)
	if err != nil || !ok {
		return nil, ok, err
	}
	s, err := Load(ctx, r, h)
	return s, true, err
}

// Status evaluates one unit of the snapshot with the OWNERS in force, the
// version's author and, in strict mode, the signatures of the approval
// commits. The first call reads the history (see ReadHistory).
func (s *Snapshot) Status(id string) UnitStatus {
	u := s.Units[id]
	if u == nil {
		return UnitStatus{ID: id, State: StateInvalid, Next: Technical, Problems: []string{"no such unit"}}
	}
	if err := s.ReadHistory(context.Background()); err != nil {
		return UnitStatus{ID: id, State: StateInvalid, Next: Technical, Problems: []string{err.Error()}}
	}
	return Evaluate(u, s.Records[id], s.rules(id, s.EffectiveOwners()))
}

func (s *Snapshot) rules(id string, o *Owners) Rules {
	r := Rules{Owners: o, Author: s.hist.Authors[id], WrittenAt: s.hist.WrittenAt[id], When: func(rec Record) (time.Time, bool) {
		if c := s.hist.RecordCommits[id][rec.id()]; c != nil {
			return c.Committer.When, true
		}
		return time.Time{}, false
	}, After: func(a, b Record) (bool, bool) {
		ca, cb := s.hist.RecordCommits[id][a.id()], s.hist.RecordCommits[id][b.id()]
		if ca == nil || cb == nil {
			return false, false
		}
		return s.descends(ca.Hash, cb.Hash), true
	}, PrevOwner: func() (string, bool) { return s.prevOwner(id) }}
	if o.Strict {
		r.Proof = s.proofFor(id, o)
	} else {
		r.Proof = s.authorshipFor(id)
	}
	return r
}

// descends reports whether commit b strictly descends from commit a. One
// approval commit covers many units, so answers are kept per pair.
func (s *Snapshot) descends(a, b plumbing.Hash) bool {
	if a == b {
		return false
	}
	k := [2]plumbing.Hash{a, b}
	if v, ok := s.ancestry[k]; ok {
		return v
	}
	v, err := s.repo.IsAncestor(a, b)
	v = v && err == nil
	if s.ancestry == nil {
		s.ancestry = map[[2]plumbing.Hash]bool{}
	}
	s.ancestry[k] = v
	return v
}

// ApprovedUnits returns the units whose current content passed all three
// stages, sorted by id. It is the one definition of "approved" that both
// `review verify` and `publish` use.
func (s *Snapshot) ApprovedUnits() (approved []*knowledge.Unit, unapproved []UnitStatus) {
	if err := s.ReadHistory(context.Background()); err != nil {
		for _, id := range s.IDs() {
			unapproved = append(unapproved, UnitStatus{ID: id, State: StateInvalid, Next: Technical, Problems: []string{err.Error()}})
		}
		return nil, unapproved
	}
	for _, id := range s.IDs() {
		st := s.Status(id)
		if st.State == StateApproved {
			approved = append(approved, s.Units[id])
		} else {
			unapproved = append(unapproved, st)
		}
	}
	return approved, unapproved
}

// Held returns the ids of units whose files are on the tree but that may
// not be published as they are: unreadable, or not approved (an edit,
// a retirement or a forged record waiting for review). Publishing keeps
// whatever it published of them before; only an approved change or the
// file's removal through review changes what is served.
func (s *Snapshot) Held(unapproved []UnitStatus) map[string]bool {
	held := make(map[string]bool, len(unapproved)+len(s.Unreadable))
	for _, st := range unapproved {
		held[st.ID] = true
	}
	for id := range s.Unreadable {
		held[id] = true
	}
	return held
}

// IDs returns the unit ids, sorted.
func (s *Snapshot) IDs() []string {
	ids := make([]string, 0, len(s.Units))
	for id := range s.Units {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// ChangedUnits lists the ids of units whose files differ between base and
// s (added, changed, retired or deleted), sorted.
func (s *Snapshot) ChangedUnits(base *Snapshot) []string {
	var out []string
	for _, p := range kbrepo.Changed(base.Tree, s.Tree) {
		if id, ok := knowledge.IDFromPath(p); ok {
			out = append(out, id)
		}
	}
	return out
}

// VerifyReport is the outcome of Verify.
type VerifyReport struct {
	Checked  int
	Failures []string // one line each: what is wrong and with which unit
}

// OK reports whether verification passed.
func (v VerifyReport) OK() bool { return len(v.Failures) == 0 }

// Verify checks that every unit changed since base (every unit when base
// is nil) is approved for its current content, that every file could be
// read, and that OWNERS is in force: a change of it since base must be
// approved by the people base's OWNERS requires, and while OWNERS changes,
// units must pass under both base's and head's OWNERS (so nobody adds
// themselves and approves in one change, and publish, which reads main's
// OWNERS after the merge, agrees). Deleting a unit file is a change too:
// it needs a removal approval (see RemovalStage) unless the deleted
// version is a retirement that passed review.
func Verify(s, base *Snapshot) VerifyReport {
	rep, _ := VerifyContext(context.Background(), s, base)
	return rep
}

// VerifyContext is Verify with a context for reading the history; the
// error is set only when the repository cannot be read. Against a base,
// it runs the blocking checks with the default options (see VerifyWith).
func VerifyContext(ctx context.Context, s, base *Snapshot) (VerifyReport, error) {
	return VerifyWith(ctx, s, base, &CheckOptions{})
}

// VerifyWith is VerifyContext with the options of the blocking checks
// (nil: none run). Against a base, an approval of a changed unit counts
// only if its record waives each blocking finding of its stage
// (BlockingFindings): leftover personal data, forbidden terms (with
// checks.Glossary set) and conflicts with no winner.
func VerifyWith(ctx context.Context, s, base *Snapshot, checks *CheckOptions) (VerifyReport, error) {
	var rep VerifyReport
	if err := s.ReadHistory(ctx); err != nil {
		return rep, err
	}
	for _, p := range s.Problems {
		rep.Failures = append(rep.Failures, p.Error())
	}
	owners := s.EffectiveOwners()
	var baseOwners *Owners
	var ownersFailures []string
	ids := s.IDs()
	if base != nil {
		ids = s.ChangedUnits(base)
		if base.Tree[OwnersFile] != s.Tree[OwnersFile] {
			baseOwners = base.EffectiveOwners()
			b, _, err := s.repo.ReadPath(s.Tree, OwnersFile)
			if err != nil {
				return rep, err
			}
			proof := s.authorshipFor(OwnersApprovalID)
			if baseOwners.Strict || owners.Strict {
				proof = s.proofFor(OwnersApprovalID, baseOwners)
			}
			if _, ok := s.Tree[OwnersFile]; !ok {
				ownersFailures = append(ownersFailures, "OWNERS: deleted; a knowledge repository needs it (restore it)")
			} else {
				ownersFailures = append(ownersFailures, CheckOwnersChange(baseOwners, s.Owners, OwnersHash(b), s.OwnersRecords, s.hist.OwnersAuthor, proof)...)
			}
		}
	}
	// The check against the previous version in history is what publish
	// applies on main; it usually says the same as the check against base.
	for _, p := range s.ownersProblems {
		if !slices.Contains(ownersFailures, p) {
			ownersFailures = append(ownersFailures, p)
		}
	}
	for _, p := range ownersFailures {
		rep.Failures = append(rep.Failures, p+"; until then the previous OWNERS stays in force")
	}
	if base != nil && base.Tree[GlossaryFile] != s.Tree[GlossaryFile] {
		if _, ok := s.Tree[GlossaryFile]; ok {
			rep.Failures = append(rep.Failures, s.GlossaryProblems()...)
		}
	}
	var blocking map[string]map[Stage][]Finding
	if base != nil && checks != nil {
		var present []string
		for _, id := range ids {
			if s.Units[id] != nil {
				present = append(present, id)
			}
		}
		blocking = map[string]map[Stage][]Finding{}
		for _, f := range BlockingFindings(s, present, *checks) {
			if blocking[f.Unit] == nil {
				blocking[f.Unit] = map[Stage][]Finding{}
			}
			blocking[f.Unit][f.Stage] = append(blocking[f.Unit][f.Stage], f)
		}
	}
	if base != nil {
		removed := s.removedIDs(base)
		if err := s.readRemovals(ctx, removed); err != nil {
			return rep, err
		}
		for _, id := range removed {
			rep.Checked++
			st, err := s.Removal(ctx, id, base)
			if err != nil {
				return rep, err
			}
			if !st.Approved {
				rep.Failures = append(rep.Failures, fmt.Sprintf("%s: %s", knowledge.FilePath(id), st.Why))
			}
		}
	}
	for _, id := range ids {
		if _, ok := s.Units[id]; !ok {
			continue
		}
		rep.Checked++
		rules := func(o *Owners) Rules {
			r := s.rules(id, o)
			// Against a base, a change of owner is judged from the owner
			// the base holds, however many versions the branch made.
			if bu := baseUnit(base, id); bu != nil {
				r.PrevOwner = func() (string, bool) { return bu.Owner, true }
			}
			if blocking != nil {
				r.Blocking = func(st Stage) []Finding { return blocking[id][st] }
			}
			return r
		}
		fail := unitFailure(id, Evaluate(s.Units[id], s.Records[id], rules(owners)))
		if fail == "" && baseOwners != nil {
			if f := unitFailure(id, Evaluate(s.Units[id], s.Records[id], rules(baseOwners))); f != "" {
				fail = f + " (under the OWNERS of the base, which this change edits)"
			}
		}
		if fail != "" {
			rep.Failures = append(rep.Failures, fail)
		}
	}
	return rep, nil
}

func baseUnit(base *Snapshot, id string) *knowledge.Unit {
	if base == nil {
		return nil
	}
	return base.Units[id]
}

// EffectiveOwnersStrict reports whether the OWNERS in force is strict.
func (s *Snapshot) EffectiveOwnersStrict(ctx context.Context) bool {
	if s.ReadHistory(ctx) != nil {
		return s.Owners.Strict
	}
	return s.EffectiveOwners().Strict
}

// unitFailure is verify's line for a unit that is not approved, "" if it is.
func unitFailure(id string, st UnitStatus) string {
	switch st.State {
	case StatePending:
		msg := fmt.Sprintf("%s: %s review missing (may approve: %s)", knowledge.FilePath(id), st.Next, orNone(st.Allowed))
		if len(st.Problems) > 0 {
			msg += "; " + strings.Join(st.Problems, "; ")
		}
		return msg
	case StateRejected:
		return fmt.Sprintf("%s: rejected at %s by %s: %s", knowledge.FilePath(id), st.Next, st.Decision.Reviewer, firstLine(st.Decision.Comment))
	case StateInvalid:
		return fmt.Sprintf("%s: %s", knowledge.FilePath(id), strings.Join(st.Problems, "; "))
	}
	return ""
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if s == "" {
		return "(no comment)"
	}
	return s
}

// Decision is a request to record one stage's verdict on some units.
type Decision struct {
	Branch   string // review branch to commit to
	Reviewer string // "Name <email>"
	Stage    Stage  // a unit stage, or OwnersStage to decide the change of OWNERS
	Verdict  Verdict
	Units    []string // unit ids (ignored for OwnersStage)
	Comment  string
	Now      time.Time
	// Main is the branch the review branch will merge into; a change of
	// OWNERS is judged against the OWNERS of their merge base. "" uses the
	// OWNERS before the last change on the branch.
	Main string
	// SignKey, when set, signs the decision commit (strict mode needs it).
	SignKey *openpgp.Entity
	// Recorder, when set, is the address of the recorder SignKey belongs
	// to (OWNERS recorders:), for a decision typed on the git host: strict
	// mode then checks SignKey against the recorder's listed key instead
	// of the reviewer's, and the commit names the recorder.
	Recorder string
	// Checks are the options of the blocking checks an approval of a unit
	// stage runs first (nil: the defaults, without a glossary).
	Checks *CheckOptions
	// Waive maps the code of a blocking finding to the reviewer's reason
	// to approve over it; the waiver is kept in the record.
	Waive map[string]string
	// Pin, with Stage consistency and Verdict approved, records that each
	// unit decided wins its conflict with unit Pin.Over for the reason
	// Pin.Reason, against the rule of tier and date; Decide fills in
	// Over's current version and content hash. A pin may be recorded on a
	// unit already approved: it is a new consistency approval that keeps
	// the unit's earlier pins.
	Pin *Pin
	// Trailers are further "Key: value" lines for the commit message, after
	// kbops' own (e.g. where on the git host the decision was made). A
	// trailer with a line break or without "Key: " is an error.
	Trailers []string
	// AllMine adds to Units every unit waiting for the reviewer at Stage
	// (as WaitingFor lists them), read under the write lock from the
	// snapshot Decide loads anyway: asking WaitingFor first loads the
	// branch and its history a second time, and what waits could change
	// between the two.
	AllMine bool
	// Cache, when set, is the parse cache the snapshot and its history
	// are read through (LoadCached); the caller saves it.
	Cache *ParseCache
}

// ErrNotReady marks units whose earlier stages are not approved yet.
var ErrNotReady = errors.New("earlier stage not approved")

// Decide records a verdict for each unit on the review branch in one
// commit whose author is the reviewer. Units that cannot take the decision
// (unknown, not allowed, written by the reviewer, stage out of order,
// already decided) are returned as problems and left out; the others are
// recorded.
func Decide(ctx context.Context, r *kbrepo.Repo, d Decision) (recorded []string, problems []error, err error) {
	ctx, unlock, err := r.WriteLock(ctx, "kbops review "+string(d.Verdict), true)
	if err != nil {
		return nil, nil, err
	}
	defer unlock()
	head, ok, err := r.Branch(d.Branch)
	if err != nil {
		return nil, nil, err
	}
	if !ok && d.Pin != nil && d.Main != "" {
		// A pin decides units that are on main already: with nothing
		// waiting, the decision starts the review branch there.
		if head, ok, err = r.Branch(d.Main); err != nil {
			return nil, nil, err
		}
	}
	if !ok {
		return nil, nil, fmt.Errorf("no review branch %q: nothing waits for review (run `kbops ingest` first)", d.Branch)
	}
	snap, err := LoadCached(ctx, r, head, d.Cache)
	if err != nil {
		return nil, nil, err
	}
	if err := snap.ReadHistory(ctx); err != nil {
		return nil, nil, err
	}
	if d.AllMine {
		ids, err := waitingIn(ctx, r, snap, d)
		if err != nil {
			return nil, nil, err
		}
		d.Units = append(d.Units, ids...)
		if len(d.Units) == 0 {
			return nil, nil, nil
		}
	}
	sig, err := kbrepo.Signature(d.Reviewer, d.Now)
	if err != nil {
		return nil, nil, fmt.Errorf("reviewer: %w; pass --as \"Name <email>\" or set KBOPS_REVIEWER", err)
	}
	who := Identity(d.Reviewer)
	at := d.Now.UTC().Truncate(time.Second)
	for _, tr := range d.Trailers {
		if k, v, ok := strings.Cut(tr, ": "); !ok || k == "" || strings.TrimSpace(v) == "" || strings.ContainsAny(tr, "\r\n") || strings.ContainsAny(k, " \t") {
			return nil, nil, fmt.Errorf("decision trailer %q: want one line \"Key: value\"", tr)
		}
	}
	if o := snap.EffectiveOwners(); o.Strict {
		if d.Recorder != "" {
			err = checkRecorderKey(o, Identity(d.Recorder), d.SignKey)
		} else {
			err = checkSignKey(o, who, d.SignKey)
		}
		if err != nil {
			return nil, nil, err
		}
	}
	var changes []kbrepo.Change
	// written are the approvals files of units this decision writes, for
	// the parse cache: the next stage, or the verify after the last, loads
	// exactly these versions, and parsing 40,000 of them again took about
	// as long as the rest of that command.
	type file struct {
		data []byte
		f    ApprovalFile
	}
	var written []file
	if d.Stage == OwnersStage {
		c, err := decideOwners(ctx, r, snap, d, who, at)
		if err != nil {
			return nil, nil, err
		}
		changes = append(changes, c)
		recorded = append(recorded, OwnersFile)
	} else if d.Stage == GlossaryStage {
		c, err := decideGlossary(r, snap, d, who, at)
		if err != nil {
			return nil, nil, err
		}
		changes = append(changes, c)
		recorded = append(recorded, GlossaryFile)
	} else if d.Stage == RemovalStage {
		base, err := decisionBase(ctx, r, snap, d.Main)
		if err != nil {
			return nil, nil, err
		}
		if err := snap.readRemovals(ctx, d.Units); err != nil {
			return nil, nil, err
		}
		for _, id := range d.Units {
			rec, err := decideRemoval(ctx, snap, base, id, who, d, at)
			if err != nil {
				problems = append(problems, err)
				continue
			}
			recs := append(append([]Record(nil), snap.Records[id]...), rec)
			f := ApprovalFile{Unit: id, Records: recs}
			b, err := MarshalApprovals(f)
			if err != nil {
				return nil, nil, err
			}
			changes = append(changes, kbrepo.Change{Path: ApprovalPath(id), Data: b})
			written = append(written, file{b, f})
			recorded = append(recorded, id)
		}
	} else {
		owners := snap.EffectiveOwners()
		var blocking map[string][]Finding
		if d.Verdict == Approved && d.Stage.Index() >= 0 {
			checks := d.Checks
			if checks == nil {
				checks = &CheckOptions{}
			}
			blocking = map[string][]Finding{}
			for _, f := range BlockingFindings(snap, d.Units, *checks, d.Stage) {
				blocking[f.Unit] = append(blocking[f.Unit], f)
			}
		}
		for _, id := range d.Units {
			u, ok := snap.Units[id]
			if !ok {
				problems = append(problems, fmt.Errorf("%s: no such unit on %s", id, d.Branch))
				continue
			}
			rules := snap.rules(id, owners)
			rules.Blocking = func(stg Stage) []Finding {
				if stg == d.Stage {
					return blocking[id]
				}
				return nil
			}
			st := Evaluate(u, snap.Records[id], rules)
			var pins []Pin
			if d.Pin != nil {
				p, err := pinFor(snap, id, who, d)
				if err != nil {
					problems = append(problems, err)
					continue
				}
				for _, old := range st.Pins {
					if old.Over != p.Over {
						pins = append(pins, old)
					}
				}
				pins = append(pins, p)
				if st.State == StateApproved {
					st.Next = Consistency // a new consistency decision of an approved unit
				}
			}
			if st.State == StateApproved && d.Pin == nil || d.Stage.Index() < st.Next.Index() {
				problems = append(problems, fmt.Errorf("%s: %s stage already approved for version %d", id, d.Stage, u.Version))
				continue
			}
			if d.Stage != st.Next {
				problems = append(problems, fmt.Errorf("%s: %w: %s waits for %s review first", id, ErrNotReady, d.Stage, st.Next))
				continue
			}
			if allowed := rules.allowed(owners, d.Stage, u); !slices.Contains(allowed, who) {
				problems = append(problems, fmt.Errorf("%s: %s may not decide the %s stage (allowed: %s; see OWNERS)", id, who, d.Stage, orNone(allowed)))
				continue
			}
			if a := snap.Author(id); a != "" && a == who {
				problems = append(problems, fmt.Errorf("%s: %s wrote version %d and may not review it; ask another of: %s", id, who, u.Version, orNone(st.Allowed)))
				continue
			}
			waived, open := waiversFor(blocking[id], d.Waive)
			if len(open) > 0 {
				problems = append(problems, fmt.Errorf("%s: blocking finding(s): %s; fix the unit on %s, or approve with --waive CODE=REASON", id, strings.Join(open, "; "), d.Branch))
				continue
			}
			recs := append(append([]Record(nil), snap.Records[id]...), Record{
				Stage: d.Stage, Verdict: d.Verdict, Reviewer: who, Version: u.Version,
				ContentHash: u.ContentHash, At: at, Comment: d.Comment, Waived: waived, Pins: pins,
			})
			f := ApprovalFile{Unit: id, Records: recs}
			b, err := MarshalApprovals(f)
			if err != nil {
				return nil, nil, err
			}
			changes = append(changes, kbrepo.Change{Path: ApprovalPath(id), Data: b})
			written = append(written, file{b, f})
			recorded = append(recorded, id)
		}
	}
	if len(changes) == 0 {
		return nil, problems, nil
	}
	msg := fmt.Sprintf("review: %s %s for %d unit(s)\n\n", d.Stage, d.Verdict, len(recorded))
	if d.Stage == OwnersStage {
		msg = fmt.Sprintf("review: OWNERS change %s\n\n", d.Verdict)
	}
	if d.Stage == GlossaryStage {
		msg = fmt.Sprintf("review: termbase change %s\n\n", d.Verdict)
	}
	for i, id := range recorded {
		if i == 200 {
			msg += fmt.Sprintf("- … and %d more\n", len(recorded)-200)
			break
		}
		msg += "- " + id + "\n"
	}
	if d.Comment != "" {
		msg += "\n" + d.Comment + "\n"
	}
	msg += fmt.Sprintf("\nKbops-Stage: %s\nKbops-Verdict: %s\nKbops-Reviewer: %s\n", d.Stage, d.Verdict, who)
	for _, tr := range d.Trailers {
		msg += tr + "\n"
	}
	if d.Recorder != "" {
		msg += RecorderTrailer + ": " + Identity(d.Recorder) + "\n"
	}
	if _, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: d.Branch, Parents: []plumbing.Hash{head}, Changes: changes, Message: msg, Author: sig, SignKey: d.SignKey}); err != nil {
		return nil, nil, err
	}
	if d.Cache != nil {
		for _, w := range written {
			d.Cache.putWritten(plumbing.ComputeHash(plumbing.BlobObject, w.data), w.f)
		}
	}
	return recorded, problems, nil
}

// pinFor checks a pin request for unit id and returns the pin to record,
// bound to the other unit's current version.
func pinFor(snap *Snapshot, id, who string, d Decision) (Pin, error) {
	if d.Stage != Consistency || d.Verdict != Approved {
		return Pin{}, fmt.Errorf("%s: a conflict is pinned by a consistency approval (--stage consistency)", id)
	}
	if strings.TrimSpace(d.Pin.Reason) == "" {
		return Pin{}, fmt.Errorf("%s: a pin needs a reason", id)
	}
	over, ok := snap.Units[d.Pin.Over]
	if !ok || d.Pin.Over == id {
		return Pin{}, fmt.Errorf("%s: cannot pin it over %q: no such other unit on %s", id, d.Pin.Over, d.Branch)
	}
	if over.Status != knowledge.StatusActive {
		return Pin{}, fmt.Errorf("%s: %s is retired; there is no conflict to pin", id, over.ID)
	}
	if a := snap.Author(over.ID); a != "" && a == who {
		return Pin{}, fmt.Errorf("%s: %s wrote version %d of %s and may not decide its conflicts", id, who, over.Version, over.ID)
	}
	return Pin{Over: over.ID, Version: over.Version, ContentHash: over.ContentHash, Reason: strings.TrimSpace(d.Pin.Reason)}, nil
}

// waiversFor returns the waivers of waive that findings need, sorted by
// code, and the findings no waiver covers.
func waiversFor(findings []Finding, waive map[string]string) (waived []Waiver, open []string) {
	seen := map[string]bool{}
	for _, f := range findings {
		reason := strings.TrimSpace(waive[f.Code])
		if reason == "" {
			open = append(open, f.String())
			continue
		}
		if !seen[f.Code] {
			seen[f.Code] = true
			waived = append(waived, Waiver{Code: f.Code, Reason: reason})
		}
	}
	sort.Slice(waived, func(i, j int) bool { return waived[i].Code < waived[j].Code })
	return waived, open
}

// decisionBase is the snapshot at the merge base of the review branch and
// main (nil without main): what a change on the branch is judged against.
func decisionBase(ctx context.Context, r *kbrepo.Repo, snap *Snapshot, main string) (*Snapshot, error) {
	if main == "" {
		return nil, nil
	}
	mh, ok, err := r.Branch(main)
	if err != nil || !ok {
		return nil, err
	}
	mb, err := r.MergeBase(mh, snap.Commit)
	if err != nil {
		return nil, err
	}
	return Load(ctx, r, mb)
}

// RemovedUnits lists the units whose files the snapshot deleted since
// base, each with its review state.
func (s *Snapshot) RemovedUnits(ctx context.Context, base *Snapshot) ([]RemovalStatus, error) {
	if base == nil {
		return nil, nil
	}
	ids := s.removedIDs(base)
	if err := s.readRemovals(ctx, ids); err != nil {
		return nil, err
	}
	out := make([]RemovalStatus, 0, len(ids))
	for _, id := range ids {
		st, err := s.Removal(ctx, id, base)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
	}
	return out, nil
}

// decideOwners records a decision on the branch's change of OWNERS.
func decideOwners(ctx context.Context, r *kbrepo.Repo, snap *Snapshot, d Decision, who string, at time.Time) (kbrepo.Change, error) {
	b, ok, err := r.ReadPath(snap.Tree, OwnersFile)
	if err != nil {
		return kbrepo.Change{}, err
	}
	if !ok {
		return kbrepo.Change{}, fmt.Errorf("no OWNERS on %s: nothing to approve", d.Branch)
	}
	prev := snap.hist.OwnersPrev
	if d.Main != "" {
		if mh, ok, err := r.Branch(d.Main); err != nil {
			return kbrepo.Change{}, err
		} else if ok {
			mb, err := r.MergeBase(mh, snap.Commit)
			if err != nil {
				return kbrepo.Change{}, err
			}
			base, err := Load(ctx, r, mb)
			if err != nil {
				return kbrepo.Change{}, err
			}
			if base.Tree[OwnersFile] == snap.Tree[OwnersFile] {
				return kbrepo.Change{}, fmt.Errorf("OWNERS on %s is the same as on %s: there is no change of it to decide", d.Branch, d.Main)
			}
			prev = base.EffectiveOwners()
		}
	}
	if prev == nil {
		return kbrepo.Change{}, fmt.Errorf("OWNERS on %s has no earlier version: there is no change of it to decide", d.Branch)
	}
	if !mayApproveOwners(OwnersChangeRequirements(prev, snap.Owners), who) {
		return kbrepo.Change{}, fmt.Errorf("%s may not decide this change of OWNERS: it needs %s", who, describeReqs(OwnersChangeRequirements(prev, snap.Owners)))
	}
	if snap.hist.OwnersAuthor == who {
		return kbrepo.Change{}, fmt.Errorf("%s wrote this change of OWNERS and may not approve it", who)
	}
	recs := append(append([]Record(nil), snap.OwnersRecords...), Record{
		Stage: OwnersStage, Verdict: d.Verdict, Reviewer: who, ContentHash: OwnersHash(b), At: at, Comment: d.Comment,
	})
	out, err := MarshalApprovals(ApprovalFile{Unit: OwnersApprovalID, Records: recs})
	if err != nil {
		return kbrepo.Change{}, err
	}
	return kbrepo.Change{Path: ApprovalPath(OwnersApprovalID), Data: out}, nil
}

// checkSignKey tells a reviewer before they commit that strict mode would
// not accept their decision.
func checkSignKey(o *Owners, who string, key *openpgp.Entity) error {
	if key == nil {
		return fmt.Errorf("strict mode (OWNERS strict: true) needs signed approvals: pass --sign-key FILE or set KBOPS_SIGNING_KEY")
	}
	listed := o.Keys[who]
	if listed == "" {
		return fmt.Errorf("strict mode: OWNERS lists no key for %s under keys:; ask an admin to add your public key (`gpg --export --armor %s`)", who, who)
	}
	return keyListed("keys", who, listed, key)
}

// checkRecorderKey is checkSignKey for a recorder (OWNERS recorders:).
func checkRecorderKey(o *Owners, rec string, key *openpgp.Entity) error {
	if key == nil {
		return fmt.Errorf("strict mode: the recorder %s has no signing key", rec)
	}
	listed := o.Recorders[rec]
	if listed == "" {
		return fmt.Errorf("strict mode: OWNERS lists no recorder %s under recorders:; an admin adds its public key there", rec)
	}
	return keyListed("recorders", rec, listed, key)
}

func keyListed(field, who, listed string, key *openpgp.Entity) error {
	ring, err := openpgp.ReadArmoredKeyRing(strings.NewReader(listed))
	if err != nil {
		return fmt.Errorf("OWNERS: %s: %s: not an armored OpenPGP public key: %w", field, who, err)
	}
	for _, e := range ring {
		if e.PrimaryKey.Fingerprint != nil && bytes.Equal(e.PrimaryKey.Fingerprint, key.PrimaryKey.Fingerprint) {
			return nil
		}
	}
	return fmt.Errorf("strict mode: the signing key %X is not the key OWNERS lists for %s under %s:", key.PrimaryKey.Fingerprint, who, field)
}

func describeReqs(reqs []Requirement) string {
	var parts []string
	for _, r := range reqs {
		parts = append(parts, r.Entry+": one of "+orNone(r.AnyOf))
	}
	return strings.Join(parts, "; ")
}

// MergeResult says what Merge did.
type MergeResult struct {
	Commit      plumbing.Hash
	FastForward bool
	Units       int // changed units merged
}

// Merge merges the review branch into main when every unit it changes is
// approved, then deletes the review branch (its changes now live on main).
// It is for teams without a git host; with one, merge the pull request
// after `kbops review verify` passed in its CI.
//
// checks are the options of verify's blocking checks (nil: the defaults).
func Merge(ctx context.Context, r *kbrepo.Repo, mainBranch, reviewBranch, who string, now time.Time, checks *CheckOptions) (MergeResult, error) {
	return MergeCached(ctx, r, mainBranch, reviewBranch, who, now, checks, nil)
}

// MergeCached is Merge reading unit and approvals files through cache (nil:
// none; see LoadCached): after approve or verify parsed the branch, only
// the files changed since are parsed again. The caller saves the cache.
func MergeCached(ctx context.Context, r *kbrepo.Repo, mainBranch, reviewBranch, who string, now time.Time, checks *CheckOptions, cache *ParseCache) (MergeResult, error) {
	ctx, unlock, err := r.WriteLock(ctx, "kbops review merge", true)
	if err != nil {
		return MergeResult{}, err
	}
	defer unlock()
	if checks == nil {
		checks = &CheckOptions{}
	}
	var res MergeResult
	rh, ok, err := r.Branch(reviewBranch)
	if err != nil {
		return res, err
	}
	if !ok {
		return res, fmt.Errorf("no review branch %q: nothing to merge", reviewBranch)
	}
	mh, _, err := r.Branch(mainBranch)
	if err != nil {
		return res, err
	}
	baseHash := mh
	if !mh.IsZero() {
		if baseHash, err = r.MergeBase(mh, rh); err != nil {
			return res, fmt.Errorf("merge base of %s and %s: %w", mainBranch, reviewBranch, err)
		}
	}
	head, err := LoadCached(ctx, r, rh, cache)
	if err != nil {
		return res, err
	}
	base, err := LoadCached(ctx, r, baseHash, cache)
	if err != nil {
		return res, err
	}
	rep, err := VerifyWith(ctx, head, base, checks)
	if err != nil {
		return res, err
	}
	if !rep.OK() {
		return res, fmt.Errorf("cannot merge %s: %d unit(s) lack approvals:\n  %s", reviewBranch, len(rep.Failures), strings.Join(rep.Failures, "\n  "))
	}
	res.Units = rep.Checked
	if mh.IsZero() || baseHash == mh {
		res.FastForward, res.Commit = true, rh
		if err := r.MoveBranch(mainBranch, mh, rh); err != nil {
			return res, err
		}
	} else {
		mainTree, err := r.Tree(mh)
		if err != nil {
			return res, err
		}
		merged, conflicts := kbrepo.Merge3(base.Tree, mainTree, head.Tree)
		if len(conflicts) > 0 {
			return res, fmt.Errorf("cannot merge %s: %d file(s) changed on both branches: %s; resolve them on %s and approve again", reviewBranch, len(conflicts), strings.Join(conflicts, ", "), reviewBranch)
		}
		sig, err := kbrepo.Signature(who, now)
		if err != nil {
			return res, err
		}
		h, err := r.Commit(ctx, kbrepo.CommitOptions{
			Branch: mainBranch, Parents: []plumbing.Hash{mh, rh}, Base: merged, AllowEmpty: true,
			Message: fmt.Sprintf("Merge approved knowledge from %s (%d unit(s))\n", reviewBranch, res.Units), Author: sig,
		})
		if err != nil {
			return res, err
		}
		res.Commit = h
	}
	// A checkout of the review branch moves to main (which now holds its
	// changes) before the branch goes, so HEAD never names a deleted branch.
	if r.HeadBranch() == reviewBranch {
		if err := r.Checkout(mainBranch); err != nil {
			return res, fmt.Errorf("merged into %s, but the checkout could not move there, so %s is kept: %w", mainBranch, reviewBranch, err)
		}
	}
	return res, r.DeleteBranch(reviewBranch)
}

// Summary is the one-line account of a merge for run reports.
func (m MergeResult) Summary() string {
	how := "merge commit"
	if m.FastForward {
		how = "fast-forward"
	}
	if m.Commit.IsZero() {
		return "nothing merged"
	}
	return fmt.Sprintf("merged %d unit(s), %s %s", m.Units, how, m.Commit.String()[:12])
}
