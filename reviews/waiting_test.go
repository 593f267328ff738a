package reviews

import (
	"context"
	"slices"
	"testing"
	"time"
)

// TestWaitingForFollowsTheStages: a unit waits for its technical owner
// first, then for the expression reviewer of its language, and never for
// someone OWNERS does not name.
func TestWaitingForFollowsTheStages(t *testing.T) {
	ctx := context.Background()
	r, _ := repoWith(t, unit("Conecte PE."))
	id := "notes/es/a/puesta-a-tierra"
	waiting := func(who string, st Stage) []string {
		t.Helper()
		ids, ok, err := WaitingFor(ctx, r, Decision{Branch: "kbops/review", Main: "main", Reviewer: who, Stage: st})
		if err != nil || !ok {
			t.Fatalf("%v %v", ok, err)
		}
		return ids
	}
	if got := waiting("Ana <ana@example.com>", Technical); !slices.Equal(got, []string{id}) {
		t.Fatalf("technical owner: %v", got)
	}
	for _, c := range []struct {
		who string
		st  Stage
	}{{"lucia@example.com", Expression}, {"mallory@example.com", Technical}, {"ana@example.com", Expression}} {
		if got := waiting(c.who, c.st); len(got) != 0 {
			t.Fatalf("%s at %s before the technical review: %v", c.who, c.st, got)
		}
	}
	if p := decide(t, r, "ana@example.com", Technical, Approved, time.Now()); len(p) > 0 {
		t.Fatal(p)
	}
	if got := waiting("ana@example.com", Technical); len(got) != 0 {
		t.Fatalf("still waits for its technical review: %v", got)
	}
	if got := waiting("lucia@example.com", Expression); !slices.Equal(got, []string{id}) {
		t.Fatalf("expression reviewer after the technical review: %v", got)
	}
	if _, ok, err := WaitingFor(ctx, r, Decision{Branch: "no/such", Reviewer: "ana@example.com", Stage: Technical}); ok || err != nil {
		t.Fatalf("missing branch: %v %v", ok, err)
	}
}
