package reviews

import (
	"context"
	"slices"

	"github.com/kbops/kbops/reviews/kbrepo"
)

// WaitingFor returns the units on d.Branch that wait for d.Reviewer's
// decision at d.Stage (what `review approve --all-mine` decides): pending
// units whose next stage is d.Stage and that the reviewer may decide, and
// for the removal stage the unapproved removals against d.Main the
// reviewer may approve. ok is false when the branch does not exist.
func WaitingFor(ctx context.Context, r *kbrepo.Repo, d Decision) (ids []string, ok bool, err error) {
	snap, ok, err := LoadBranch(ctx, r, d.Branch)
	if err != nil || !ok {
		return nil, ok, err
	}
	if err := snap.ReadHistory(ctx); err != nil {
		return nil, true, err
	}
	ids, err = waitingIn(ctx, r, snap, d)
	return ids, true, err
}

// waitingIn is WaitingFor on a snapshot whose history is read.
func waitingIn(ctx context.Context, r *kbrepo.Repo, snap *Snapshot, d Decision) (ids []string, err error) {
	who := Identity(d.Reviewer)
	if d.Stage == RemovalStage {
		base, err := MainBase(ctx, r, d.Main, snap)
		if err != nil {
			return nil, err
		}
		removals, err := snap.RemovedUnits(ctx, base)
		if err != nil {
			return nil, err
		}
		for _, rm := range removals {
			if !rm.Approved && slices.Contains(rm.Allowed, who) {
				ids = append(ids, rm.ID)
			}
		}
	}
	for _, id := range snap.IDs() {
		st := snap.Status(id)
		if st.State == StatePending && st.Next == d.Stage && slices.Contains(st.Allowed, who) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}
