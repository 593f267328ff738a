package reviews

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/kbops/kbops/knowledge"
)

// RemovalStage is the stage of an approval to delete a unit's file,
// recorded in the unit's approvals file (which stays when the unit goes).
// Deleting an active unit takes what was published of it away from the
// agent, so it is reviewed like any change: one record by someone who may
// decide the technical stage of the removed version (its owner or a
// technical reviewer for its product), not the author of the deletion,
// bound to the removed version and content hash.
const RemovalStage Stage = "removal"

// removal is what the history says about a unit file that is gone.
type removal struct {
	// commit deleted the file (the newest such commit).
	commit *object.Commit
	// unit is the version it deleted; nil when unreadable.
	unit *knowledge.Unit
}

// RemovalStatus is the review state of a unit whose file a change deletes.
type RemovalStatus struct {
	ID string
	// Removed is the version deleted; nil when the history does not show it.
	Removed  *knowledge.Unit
	Approved bool
	// Why says why the removal counts as reviewed, or why it does not.
	Why string
	// Allowed lists who may approve the removal.
	Allowed []string
	// Deleter is who deleted the file (may not approve its removal).
	Deleter string
}

// readRemovals finds, for each id whose unit file is not on the snapshot,
// the commit that deleted it and the version it deleted, and the commits
// that added the records bound to that version. One walk serves all ids;
// ids already read are skipped.
func (s *Snapshot) readRemovals(ctx context.Context, ids []string) error {
	if err := s.ReadHistory(ctx); err != nil {
		return err
	}
	if s.removals == nil {
		s.removals = map[string]*removal{}
	}
	want := map[string]string{} // unit path → id
	var prefixes []string
	for _, id := range ids {
		if _, ok := s.removals[id]; ok || s.Units[id] != nil {
			continue
		}
		s.removals[id] = nil
		want[knowledge.FilePath(id)] = id
		prefixes = append(prefixes, knowledge.FilePath(id), ApprovalPath(id))
	}
	if len(want) == 0 || s.repo == nil || s.Commit.IsZero() {
		return nil
	}
	// First the deletions, then the records that approve them (a record
	// is added after the deletion it approves, or before for retirement).
	found := map[string]bool{}
	err := s.repo.WalkChanges(ctx, s.Commit, prefixes, func(c *object.Commit, changes []kbrepoChange) (bool, error) {
		for _, ch := range changes {
			id := want[ch.Path]
			if id == "" || found[id] || !ch.New.IsZero() || ch.Old[0].IsZero() {
				continue
			}
			found[id] = true
			rm := &removal{commit: c}
			if b, err := s.repo.Read(ch.Old[0]); err == nil {
				if u, _ := knowledge.Parse(ch.Path, b); u.ID != "" {
					rm.unit = &u
				}
			}
			s.removals[id] = rm
		}
		return len(found) < len(want), nil
	})
	if err != nil {
		return fmt.Errorf("read the history of %s to find removed units: %w", s.Commit, err)
	}
	pending := map[string]map[recordID]bool{}
	for _, id := range want {
		// All of them: the version judged may be the base's rather than
		// the one deleted, and removed units are few.
		for _, r := range s.Records[id] {
			addPending(pending, ApprovalPath(id), r.id())
		}
	}
	if len(pending) == 0 {
		return nil
	}
	var walkErr error
	err = s.repo.WalkChanges(ctx, s.Commit, prefixes, func(c *object.Commit, changes []kbrepoChange) (bool, error) {
		for _, ch := range changes {
			if pending[ch.Path] != nil && !ch.New.IsZero() {
				if err := s.recordsAddedBy(c, ch, pending, s.hist); err != nil {
					walkErr = err
					return false, nil
				}
			}
		}
		return len(pending) > 0, nil
	})
	if err == nil {
		err = walkErr
	}
	return err
}

// Removal evaluates the deletion of unit id's file; base, when set, is
// the snapshot the change started from, whose version of the unit is the
// one being removed.
func (s *Snapshot) Removal(ctx context.Context, id string, base *Snapshot) (RemovalStatus, error) {
	st := RemovalStatus{ID: id}
	if err := s.readRemovals(ctx, []string{id}); err != nil {
		return st, err
	}
	rm := s.removals[id]
	if rm != nil {
		st.Deleter = Identity(rm.commit.Author.Email)
		st.Removed = rm.unit
	}
	if bu := baseUnit(base, id); bu != nil {
		st.Removed = bu
	}
	if st.Removed == nil {
		st.Why = "its removed version cannot be found in the history; restore the file"
		return st, nil
	}
	u := st.Removed
	owners := s.EffectiveOwners()
	rules := s.rules(id, owners)
	rules.Author, rules.PrevOwner = "", nil
	if u.Status == knowledge.StatusRetired {
		// A retirement that passed review has already taken the unit
		// off the agent: its file may go.
		if Evaluate(u, s.Records[id], rules).State == StateApproved {
			st.Approved, st.Why = true, "retired through review"
			return st, nil
		}
	}
	st.Allowed = slices.DeleteFunc(owners.Allowed(Technical, u), func(p string) bool { return p == st.Deleter })
	var recs []Record
	for _, r := range s.Records[id] {
		if r.Stage == RemovalStage && r.Version == u.Version && r.ContentHash == u.ContentHash {
			recs = append(recs, r)
		}
	}
	at := func(r Record) time.Time {
		if t, ok := rules.When(r); ok {
			return t
		}
		return r.At
	}
	if len(recs) == 0 {
		st.Why = fmt.Sprintf("deleted without review: removing version %d needs `kbops review approve --stage removal %s` by one of: %s", u.Version, id, orNone(st.Allowed))
		return st, nil
	}
	// The latest decision counts: by history where the commits are known
	// (a clock can be set to anything), else by commit time.
	last := recs[0]
	for _, r := range recs[1:] {
		if after, ok := rules.After(last, r); ok {
			if after {
				last = r
			}
		} else if !at(r).Before(at(last)) {
			last = r
		}
	}
	who := Identity(last.Reviewer)
	switch {
	case !slices.Contains(owners.Allowed(Technical, u), who):
		st.Why = fmt.Sprintf("removal decided by %s, who may not decide it (allowed: %s)", who, orNone(st.Allowed))
	case who == st.Deleter:
		st.Why = fmt.Sprintf("removal decided by %s, who deleted the file; another reviewer must decide", who)
	default:
		if err := rules.Proof(last); err != nil {
			st.Why = fmt.Sprintf("removal decision by %s does not count: %v", who, err)
		} else if last.Verdict == Rejected {
			st.Why = fmt.Sprintf("removal rejected by %s: %s; restore the file", who, firstLine(last.Comment))
		} else {
			st.Approved, st.Why = true, "removal approved by "+who
		}
	}
	return st, nil
}

// HoldRemovals returns, of ids (units publishing would take off the
// agent because main has no file for them), those whose removal did not
// pass review: publish keeps what it published of them.
func (s *Snapshot) HoldRemovals(ctx context.Context, ids []string) (map[string]bool, error) {
	var gone []string
	for _, id := range ids {
		if s.Units[id] == nil && s.Unreadable[id] == nil {
			gone = append(gone, id)
		}
	}
	if err := s.readRemovals(ctx, gone); err != nil {
		return nil, err
	}
	held := map[string]bool{}
	for _, id := range gone {
		st, err := s.Removal(ctx, id, nil)
		if err != nil {
			return nil, err
		}
		if !st.Approved {
			held[id] = true
		}
	}
	return held, nil
}

// decideRemoval records a decision on the removal of unit id, whose file
// is gone from the branch.
func decideRemoval(ctx context.Context, snap *Snapshot, base *Snapshot, id, who string, d Decision, at time.Time) (Record, error) {
	if snap.Units[id] != nil {
		return Record{}, fmt.Errorf("%s: its file is on %s; --stage removal decides a deleted unit", id, d.Branch)
	}
	st, err := snap.Removal(ctx, id, base)
	if err != nil {
		return Record{}, err
	}
	if st.Removed == nil {
		return Record{}, fmt.Errorf("%s: no removed version of it in the history of %s", id, d.Branch)
	}
	if st.Approved {
		return Record{}, fmt.Errorf("%s: its removal already counts (%s)", id, st.Why)
	}
	if who == st.Deleter {
		return Record{}, fmt.Errorf("%s: %s deleted it and may not approve its removal; ask one of: %s", id, who, orNone(st.Allowed))
	}
	if !slices.Contains(st.Allowed, who) {
		return Record{}, fmt.Errorf("%s: %s may not decide its removal (allowed: %s; see OWNERS)", id, who, orNone(st.Allowed))
	}
	return Record{Stage: RemovalStage, Verdict: d.Verdict, Reviewer: who, Version: st.Removed.Version,
		ContentHash: st.Removed.ContentHash, At: at, Comment: d.Comment}, nil
}

// removedIDs lists the ids whose unit files base has and s does not.
func (s *Snapshot) removedIDs(base *Snapshot) []string {
	var out []string
	for _, id := range s.ChangedUnits(base) {
		if s.Units[id] == nil && s.Unreadable[id] == nil && base.Units[id] != nil {
			out = append(out, id)
		}
	}
	return out
}
