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

const owners = `technical:
  vf-200: [ana@example.com]
expression:
  es: [lucia@example.com]
consistency: [carol@example.com]
`

func unit(body string) knowledge.Unit {
	u := knowledge.Unit{
		ID: "notes/es/a/puesta-a-tierra", Title: "Puesta a tierra", Language: "es-MX", Layer: knowledge.LayerCore,
		Kind: knowledge.KindNote, Product: "vf-200", Tier: knowledge.TierInternal, Owner: "ana@example.com",
		Access: knowledge.AccessCustomer, Status: knowledge.StatusActive, Body: body,
		Effective: knowledge.DateOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Source:    knowledge.Source{Name: "notes", Kind: "notes", URI: "file:///a.md", Document: "es/a.md", FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Hash: "x"},
	}
	u, _ = knowledge.Revise(nil, u)
	return u
}

func repoWith(t *testing.T, u knowledge.Unit) (*kbrepo.Repo, plumbing.Hash) {
	t.Helper()
	r, err := kbrepo.Init(t.TempDir(), "main")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := knowledge.Marshal(u)
	sig, _ := kbrepo.Signature("kbops <kbops@localhost>", time.Now())
	h, err := r.Commit(context.Background(), kbrepo.CommitOptions{Branch: "kbops/review", Changes: []kbrepo.Change{
		{Path: OwnersFile, Data: []byte(owners)}, {Path: knowledge.FilePath(u.ID), Data: b},
	}, Message: "ingest", Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	return r, h
}

func decide(t *testing.T, r *kbrepo.Repo, who string, st Stage, v Verdict, at time.Time) []error {
	t.Helper()
	_, problems, err := Decide(context.Background(), r, Decision{Branch: "kbops/review", Reviewer: who, Stage: st, Verdict: v, Units: []string{"notes/es/a/puesta-a-tierra"}, Comment: "c", Now: at})
	if err != nil {
		t.Fatal(err)
	}
	return problems
}

// approveStages approves the unit's three stages in order on the review
// branch, technical by tech, at the times step gives.
func approveStages(t *testing.T, r *kbrepo.Repo, tech string, step func() time.Time) {
	t.Helper()
	for _, d := range []struct {
		who string
		st  Stage
	}{{tech, Technical}, {"lucia@example.com", Expression}, {"carol@example.com", Consistency}} {
		if p := decide(t, r, d.who, d.st, Approved, step()); len(p) > 0 {
			t.Fatalf("%s %s: %v", d.who, d.st, p)
		}
	}
}

func verify(t *testing.T, r *kbrepo.Repo) VerifyReport {
	t.Helper()
	s, _, err := LoadBranch(context.Background(), r, "kbops/review")
	if err != nil {
		t.Fatal(err)
	}
	return Verify(s, nil)
}

func TestFullCycleApproves(t *testing.T) {
	r, _ := repoWith(t, unit("Conecte PE."))
	now := time.Now()
	for i, d := range []struct {
		who string
		st  Stage
	}{{"ana@example.com", Technical}, {"Lucia <lucia@example.com>", Expression}, {"carol@example.com", Consistency}} {
		if p := decide(t, r, d.who, d.st, Approved, now.Add(time.Duration(i)*time.Minute)); len(p) > 0 {
			t.Fatal(p)
		}
	}
	if rep := verify(t, r); !rep.OK() || rep.Checked != 1 {
		t.Fatalf("verify: %+v", rep)
	}
}

func TestDecideRefusesOutOfOrderAndNotAllowed(t *testing.T) {
	r, _ := repoWith(t, unit("Conecte PE."))
	if p := decide(t, r, "lucia@example.com", Expression, Approved, time.Now()); len(p) != 1 || !strings.Contains(p[0].Error(), "waits for technical") {
		t.Errorf("expression before technical: %v", p)
	}
	if p := decide(t, r, "mallory@example.com", Technical, Approved, time.Now()); len(p) != 1 || !strings.Contains(p[0].Error(), "may not decide") {
		t.Errorf("not allowed: %v", p)
	}
}

// forge writes approval records directly, as someone bypassing kbops
// would: each record in a commit of its own authored by the reviewer it
// names, so that the other rules are what the cases test.
func forge(t *testing.T, r *kbrepo.Repo, recs []Record) {
	t.Helper()
	for i := range recs {
		b, _ := MarshalApprovals(ApprovalFile{Unit: "notes/es/a/puesta-a-tierra", Records: recs[:i+1]})
		commitAs(t, r, "kbops/review", recs[i].Reviewer, time.Now(), kbrepo.Change{Path: ApprovalPath("notes/es/a/puesta-a-tierra"), Data: b})
	}
}

// forgeAs writes all records in one commit by who.
func forgeAs(t *testing.T, r *kbrepo.Repo, who string, recs []Record) {
	t.Helper()
	b, _ := MarshalApprovals(ApprovalFile{Unit: "notes/es/a/puesta-a-tierra", Records: recs})
	commitAs(t, r, "kbops/review", who, time.Now(), kbrepo.Change{Path: ApprovalPath("notes/es/a/puesta-a-tierra"), Data: b})
}

func TestForgeriesFailVerify(t *testing.T) {
	u := unit("Conecte PE.")
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	rec := func(st Stage, who string, at time.Time) Record {
		return Record{Stage: st, Verdict: Approved, Reviewer: who, Version: u.Version, ContentHash: u.ContentHash, At: at}
	}
	good := []Record{rec(Technical, "ana@example.com", t0), rec(Expression, "lucia@example.com", t0.Add(time.Hour)), rec(Consistency, "carol@example.com", t0.Add(2*time.Hour))}
	cases := []struct {
		name string
		recs func() []Record
		want string
	}{
		{"not allowed", func() []Record { r := append([]Record(nil), good...); r[1].Reviewer = "mallory@example.com"; return r }, "may not decide"},
		{"old content hash", func() []Record {
			r := append([]Record(nil), good...)
			for i := range r {
				r[i].ContentHash = unit("old text").ContentHash
			}
			return r
		}, "are void"},
		// Order comes from history: expression committed before technical
		// fails whatever the records' own times say.
		{"out of order", func() []Record { return []Record{good[1], good[0], good[2]} }, "decided in order"},
		{"out of order, dated in the future", func() []Record {
			e := good[1]
			e.At = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC)
			return []Record{e, good[0], good[2]}
		}, "decided in order"},
		{"missing stage", func() []Record { return good[:2] }, "consistency review missing"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, _ := repoWith(t, u)
			forge(t, r, c.recs())
			rep := verify(t, r)
			if rep.OK() || !strings.Contains(strings.Join(rep.Failures, "\n"), c.want) {
				t.Errorf("failures %q, want %q", rep.Failures, c.want)
			}
		})
	}
	r, _ := repoWith(t, u)
	forge(t, r, good)
	if rep := verify(t, r); !rep.OK() {
		t.Errorf("control case failed: %v", rep.Failures)
	}
	// A record's own time decides nothing: dated before the version, in
	// order in history, it counts; dated 2099, it blocks nothing.
	r, _ = repoWith(t, u)
	skewed := append([]Record(nil), good...)
	skewed[0].At, skewed[1].At = time.Date(2099, 1, 1, 0, 0, 0, 0, time.UTC), t0.Add(-48*time.Hour)
	forge(t, r, skewed)
	if rep := verify(t, r); !rep.OK() {
		t.Errorf("records with skewed times but in order in history: %v", rep.Failures)
	}
	// Default mode: records written under the reviewers' names in one's
	// own commit (the text is right, the authorship is not) do not count.
	r, _ = repoWith(t, u)
	forgeAs(t, r, "Mallory <mallory@example.com>", good)
	if rep := verify(t, r); rep.OK() || !strings.Contains(strings.Join(rep.Failures, "\n"), "that added it is by mallory@example.com") {
		t.Errorf("records forged in mallory's commit: %v", rep.Failures)
	}
}

func TestEditVoidsApprovals(t *testing.T) {
	r, _ := repoWith(t, unit("Conecte PE."))
	decide(t, r, "ana@example.com", Technical, Approved, time.Now())
	h, _, _ := r.Branch("kbops/review")
	prev := unit("Conecte PE.")
	edited, _ := knowledge.Revise(&prev, unit("Conecte PE con 6 mm²."))
	b, _ := knowledge.Marshal(edited)
	sig, _ := kbrepo.Signature("Ana <ana@example.com>", time.Now())
	r.Commit(context.Background(), kbrepo.CommitOptions{Branch: "kbops/review", Parents: []plumbing.Hash{h}, Changes: []kbrepo.Change{{Path: knowledge.FilePath(edited.ID), Data: b}}, Message: "edit", Author: sig})
	s, _, _ := LoadBranch(context.Background(), r, "kbops/review")
	if st := s.Status(edited.ID); st.State != StatePending || st.Next != Technical {
		t.Errorf("after edit: %+v", st)
	}
}

func TestRejectStopsUnit(t *testing.T) {
	r, _ := repoWith(t, unit("Conecte PE."))
	decide(t, r, "ana@example.com", Technical, Rejected, time.Now())
	rep := verify(t, r)
	if rep.OK() || !strings.Contains(rep.Failures[0], "rejected at technical by ana@example.com") {
		t.Errorf("%v", rep.Failures)
	}
}

func TestParseOwnersRefusesAddressesWithMarkup(t *testing.T) {
	for _, c := range []struct{ owners, want string }{
		{"consistency: [\"\\\"><img src=x onerror=alert(1)>@example.com\"]\n", "OWNERS: consistency[0]: "},
		{"technical:\n  vf-200: [ana@example.com, \"bob @example.com\"]\n", "OWNERS: technical.vf-200[1]: \"bob @example.com\" is not a plain e-mail address"},
		{"admins: [root]\n", "OWNERS: admins[0]: \"root\" is not a plain e-mail address"},
	} {
		_, err := ParseOwners(OwnersFile, []byte(c.owners))
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("ParseOwners(%q) = %v, want an error starting %q", c.owners, err, c.want)
		}
	}
	if _, err := ParseOwners(OwnersFile, []byte(owners+"admins: [\"Ana Ruiz <ana@example.com>\"]\n")); err != nil {
		t.Errorf("a plain OWNERS file refused: %v", err)
	}
}
