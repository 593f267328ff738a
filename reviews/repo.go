package reviews

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

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
	Owners  *Owners
	// Problems are files that could not be read; each names the file.
	Problems []error
}

// Load reads the snapshot at commit (the zero hash gives an empty one).
func Load(ctx context.Context, r *kbrepo.Repo, commit plumbing.Hash) (*Snapshot, error) {
	t, err := r.Tree(commit)
	if err != nil {
		return nil, err
	}
	s := &Snapshot{Commit: commit, Tree: t, Units: map[string]*knowledge.Unit{}, Records: map[string][]Record{}, Owners: &Owners{}}
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
			b, err := r.Read(e.Hash)
			if err != nil {
				return nil, err
			}
			u, err := knowledge.Parse(p, b)
			if err != nil {
				s.Problems = append(s.Problems, err)
				continue
			}
			if u.ID != id {
				s.Problems = append(s.Problems, fmt.Errorf("%s: field \"id\": %q does not match the file's path (want %q); move the file or fix the id", p, u.ID, id))
				continue
			}
			s.Units[id] = &u
		} else if id, ok := UnitIDFromApprovalPath(p); ok {
			b, err := r.Read(e.Hash)
			if err != nil {
				return nil, err
			}
			f, err := ParseApprovals(p, b)
			if err != nil {
				s.Problems = append(s.Problems, err)
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

// Status evaluates one unit of the snapshot.
func (s *Snapshot) Status(id string) UnitStatus {
	return Evaluate(s.Units[id], s.Records[id], s.Owners, "")
}

// ApprovedUnits returns the units whose current content passed all three
// stages, sorted by id. It is the one definition of "approved" that both
// `review verify` and `publish` use.
func (s *Snapshot) ApprovedUnits() (approved []*knowledge.Unit, unapproved []UnitStatus) {
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
// is nil) is approved for its current content, and that every file could
// be read. A deleted unit file needs no approval: deleting is how a
// retired unit leaves the repository.
func Verify(s, base *Snapshot) VerifyReport {
	var rep VerifyReport
	for _, p := range s.Problems {
		rep.Failures = append(rep.Failures, p.Error())
	}
	ids := s.IDs()
	if base != nil {
		ids = s.ChangedUnits(base)
	}
	for _, id := range ids {
		if _, ok := s.Units[id]; !ok {
			continue
		}
		rep.Checked++
		st := s.Status(id)
		switch st.State {
		case StateApproved:
		case StatePending:
			msg := fmt.Sprintf("%s: %s review missing (may approve: %s)", knowledge.FilePath(id), st.Next, orNone(st.Allowed))
			if len(st.Problems) > 0 {
				msg += "; " + strings.Join(st.Problems, "; ")
			}
			rep.Failures = append(rep.Failures, msg)
		case StateRejected:
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s: rejected at %s by %s: %s", knowledge.FilePath(id), st.Next, st.Decision.Reviewer, firstLine(st.Decision.Comment)))
		case StateInvalid:
			rep.Failures = append(rep.Failures, fmt.Sprintf("%s: %s", knowledge.FilePath(id), strings.Join(st.Problems, "; ")))
		}
	}
	return rep
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
	Stage    Stage
	Verdict  Verdict
	Units    []string // unit ids
	Comment  string
	Now      time.Time
}

// ErrNotReady marks units whose earlier stages are not approved yet.
var ErrNotReady = errors.New("earlier stage not approved")

// Decide records a verdict for each unit on the review branch in one
// commit whose author is the reviewer. Units that cannot take the decision
// (unknown, not allowed, stage out of order, already decided) are returned
// as problems and left out; the others are recorded.
func Decide(ctx context.Context, r *kbrepo.Repo, d Decision) (recorded []string, problems []error, err error) {
	head, ok, err := r.Branch(d.Branch)
	if err != nil {
		return nil, nil, err
	}
	if !ok {
		return nil, nil, fmt.Errorf("no review branch %q: nothing waits for review (run `kbops ingest` first)", d.Branch)
	}
	snap, err := Load(ctx, r, head)
	if err != nil {
		return nil, nil, err
	}
	sig, err := kbrepo.Signature(d.Reviewer, d.Now)
	if err != nil {
		return nil, nil, fmt.Errorf("reviewer: %w; pass --as \"Name <email>\" or set KBOPS_REVIEWER", err)
	}
	var changes []kbrepo.Change
	for _, id := range d.Units {
		u, ok := snap.Units[id]
		if !ok {
			problems = append(problems, fmt.Errorf("%s: no such unit on %s", id, d.Branch))
			continue
		}
		st := snap.Status(id)
		if st.State == StateApproved || d.Stage.Index() < st.Next.Index() {
			problems = append(problems, fmt.Errorf("%s: %s stage already approved for version %d", id, d.Stage, u.Version))
			continue
		}
		if d.Stage != st.Next {
			problems = append(problems, fmt.Errorf("%s: %w: %s waits for %s review first", id, ErrNotReady, d.Stage, st.Next))
			continue
		}
		if ok, allowed := snap.Owners.May(d.Reviewer, d.Stage, u); !ok {
			problems = append(problems, fmt.Errorf("%s: %s may not decide the %s stage (allowed: %s; see OWNERS)", id, Identity(d.Reviewer), d.Stage, orNone(allowed)))
			continue
		}
		recs := append(append([]Record(nil), snap.Records[id]...), Record{
			Stage: d.Stage, Verdict: d.Verdict, Reviewer: Identity(d.Reviewer), Version: u.Version,
			ContentHash: u.ContentHash, At: d.Now.UTC().Truncate(time.Second), Comment: d.Comment,
		})
		b, err := MarshalApprovals(ApprovalFile{Unit: id, Records: recs})
		if err != nil {
			return nil, nil, err
		}
		changes = append(changes, kbrepo.Change{Path: ApprovalPath(id), Data: b})
		recorded = append(recorded, id)
	}
	if len(changes) == 0 {
		return nil, problems, nil
	}
	msg := fmt.Sprintf("review: %s %s for %d unit(s)\n\n", d.Stage, d.Verdict, len(recorded))
	for _, id := range recorded {
		msg += "- " + id + "\n"
	}
	if d.Comment != "" {
		msg += "\n" + d.Comment + "\n"
	}
	msg += fmt.Sprintf("\nKbops-Stage: %s\nKbops-Verdict: %s\nKbops-Reviewer: %s\n", d.Stage, d.Verdict, Identity(d.Reviewer))
	if _, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: d.Branch, Parents: []plumbing.Hash{head}, Changes: changes, Message: msg, Author: sig}); err != nil {
		return nil, nil, err
	}
	return recorded, problems, nil
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
func Merge(ctx context.Context, r *kbrepo.Repo, mainBranch, reviewBranch, who string, now time.Time) (MergeResult, error) {
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
	head, err := Load(ctx, r, rh)
	if err != nil {
		return res, err
	}
	base, err := Load(ctx, r, baseHash)
	if err != nil {
		return res, err
	}
	rep := Verify(head, base)
	if !rep.OK() {
		return res, fmt.Errorf("cannot merge %s: %d unit(s) lack approvals:\n  %s", reviewBranch, len(rep.Failures), strings.Join(rep.Failures, "\n  "))
	}
	res.Units = rep.Checked
	if mh.IsZero() || baseHash == mh {
		res.FastForward, res.Commit = true, rh
		if err := r.SetBranch(mainBranch, rh); err != nil {
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
	return res, r.DeleteBranch(reviewBranch)
}
