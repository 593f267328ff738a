package reviews

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// approvedOnMain returns a repository whose main holds v1 approved at all
// three stages, and the clock the test goes on with.
func approvedOnMain(t *testing.T) (*kbrepo.Repo, knowledge.Unit, func() time.Time) {
	t.Helper()
	v1 := unit("Conecte PE.")
	r, _ := repoWith(t, v1)
	now := time.Now().Add(-time.Hour)
	step := func() time.Time { now = now.Add(time.Minute); return now }
	approveStages(t, r, "ana@example.com", step)
	rh, _, _ := r.Branch("kbops/review")
	if err := r.MoveBranch("main", plumbing.ZeroHash, rh); err != nil {
		t.Fatal(err)
	}
	return r, v1, step
}

func decideRemovalOf(t *testing.T, r *kbrepo.Repo, who, id string, at time.Time) []error {
	t.Helper()
	_, problems, err := Decide(context.Background(), r, Decision{Branch: "kbops/review", Main: "main", Reviewer: who, Stage: RemovalStage, Verdict: Approved, Units: []string{id}, Now: at})
	if err != nil {
		t.Fatal(err)
	}
	return problems
}

// `git rm` of an active unit (and its approvals) on the review branch is a
// change: verify fails until someone who may decide the unit's technical
// stage, other than who deleted it, approves the removal.
func TestDeletingAnActiveUnitNeedsReview(t *testing.T) {
	r, v1, step := approvedOnMain(t)
	commitAs(t, r, "kbops/review", "Mallory <mallory@example.com>", step(),
		kbrepo.Change{Path: knowledge.FilePath(v1.ID)}, kbrepo.Change{Path: ApprovalPath(v1.ID)})
	f := failures(t, r, "kbops/review", "main")
	if !strings.Contains(f, "deleted without review") || !strings.Contains(f, knowledge.FilePath(v1.ID)) {
		t.Fatalf("verify of a silent deletion:\n%q", f)
	}
	if _, err := Merge(context.Background(), r, "main", "kbops/review", "ops <ops@example.com>", step(), nil); err == nil {
		t.Fatal("merge took an unreviewed deletion to main")
	}
	// A reviewer the unit does not name may not; a forged record does not count.
	if p := decideRemovalOf(t, r, "lucia@example.com", v1.ID, step()); len(p) == 0 {
		t.Fatal("an expression reviewer approved the removal")
	}
	forgeAs(t, r, "mallory@example.com", []Record{{Stage: RemovalStage, Verdict: Approved, Reviewer: "ana@example.com", Version: v1.Version, ContentHash: v1.ContentHash, At: step()}})
	if f := failures(t, r, "kbops/review", "main"); !strings.Contains(f, "does not count") {
		t.Fatalf("a removal record written by someone else counted:\n%s", f)
	}
	if p := decideRemovalOf(t, r, "ana@example.com", v1.ID, step()); len(p) > 0 {
		t.Fatal(p)
	}
	if f := failures(t, r, "kbops/review", "main"); f != "" {
		t.Fatalf("after the owner approved the removal:\n%s", f)
	}
	if _, err := Merge(context.Background(), r, "main", "kbops/review", "ops <ops@example.com>", step(), nil); err != nil {
		t.Fatal(err)
	}
}

// Whoever deleted the file may not approve its removal.
func TestDeleterMayNotApproveRemoval(t *testing.T) {
	r, v1, step := approvedOnMain(t)
	commitAs(t, r, "kbops/review", "Ana Ruiz <ana@example.com>", step(), kbrepo.Change{Path: knowledge.FilePath(v1.ID)})
	p := decideRemovalOf(t, r, "ana@example.com", v1.ID, step())
	if len(p) == 0 || !strings.Contains(p[0].Error(), "deleted it") {
		t.Fatalf("problems = %v", p)
	}
}

// A unit retired through review may leave the repository without a
// removal record: its retirement already took it off the agent.
func TestDeletingAReviewedRetirementNeedsNothingMore(t *testing.T) {
	r, v1, step := approvedOnMain(t)
	v2, _ := knowledge.Retire(v1)
	b, _ := knowledge.Marshal(v2)
	commitAs(t, r, "kbops/review", "kbops <kbops@localhost>", step(), kbrepo.Change{Path: knowledge.FilePath(v1.ID), Data: b})
	approveStages(t, r, "ana@example.com", step)
	rh, _, _ := r.Branch("kbops/review")
	mh, _, _ := r.Branch("main")
	if err := r.MoveBranch("main", mh, rh); err != nil {
		t.Fatal(err)
	}
	commitAs(t, r, "kbops/review", "kbops <kbops@localhost>", step(), kbrepo.Change{Path: knowledge.FilePath(v1.ID)})
	if f := failures(t, r, "kbops/review", "main"); f != "" {
		t.Fatalf("deleting a reviewed retirement:\n%s", f)
	}
}

// On main, publish holds what was deleted without review (a direct push
// that skipped the review branch) and lets reviewed removals go.
func TestPublishHoldsUnreviewedRemovals(t *testing.T) {
	ctx := context.Background()
	r, v1, step := approvedOnMain(t)
	other := unit("Otro.")
	other.ID = "notes/es/a/otro"
	ob, _ := knowledge.Marshal(other)
	commitAs(t, r, "main", "kbops <kbops@localhost>", step(), kbrepo.Change{Path: knowledge.FilePath(other.ID), Data: ob})
	commitAs(t, r, "main", "Mallory <mallory@example.com>", step(), kbrepo.Change{Path: knowledge.FilePath(v1.ID)})
	s, _, _ := LoadBranch(ctx, r, "main")
	held, err := s.HoldRemovals(ctx, []string{v1.ID})
	if err != nil {
		t.Fatal(err)
	}
	if !held[v1.ID] {
		t.Fatal("publish would delete a unit removed on main without review")
	}
	// The owner approves the removal (on main here, as after a merge).
	rec := Record{Stage: RemovalStage, Verdict: Approved, Reviewer: "ana@example.com", Version: v1.Version, ContentHash: v1.ContentHash, At: step()}
	s0, _, _ := LoadBranch(ctx, r, "main")
	recs := append(append([]Record(nil), s0.Records[v1.ID]...), rec)
	b, _ := MarshalApprovals(ApprovalFile{Unit: v1.ID, Records: recs})
	commitAs(t, r, "main", "Ana Ruiz <ana@example.com>", step(), kbrepo.Change{Path: ApprovalPath(v1.ID), Data: b})
	s, _, _ = LoadBranch(ctx, r, "main")
	if held, err = s.HoldRemovals(ctx, []string{v1.ID}); err != nil || held[v1.ID] {
		t.Fatalf("reviewed removal still held: %v %v", held, err)
	}
}
