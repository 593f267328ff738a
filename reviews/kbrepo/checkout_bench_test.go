package kbrepo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
)

// BenchmarkMoveBranchCheckout fast-forwards a checked-out main from one
// file to 20,000 (units and their approvals, 2,000 folders), as merging a
// large first ingest does: every new file is written and indexed. Main is
// moved back, removing them, before each run.
func BenchmarkMoveBranchCheckout(b *testing.B) {
	ctx := context.Background()
	r, err := Init(b.TempDir(), "main")
	if err != nil {
		b.Fatal(err)
	}
	sig, _ := Signature("kbops <kbops@localhost>", time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
	base, err := r.Commit(ctx, CommitOptions{Branch: "main", Changes: []Change{{Path: "OWNERS", Data: []byte("x\n")}}, Message: "init", Author: sig})
	if err != nil {
		b.Fatal(err)
	}
	const n = 10000
	changes := make([]Change, 0, 2*n)
	for i := range n {
		changes = append(changes,
			Change{Path: fmt.Sprintf("units/notes/es/doc%04d/seccion-%d.md", i/10, i), Data: []byte(fmt.Sprintf("---\nid: notes/es/doc%04d/seccion-%d\n---\n\nConecte PE al borne %d.\n", i/10, i, i))},
			Change{Path: fmt.Sprintf("approvals/notes/es/doc%04d/seccion-%d.yaml", i/10, i), Data: []byte(fmt.Sprintf("records:\n  - stage: technical\n    version: %d\n", i))})
	}
	head, err := r.Commit(ctx, CommitOptions{Branch: "review", Parents: []plumbing.Hash{base}, Changes: changes, Message: "ingest", Author: sig})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		if err := r.SetBranch("main", base); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := r.MoveBranch("main", base, head); err != nil {
			b.Fatal(err)
		}
	}
}
