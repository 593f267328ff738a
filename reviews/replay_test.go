package reviews

import (
	"context"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// A record counts for exactly the version it names: v1 approved, v2
// approved, then the text reverted to v1's gives v3, which needs a new
// review although its content hash equals v1's.
func TestRevertedContentDoesNotReplayOldApprovals(t *testing.T) {
	ctx := context.Background()
	v1 := unit("Conecte PE.")
	r, _ := repoWith(t, v1)
	now := time.Now().Add(-time.Hour)
	approve3 := func() {
		for _, d := range []struct {
			who string
			st  Stage
		}{{"ana@example.com", Technical}, {"lucia@example.com", Expression}, {"carol@example.com", Consistency}} {
			now = now.Add(time.Minute)
			if p := decide(t, r, d.who, d.st, Approved, now); len(p) > 0 {
				t.Fatalf("%s %s: %v", d.who, d.st, p)
			}
		}
	}
	commit := func(u knowledge.Unit) {
		h, _, _ := r.Branch("kbops/review")
		b, _ := knowledge.Marshal(u)
		sig, _ := kbrepo.Signature("kbops <kbops@localhost>", now)
		if _, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "kbops/review", Parents: []plumbing.Hash{h}, Changes: []kbrepo.Change{{Path: knowledge.FilePath(u.ID), Data: b}}, Message: "ingest", Author: sig}); err != nil {
			t.Fatal(err)
		}
	}
	approve3()
	v2, _ := knowledge.Revise(&v1, unit("Conecte PE con 6 mm²."))
	commit(v2)
	approve3()
	v3, _ := knowledge.Revise(&v2, unit("Conecte PE."))
	if v3.Version != 3 || v3.ContentHash != v1.ContentHash {
		t.Fatalf("setup: v3 = version %d, hash equal to v1: %v", v3.Version, v3.ContentHash == v1.ContentHash)
	}
	commit(v3)
	if rep := verify(t, r); rep.OK() {
		t.Fatal("verify accepted v3 on v1's approvals")
	}
	s, _, _ := LoadBranch(ctx, r, "kbops/review")
	if st := s.Status(v3.ID); st.State != StatePending || st.Next != Technical {
		t.Errorf("v3 status: %+v", st)
	}
}
