package reviews

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// A unit fixed by hand (the text edited, the hash left stale) becomes a
// new version waiting for all three stages; the approvals of the old one
// do not carry over, and who rehashed it may not review it.
func TestRehashMakesHandEditsNewVersions(t *testing.T) {
	ctx := context.Background()
	v1 := unit("Conecte PE.")
	r, _ := repoWith(t, v1)
	now := time.Now().Add(-time.Hour)
	approveStages(t, r, "ana@example.com", func() time.Time { now = now.Add(time.Minute); return now })
	b, _ := knowledge.Marshal(v1)
	edited := bytes.Replace(b, []byte("Conecte PE."), []byte("Conecte PE a la barra."), 1)
	broken := unit("Otro.")
	broken.ID = "notes/es/a/otro"
	bb, _ := knowledge.Marshal(broken)
	bb = bytes.Replace(bb, []byte("language: es-MX"), []byte("language: \"español\""), 1)
	commitAs(t, r, "kbops/review", "Ana Ruiz <ana@example.com>", now.Add(time.Minute),
		kbrepo.Change{Path: knowledge.FilePath(v1.ID), Data: edited},
		kbrepo.Change{Path: knowledge.FilePath(broken.ID), Data: bb})
	s, _, _ := LoadBranch(ctx, r, "kbops/review")
	if _, ok := s.Unreadable[v1.ID]; !ok {
		t.Fatalf("setup: the hand edit should not parse; unreadable = %v", s.Unreadable)
	}

	res, err := Rehash(ctx, r, RehashOptions{Branch: "kbops/review", Main: "main", Author: "Lucia <lucia@example.com>", Now: now.Add(2 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Units) != 1 || res.Units[0] != v1.ID {
		t.Fatalf("rehashed %v, want only %s", res.Units, v1.ID)
	}
	if len(res.Problems) != 1 || !strings.Contains(res.Problems[0].Error(), "otro.md") || !strings.Contains(res.Problems[0].Error(), "language") {
		t.Fatalf("problems = %v, want the file with the bad language named", res.Problems)
	}
	s, _, _ = LoadBranch(ctx, r, "kbops/review")
	u := s.Units[v1.ID]
	if u == nil || u.Version != 2 || !strings.Contains(u.Body, "a la barra") {
		t.Fatalf("after rehash: %+v", u)
	}
	if st := s.Status(v1.ID); st.State != StatePending || st.Next != Technical {
		t.Fatalf("rehashed unit: %+v, want pending technical", st)
	}
	if b2, _, _ := r.ReadPath(s.Tree, knowledge.FilePath(broken.ID)); !bytes.Equal(b2, bb) {
		t.Error("rehash rewrote a file it reported as wrong")
	}
	now = now.Add(3 * time.Minute)
	decide(t, r, "ana@example.com", Technical, Approved, now)
	if p := decide(t, r, "lucia@example.com", Expression, Approved, now.Add(time.Minute)); len(p) == 0 {
		t.Error("the rehasher reviewed the version they wrote")
	}
}
