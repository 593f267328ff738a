package reviews

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// BenchmarkVerify10000 verifies a review branch that changes 10,000 units,
// all approved in three stages, against main: load both snapshots, read
// the history for the version authors, evaluate every unit. The goal is
// under 5 s per verify.
func BenchmarkVerify10000(b *testing.B) {
	ctx := context.Background()
	r, err := kbrepo.Init(b.TempDir(), "main")
	if err != nil {
		b.Fatal(err)
	}
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	sig, _ := kbrepo.Signature("kbops <kbops@localhost>", t0)
	h, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "main", Changes: []kbrepo.Change{{Path: OwnersFile, Data: []byte(owners)}}, Message: "init", Author: sig})
	if err != nil {
		b.Fatal(err)
	}
	r.SetBranch("kbops/review", h)
	const n = 10000
	var changes []kbrepo.Change
	ids := make([]string, n)
	for i := range n {
		u := unit(fmt.Sprintf("Conecte PE al borne %d con un conductor de 6 mm².", i))
		u.ID = fmt.Sprintf("notes/es/doc%03d/seccion-%d", i/100, i)
		u, _ = knowledge.Revise(nil, u)
		data, _ := knowledge.Marshal(u)
		changes = append(changes, kbrepo.Change{Path: knowledge.FilePath(u.ID), Data: data})
		ids[i] = u.ID
	}
	if _, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "kbops/review", Parents: []plumbing.Hash{h}, Changes: changes, Message: "ingest", Author: sig}); err != nil {
		b.Fatal(err)
	}
	for i, who := range []string{"ana@example.com", "lucia@example.com", "carol@example.com"} {
		_, p, err := Decide(ctx, r, Decision{Branch: "kbops/review", Reviewer: who, Stage: Stages[i], Verdict: Approved, Units: ids, Now: t0.Add(time.Duration(i+1) * time.Hour)})
		if err != nil || len(p) > 0 {
			b.Fatal(err, p)
		}
	}
	hh, _, _ := r.Branch("kbops/review")
	b.ResetTimer()
	for range b.N {
		head, err := Load(ctx, r, hh)
		if err != nil {
			b.Fatal(err)
		}
		base, err := Load(ctx, r, h)
		if err != nil {
			b.Fatal(err)
		}
		rep, err := VerifyContext(ctx, head, base)
		if err != nil || !rep.OK() || rep.Checked != n {
			b.Fatalf("verify: %v checked %d, %d failures", err, rep.Checked, len(rep.Failures))
		}
	}
}
