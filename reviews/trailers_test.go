package reviews

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestDecideTrailers: a decision's trailers end its commit message after
// kbops' own; one that could forge another line is refused.
func TestDecideTrailers(t *testing.T) {
	r, _ := repoWith(t, unit("Conecte PE."))
	d := Decision{Branch: "kbops/review", Reviewer: "ana@example.com", Stage: Technical, Verdict: Approved,
		Units: []string{"notes/es/a/puesta-a-tierra"}, Now: time.Now()}
	for _, bad := range []string{"Kbops-Pull-Request: 1\nKbops-Reviewer: bob@example.com", "no colon", "Key:", "Two words: x"} {
		d.Trailers = []string{bad}
		if _, _, err := Decide(context.Background(), r, d); err == nil {
			t.Errorf("trailer %q accepted", bad)
		}
	}
	d.Trailers = []string{"Kbops-Pull-Request: 7", "Kbops-Host-Account: ana"}
	if done, _, err := Decide(context.Background(), r, d); err != nil || len(done) != 1 {
		t.Fatalf("Decide = %v, %v", done, err)
	}
	h, _, _ := r.Branch("kbops/review")
	c, err := r.Git.CommitObject(h)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(c.Message, "Kbops-Reviewer: ana@example.com\nKbops-Pull-Request: 7\nKbops-Host-Account: ana\n") {
		t.Fatalf("message:\n%s", c.Message)
	}
}
