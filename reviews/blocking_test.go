package reviews

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/text/redact"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// Leftover personal data blocks the expression stage: approve refuses it
// unless the reviewer waives it with a reason, the waiver is kept in the
// record, and a record written without one does not pass verify.
func TestBlockingFindingsNeedAWaiver(t *testing.T) {
	ctx := context.Background()
	r, _ := repoWith(t, unit("Conecte PE."))
	now := time.Now().Add(-time.Hour)
	step := func() time.Time { now = now.Add(time.Minute); return now }
	rh, _, _ := r.Branch("kbops/review")
	if err := r.MoveBranch("main", plumbing.ZeroHash, rh); err != nil {
		t.Fatal(err)
	}
	v1 := unit("Conecte PE.")
	leak := v1
	leak.Body = "Conecte PE. Dudas: llame a Juan al +52 81 1234 5678 o escriba a juan.perez@example.com.\n"
	v2, _ := knowledge.Revise(&v1, leak)
	b, _ := knowledge.Marshal(v2)
	commitAs(t, r, "kbops/review", "kbops <kbops@localhost>", step(), kbrepo.Change{Path: knowledge.FilePath(v2.ID), Data: b})
	if p := decide(t, r, "ana@example.com", Technical, Approved, step()); len(p) > 0 {
		t.Fatal(p)
	}

	p := decide(t, r, "lucia@example.com", Expression, Approved, step())
	if len(p) == 0 || !strings.Contains(p[0].Error(), "personal-data (blocking)") || !strings.Contains(p[0].Error(), "--waive") {
		t.Fatalf("approve over leftover personal data: problems %v", p)
	}
	if strings.Contains(p[0].Error(), "juan.perez") {
		t.Error("the refusal repeats the personal data")
	}
	// Written by hand by the reviewer herself, without a waiver: verify
	// still refuses it.
	s, _, _ := LoadBranch(ctx, r, "kbops/review")
	recs := append(append([]Record(nil), s.Records[v2.ID]...), Record{Stage: Expression, Verdict: Approved, Reviewer: "lucia@example.com", Version: v2.Version, ContentHash: v2.ContentHash, At: step()})
	ab, _ := MarshalApprovals(ApprovalFile{Unit: v2.ID, Records: recs})
	commitAs(t, r, "kbops/review", "Lucia <lucia@example.com>", now, kbrepo.Change{Path: ApprovalPath(v2.ID), Data: ab})
	if f := failures(t, r, "kbops/review", "main"); !strings.Contains(f, "not waived") {
		t.Fatalf("verify accepted an approval over a blocking finding:\n%s", f)
	}

	_, p, err := Decide(ctx, r, Decision{Branch: "kbops/review", Reviewer: "lucia@example.com", Stage: Expression, Verdict: Approved, Units: []string{v2.ID}, Now: step(),
		Waive: map[string]string{CodePersonalData: "the support hotline and mailbox of the distributor, published on its site"}})
	if err != nil || len(p) > 0 {
		t.Fatal(p, err)
	}
	if p := decide(t, r, "carol@example.com", Consistency, Approved, step()); len(p) > 0 {
		t.Fatal(p)
	}
	if f := failures(t, r, "kbops/review", "main"); f != "" {
		t.Fatalf("verify after the waiver:\n%s", f)
	}
	s, _, _ = LoadBranch(ctx, r, "kbops/review")
	var kept bool
	for _, rec := range s.Records[v2.ID] {
		for _, w := range rec.Waived {
			kept = kept || (w.Code == CodePersonalData && strings.Contains(w.Reason, "distributor") && rec.Reviewer == "lucia@example.com")
		}
	}
	if !kept {
		t.Errorf("the waiver is not in the approval record: %+v", s.Records[v2.ID])
	}
}

// The personal-data check follows the unit's source: a value its allow
// list keeps is no finding, and in a source that is not redacted (a
// manual, whose hotline is content) personal data is reported but does
// not block.
func TestPersonalDataFollowsTheSourcesRedaction(t *testing.T) {
	u := unit("Service: +52 81 1234 5678, soporte@vendor.example.\n")
	s := &Snapshot{Units: map[string]*knowledge.Unit{u.ID: &u}}
	allow, _ := redact.New(redact.Config{Allow: []string{"@vendor.example", "+52 81 1234 5678"}})
	for _, c := range []struct {
		name     string
		r        *redact.Redactor
		redacted bool
		want     int
		blocking bool
	}{
		{"redacted source, no allow list", redact.Default(), true, 2, true},
		{"redacted source, values allowed", allow, true, 0, false},
		{"source not redacted", redact.Default(), false, 2, false},
	} {
		fs := BlockingFindings(s, []string{u.ID}, CheckOptions{RedactorFor: func(string) (*redact.Redactor, bool) { return c.r, c.redacted }}, Expression)
		all := Check(s, []string{u.ID}, CheckOptions{RedactorFor: func(string) (*redact.Redactor, bool) { return c.r, c.redacted }, Stages: []Stage{Expression}})
		n, blocking := 0, false
		for _, f := range all {
			if f.Code == CodePersonalData {
				n++
				blocking = blocking || f.Blocking
			}
		}
		if n != c.want || blocking != c.blocking {
			t.Errorf("%s: %d personal-data findings (blocking %v), want %d (blocking %v)", c.name, n, blocking, c.want, c.blocking)
		}
		if (len(fs) > 0) != c.blocking {
			t.Errorf("%s: BlockingFindings gives %v", c.name, fs)
		}
	}
}
