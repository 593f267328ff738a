package reviews

import (
	"context"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// Overview is where a review branch stands against main: what
// `kbops review status` shows.
type Overview struct {
	// Waiting are the changed units not yet approved, with their findings
	// for the stage they wait for, sorted by id.
	Waiting []WaitingUnit
	// Removals are the unit files the branch deletes whose removal is not
	// approved.
	Removals []RemovalStatus
	// Waivers are the blocking findings approved over, with who and why.
	Waivers []WaiverUse
	// Counts counts the changed units (and removals) by state.
	Counts map[State]int
	// Findings are the automated checks' findings of the changed units
	// that are not approved, for every stage (the line comments of the
	// pull request show them all, each naming its stage).
	Findings []Finding
}

// WaitingUnit is one unit waiting in review.
type WaitingUnit struct {
	Unit   *knowledge.Unit
	Status UnitStatus
	// Author wrote the version ("" when unknown).
	Author string
	// Findings are the automated checks' findings of the stage it waits for.
	Findings []Finding
}

// WaiverUse is a waiver in a counting record.
type WaiverUse struct {
	Unit     *knowledge.Unit
	Stage    Stage
	Reviewer string
	Waiver   Waiver
	// Allowed lists who may decide the unit's next stage (for filtering
	// by reviewer).
	Allowed []string
}

// MainBase loads the merge base of main and the snapshot's commit (an
// empty snapshot when main does not exist): what a review branch changes is
// measured from there.
func MainBase(ctx context.Context, r *kbrepo.Repo, main string, s *Snapshot) (*Snapshot, error) {
	mainHash, ok, err := r.Branch(main)
	if err != nil {
		return nil, err
	}
	if ok {
		if mainHash, err = r.MergeBase(mainHash, s.Commit); err != nil {
			return nil, err
		}
	}
	return Load(ctx, r, mainHash)
}

// Overview reports where s stands against base, running the automated
// checks with o on the changed units.
func (s *Snapshot) Overview(ctx context.Context, base *Snapshot, o CheckOptions) (Overview, error) {
	ov := Overview{Counts: map[State]int{}}
	if err := s.ReadHistory(ctx); err != nil {
		return ov, err
	}
	changed := s.ChangedUnits(base)
	findings := map[string][]Finding{}
	for _, f := range Check(s, changed, o) {
		findings[f.Unit] = append(findings[f.Unit], f)
	}
	for _, id := range changed {
		u := s.Units[id]
		if u == nil {
			continue
		}
		st := s.Status(id)
		ov.Counts[st.State]++
		for _, r := range s.Records[id] {
			if r.Version == u.Version && r.ContentHash == u.ContentHash && r.Verdict == Approved {
				for _, w := range r.Waived {
					ov.Waivers = append(ov.Waivers, WaiverUse{Unit: u, Stage: r.Stage, Reviewer: Identity(r.Reviewer), Waiver: w, Allowed: st.Allowed})
				}
			}
		}
		if st.State == StateApproved {
			continue
		}
		w := WaitingUnit{Unit: u, Status: st, Author: s.Author(id)}
		ov.Findings = append(ov.Findings, findings[id]...)
		for _, f := range findings[id] {
			if f.Stage == st.Next {
				w.Findings = append(w.Findings, f)
			}
		}
		ov.Waiting = append(ov.Waiting, w)
	}
	removals, err := s.RemovedUnits(ctx, base)
	if err != nil {
		return ov, err
	}
	for _, rm := range removals {
		if rm.Approved {
			ov.Counts[StateApproved]++
			continue
		}
		ov.Counts[StatePending]++
		ov.Removals = append(ov.Removals, rm)
	}
	return ov, nil
}
