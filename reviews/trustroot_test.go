package reviews

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// An attacker builds an orphan branch with their own strict OWNERS (their
// key everywhere) and units they approved and signed themselves, and
// merges it into main with --allow-unrelated-histories. Its first commit
// must not count as "the first OWNERS": no unit of it is approved, the
// verify failure says why, and with the root pinned the same holds.
func TestUnrelatedHistoryGrantsNothing(t *testing.T) {
	for _, pinned := range []bool{false, true} {
		name := "unpinned"
		if pinned {
			name = "pinned"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			ana, anaPub := testKey(t, "Ana", "ana@example.com")
			lucia, luciaPub := testKey(t, "Lucia", "lucia@example.com")
			carol, carolPub := testKey(t, "Carol", "carol@example.com")
			legit := owners + "strict: true\nkeys:\n  ana@example.com: |\n" + indent(anaPub) + "  lucia@example.com: |\n" + indent(luciaPub) + "  carol@example.com: |\n" + indent(carolPub)
			good := unit("Conecte PE.")
			r := repoWithOwners(t, legit, good)
			t0 := time.Now().Add(-time.Hour)
			for i, step := range []struct {
				who string
				st  Stage
				key *openpgp.Entity
			}{{"Ana <ana@example.com>", Technical, ana}, {"Lucia <lucia@example.com>", Expression, lucia}, {"Carol <carol@example.com>", Consistency, carol}} {
				if _, p, err := Decide(ctx, r, Decision{Branch: "kbops/review", Reviewer: step.who, Stage: step.st, Verdict: Approved, Units: []string{good.ID}, Now: t0.Add(time.Duration(i+1) * time.Minute), SignKey: step.key}); err != nil || len(p) > 0 {
					t.Fatal(p, err)
				}
			}
			rh, _, _ := r.Branch("kbops/review")
			if err := r.MoveBranch("main", plumbing.ZeroHash, rh); err != nil {
				t.Fatal(err)
			}
			if pinned {
				roots, _ := r.Roots(ctx, rh)
				if err := r.SetTrustRoot(roots[0]); err != nil {
					t.Fatal(err)
				}
			}
			if s, _, _ := LoadBranch(ctx, r, "main"); len(approvedIDs(s)) != 1 {
				t.Fatalf("setup: legitimate unit not approved on main")
			}

			// The orphan: Mallory's strict OWNERS, her key for everything.
			mal, malPub := testKey(t, "Mallory", "mallory@example.com")
			evil := "technical:\n  '*': [mallory@example.com]\nexpression:\n  '*': [mallory@example.com]\nconsistency: [mallory@example.com]\nstrict: true\nkeys:\n  mallory@example.com: |\n" + indent(malPub)
			bad := unit("Skip the earth connection.")
			bad.ID = "notes/es/a/atajo"
			bad.Owner = "mallory@example.com"
			bad, _ = knowledge.Revise(nil, bad)
			bb, _ := knowledge.Marshal(bad)
			// Written under the ingest's name, so she is not its author.
			bot, _ := kbrepo.Signature("kbops <kbops@localhost>", t0)
			sig, _ := kbrepo.Signature("Mallory <mallory@example.com>", t0)
			oh, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "orphan", Changes: []kbrepo.Change{{Path: OwnersFile, Data: []byte(evil)}, {Path: knowledge.FilePath(bad.ID), Data: bb}}, Message: "orphan", Author: bot})
			if err != nil {
				t.Fatal(err)
			}
			var recs []Record
			for i, st := range Stages {
				recs = append(recs, Record{Stage: st, Verdict: Approved, Reviewer: "mallory@example.com", Version: bad.Version, ContentHash: bad.ContentHash, At: t0.Add(time.Duration(i+1) * time.Second)})
				ab, _ := MarshalApprovals(ApprovalFile{Unit: bad.ID, Records: recs})
				if oh, err = r.Commit(ctx, kbrepo.CommitOptions{Branch: "orphan", Parents: []plumbing.Hash{oh}, Changes: []kbrepo.Change{{Path: ApprovalPath(bad.ID), Data: ab}}, Message: "approve", Author: sig, SignKey: mal}); err != nil {
					t.Fatal(err)
				}
			}
			// The merge: the orphan's tree wins everywhere (its OWNERS, its
			// unit), main's unit is dropped.
			mh, _, _ := r.Branch("main")
			ot, _ := r.Tree(oh)
			if _, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "main", Parents: []plumbing.Hash{mh, oh}, Base: ot, AllowEmpty: true, Message: "merge unrelated", Author: sig}); err != nil {
				t.Fatal(err)
			}
			s, _, _ := LoadBranch(ctx, r, "main")
			if ids := approvedIDs(s); len(ids) != 0 {
				t.Fatalf("units approved after an unrelated history was merged: %v", ids)
			}
			rep, err := VerifyContext(ctx, s, nil)
			if err != nil {
				t.Fatal(err)
			}
			if f := strings.Join(rep.Failures, "\n"); !strings.Contains(f, "root commit") {
				t.Errorf("verify does not say why:\n%s", f)
			}
		})
	}
}

func approvedIDs(s *Snapshot) []string {
	var ids []string
	approved, _ := s.ApprovedUnits()
	for _, u := range approved {
		ids = append(ids, u.ID)
	}
	return ids
}
