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

// An expression reviewer who makes themselves a unit's owner does not
// gain the owner's right to approve its technical stage: the owner is in
// the reviewed hash (a new version) and a change of owner is decided by
// the previous owner or a technical reviewer from OWNERS.
func TestOwnerChangeIsReviewed(t *testing.T) {
	ctx := context.Background()
	v1 := unit("Conecte PE.")
	v1.Owner = "olga@example.com" // owner, not listed in OWNERS
	v1, _ = knowledge.Revise(nil, v1)
	r, _ := repoWith(t, v1)
	now := time.Now().Add(-time.Hour)
	step := func() time.Time { now = now.Add(time.Minute); return now }
	approveStages(t, r, "olga@example.com", step)
	// The approved unit is on main (the first main of a repository).
	rh, _, _ := r.Branch("kbops/review")
	if err := r.MoveBranch("main", plumbing.ZeroHash, rh); err != nil {
		t.Fatal(err)
	}

	// Lucia edits the owner field and rehashes, committing under another
	// name so she is not the version's author.
	hijack := v1
	hijack.Owner = "lucia@example.com"
	v2, ch := knowledge.Revise(&v1, hijack)
	if ch != knowledge.Changed {
		t.Fatalf("owner edit: %v, want a new version", ch)
	}
	b, _ := knowledge.Marshal(v2)
	commitAs(t, r, "kbops/review", "Helper <helper@example.com>", step(), kbrepo.Change{Path: knowledge.FilePath(v1.ID), Data: b})

	p := decide(t, r, "lucia@example.com", Technical, Approved, step())
	if len(p) == 0 || !strings.Contains(p[0].Error(), "may not decide") {
		t.Fatalf("the new owner approved the technical stage of their own owner change: problems %v", p)
	}
	// Written by hand as her own commit, the record does not count either.
	forgeAs(t, r, "lucia@example.com", []Record{{Stage: Technical, Verdict: Approved, Reviewer: "lucia@example.com", Version: v2.Version, ContentHash: v2.ContentHash, At: step()}})
	forgeAs(t, r, "lucia@example.com", []Record{
		{Stage: Technical, Verdict: Approved, Reviewer: "lucia@example.com", Version: v2.Version, ContentHash: v2.ContentHash, At: now},
		{Stage: Expression, Verdict: Approved, Reviewer: "lucia@example.com", Version: v2.Version, ContentHash: v2.ContentHash, At: step()},
	})
	f := failures(t, r, "kbops/review", "main")
	if !strings.Contains(f, "change of owner is approved by the previous owner") {
		t.Fatalf("verify failures do not name the owner change:\n%s", f)
	}
	s, _, _ := LoadBranch(ctx, r, "kbops/review")
	if st := s.Status(v1.ID); st.State == StateApproved {
		t.Fatal("unit approved with the hijacked owner's technical approval")
	}
}

// The previous owner (or a technical reviewer) approves the owner change,
// and the unit passes as usual.
func TestOwnerChangeApprovedByPreviousOwner(t *testing.T) {
	v1 := unit("Conecte PE.")
	v1.Owner = "olga@example.com"
	v1, _ = knowledge.Revise(nil, v1)
	r, _ := repoWith(t, v1)
	now := time.Now().Add(-time.Hour)
	step := func() time.Time { now = now.Add(time.Minute); return now }
	next := v1
	next.Owner = "pablo@example.com"
	v2, _ := knowledge.Revise(&v1, next)
	b, _ := knowledge.Marshal(v2)
	commitAs(t, r, "kbops/review", "kbops <kbops@localhost>", step(), kbrepo.Change{Path: knowledge.FilePath(v1.ID), Data: b})
	if p := decide(t, r, "pablo@example.com", Technical, Approved, step()); len(p) == 0 {
		t.Fatal("the new owner approved their own appointment")
	}
	approveStages(t, r, "olga@example.com", step)
	if rep := verify(t, r); !rep.OK() {
		t.Fatalf("owner change approved by the previous owner: %v", rep.Failures)
	}
}
