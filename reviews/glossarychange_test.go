package reviews

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/reviews/kbrepo"
)

// A change of the termbase is reviewed like a unit: verify fails until a
// glossary reviewer who did not write it approves its exact content.
func TestTermbaseChangeNeedsApproval(t *testing.T) {
	ctx := context.Background()
	r, _ := repoWith(t, unit("Conecte PE."))
	h, _, _ := r.Branch("kbops/review")
	main := h
	if err := r.SetBranch("main", main); err != nil {
		t.Fatal(err)
	}
	commit := func(who, path, data string) {
		t.Helper()
		h, _, _ := r.Branch("kbops/review")
		sig, _ := kbrepo.Signature(who, time.Now())
		if _, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "kbops/review", Parents: []plumbing.Hash{h}, Changes: []kbrepo.Change{{Path: path, Data: []byte(data)}}, Message: "m", Author: sig}); err != nil {
			t.Fatal(err)
		}
	}
	verify := func() []string {
		t.Helper()
		head, _, _ := LoadBranch(ctx, r, "kbops/review")
		base, _ := Load(ctx, r, main)
		var out []string
		for _, f := range Verify(head, base).Failures {
			if strings.Contains(f, GlossaryFile) {
				out = append(out, f)
			}
		}
		return out
	}
	commit("Carol <carol@example.com>", GlossaryFile, "<tbx>v1</tbx>")
	if f := verify(); len(f) != 1 || !strings.Contains(f[0], "approval missing") || !strings.Contains(f[0], "carol@example.com") {
		t.Fatalf("unapproved termbase change: %v", f)
	}
	decide := func(who string, v Verdict) error {
		_, _, err := Decide(ctx, r, Decision{Branch: "kbops/review", Reviewer: who, Stage: GlossaryStage, Verdict: v, Comment: "c", Now: time.Now()})
		return err
	}
	if err := decide("carol@example.com", Approved); err == nil || !strings.Contains(err.Error(), "wrote this termbase change") {
		t.Fatalf("self-approval of a termbase change: %v", err)
	}
	if err := decide("mallory@example.com", Approved); err == nil || !strings.Contains(err.Error(), "may not decide") {
		t.Fatalf("approval by someone not allowed: %v", err)
	}
	// OWNERS in repoWith names carol as the only consistency reviewer:
	// let ana write the next version, carol approve it.
	commit("Ana <ana@example.com>", GlossaryFile, "<tbx>v2</tbx>")
	if err := decide("carol@example.com", Approved); err != nil {
		t.Fatal(err)
	}
	if f := verify(); len(f) != 0 {
		t.Fatalf("approved termbase change still fails: %v", f)
	}
	head, _, _ := LoadBranch(ctx, r, "kbops/review")
	if !head.GlossaryApproved() {
		t.Error("GlossaryApproved is false for an approved termbase")
	}
	// An edit after the approval voids it.
	commit("Ana <ana@example.com>", GlossaryFile, "<tbx>v3</tbx>")
	if f := verify(); len(f) != 1 {
		t.Fatalf("edit after approval: %v", f)
	}
}
