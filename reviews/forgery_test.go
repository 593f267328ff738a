package reviews

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

const unitID = "notes/es/a/puesta-a-tierra"

// commitAs commits changes to the review branch as who.
func commitAs(t *testing.T, r *kbrepo.Repo, branch, who string, at time.Time, changes ...kbrepo.Change) plumbing.Hash {
	t.Helper()
	h, _, _ := r.Branch(branch)
	var parents []plumbing.Hash
	if !h.IsZero() {
		parents = []plumbing.Hash{h}
	}
	sig, _ := kbrepo.Signature(who, at)
	nh, err := r.Commit(context.Background(), kbrepo.CommitOptions{Branch: branch, Parents: parents, Changes: changes, Message: "change by " + who, Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	return nh
}

func failures(t *testing.T, r *kbrepo.Repo, head, base string) string {
	t.Helper()
	ctx := context.Background()
	s, _, err := LoadBranch(ctx, r, head)
	if err != nil {
		t.Fatal(err)
	}
	var b *Snapshot
	if base != "" {
		bh, _, _ := r.Branch(base)
		hh, _, _ := r.Branch(head)
		mb, _ := r.MergeBase(bh, hh)
		if b, err = Load(ctx, r, mb); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := VerifyContext(ctx, s, b)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(rep.Failures, "\n")
}

func TestSelfApprovalFailsVerify(t *testing.T) {
	r, _ := repoWith(t, unit("Conecte PE."))
	// Ana edits the unit herself: she is now the author of version 2.
	prev := unit("Conecte PE.")
	edited, _ := knowledge.Revise(&prev, unit("Conecte PE con 6 mm²."))
	b, _ := knowledge.Marshal(edited)
	t0 := time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	commitAs(t, r, "kbops/review", "Ana <ana@example.com>", t0, kbrepo.Change{Path: knowledge.FilePath(unitID), Data: b})

	// kbops refuses to record it.
	_, problems, err := Decide(context.Background(), r, Decision{Branch: "kbops/review", Reviewer: "ana@example.com", Stage: Technical, Verdict: Approved, Units: []string{unitID}, Now: t0.Add(time.Hour)})
	if err != nil || len(problems) != 1 || !strings.Contains(problems[0].Error(), "wrote version 2 and may not review it") {
		t.Fatalf("Decide: %v %v", problems, err)
	}
	// Written by hand, verify refuses it.
	rec := func(st Stage, who string, at time.Time) Record {
		return Record{Stage: st, Verdict: Approved, Reviewer: who, Version: edited.Version, ContentHash: edited.ContentHash, At: at}
	}
	forge(t, r, []Record{rec(Technical, "ana@example.com", t0.Add(time.Hour)), rec(Expression, "lucia@example.com", t0.Add(2*time.Hour)), rec(Consistency, "carol@example.com", t0.Add(3*time.Hour))})
	if f := failures(t, r, "kbops/review", ""); !strings.Contains(f, "technical decision by ana@example.com, who wrote this version") {
		t.Errorf("failures: %s", f)
	}
	// The same records on a version the bot wrote pass.
	s, _, _ := LoadBranch(context.Background(), r, "kbops/review")
	if a := s.Author(unitID); a != "ana@example.com" {
		t.Errorf("author of version 2: %q", a)
	}
}

func testKey(t *testing.T, name, email string) (*openpgp.Entity, string) {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", email, &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	w, _ := armor.Encode(&b, openpgp.PublicKeyType, nil)
	if err := e.Serialize(w); err != nil {
		t.Fatal(err)
	}
	w.Close()
	return e, b.String()
}

func indent(s string) string {
	return "    " + strings.ReplaceAll(strings.TrimSpace(s), "\n", "\n    ") + "\n"
}

func TestStrictModeNeedsSignedApprovals(t *testing.T) {
	ana, anaPub := testKey(t, "Ana", "ana@example.com")
	lucia, luciaPub := testKey(t, "Lucia", "lucia@example.com")
	carol, carolPub := testKey(t, "Carol", "carol@example.com")
	strict := owners + "strict: true\nkeys:\n  ana@example.com: |\n" + indent(anaPub) + "  lucia@example.com: |\n" + indent(luciaPub) + "  carol@example.com: |\n" + indent(carolPub)
	setup := func(t *testing.T) *kbrepo.Repo {
		return repoWithOwners(t, strict, unit("Conecte PE."))
	}
	t0 := time.Now()
	approve := func(t *testing.T, r *kbrepo.Repo, keys [3]*openpgp.Entity) {
		for i, step := range []struct {
			who string
			st  Stage
		}{{"Ana <ana@example.com>", Technical}, {"Lucia <lucia@example.com>", Expression}, {"Carol <carol@example.com>", Consistency}} {
			_, p, err := Decide(context.Background(), r, Decision{Branch: "kbops/review", Reviewer: step.who, Stage: step.st, Verdict: Approved, Units: []string{unitID}, Now: t0.Add(time.Duration(i+1) * time.Minute), SignKey: keys[i]})
			if err != nil || len(p) > 0 {
				t.Fatal(p, err)
			}
		}
	}

	t.Run("signed passes", func(t *testing.T) {
		r := setup(t)
		approve(t, r, [3]*openpgp.Entity{ana, lucia, carol})
		if f := failures(t, r, "kbops/review", ""); f != "" {
			t.Errorf("signed approvals failed: %s", f)
		}
	})
	t.Run("unsigned fails", func(t *testing.T) {
		r := setup(t)
		// kbops refuses to record an unsigned approval in strict mode.
		if _, _, err := Decide(context.Background(), r, Decision{Branch: "kbops/review", Reviewer: "ana@example.com", Stage: Technical, Verdict: Approved, Units: []string{unitID}, Now: t0}); err == nil || !strings.Contains(err.Error(), "--sign-key") {
			t.Errorf("unsigned Decide in strict mode: %v", err)
		}
		// Written and committed by hand, without signature, verify refuses it.
		writeRecords(t, r, "Ana <ana@example.com>", nil, Record{Stage: Technical, Verdict: Approved, Reviewer: "ana@example.com", Version: 1, ContentHash: unit("Conecte PE.").ContentHash, At: t0})
		if f := failures(t, r, "kbops/review", ""); !strings.Contains(f, "technical decision by ana@example.com does not count") || !strings.Contains(f, "is not signed") {
			t.Errorf("failures: %s", f)
		}
	})
	t.Run("signed with someone else's key fails", func(t *testing.T) {
		r := setup(t)
		if _, _, err := Decide(context.Background(), r, Decision{Branch: "kbops/review", Reviewer: "ana@example.com", Stage: Technical, Verdict: Approved, Units: []string{unitID}, Now: t0, SignKey: carol}); err == nil || !strings.Contains(err.Error(), "not the key OWNERS lists") {
			t.Errorf("Decide with a wrong key: %v", err)
		}
		writeRecords(t, r, "Ana <ana@example.com>", carol, Record{Stage: Technical, Verdict: Approved, Reviewer: "ana@example.com", Version: 1, ContentHash: unit("Conecte PE.").ContentHash, At: t0})
		if f := failures(t, r, "kbops/review", ""); !strings.Contains(f, "does not verify with the key OWNERS lists for ana@example.com") {
			t.Errorf("failures: %s", f)
		}
	})
	t.Run("records written by another committer fail", func(t *testing.T) {
		r := setup(t)
		rec := func(st Stage, who string, at time.Time) Record {
			u := unit("Conecte PE.")
			return Record{Stage: st, Verdict: Approved, Reviewer: who, Version: u.Version, ContentHash: u.ContentHash, At: at}
		}
		forgeAs(t, r, "Mallory <mallory@example.com>", []Record{rec(Technical, "ana@example.com", t0), rec(Expression, "lucia@example.com", t0.Add(time.Minute)), rec(Consistency, "carol@example.com", t0.Add(2*time.Minute))})
		if f := failures(t, r, "kbops/review", ""); !strings.Contains(f, "that added it is by mallory@example.com") {
			t.Errorf("failures: %s", f)
		}
	})
}

func TestOwnersEditNeedsItsOwners(t *testing.T) {
	ctx := context.Background()
	const base = owners + "admins: [boss@example.com]\n"
	r, err := kbrepo.Init(t.TempDir(), "main")
	if err != nil {
		t.Fatal(err)
	}
	h := commitAs(t, r, "main", "Boss <boss@example.com>", time.Now(), kbrepo.Change{Path: OwnersFile, Data: []byte(base)})
	if err := r.SetBranch("kbops/review", h); err != nil {
		t.Fatal(err)
	}
	b, _ := knowledge.Marshal(unit("Conecte PE."))
	commitAs(t, r, "kbops/review", "kbops <kbops@localhost>", time.Now(), kbrepo.Change{Path: knowledge.FilePath(unitID), Data: b})
	// Mallory adds herself as technical reviewer of vf-200 and approves.
	edited := strings.Replace(base, "vf-200: [ana@example.com]", "vf-200: [ana@example.com, mallory@example.com]", 1)
	t0 := time.Now()
	commitAs(t, r, "kbops/review", "Mallory <mallory@example.com>", t0, kbrepo.Change{Path: OwnersFile, Data: []byte(edited)})
	// kbops refuses: the new OWNERS is not in force until approved.
	if _, p, _ := Decide(ctx, r, Decision{Branch: "kbops/review", Reviewer: "mallory@example.com", Stage: Technical, Verdict: Approved, Units: []string{unitID}, Now: t0}); len(p) != 1 || !strings.Contains(p[0].Error(), "may not decide") {
		t.Errorf("Decide let mallory approve: %v", p)
	}
	u := unit("Conecte PE.")
	var recs []Record
	for i, who := range []string{"mallory@example.com", "lucia@example.com", "carol@example.com"} {
		recs = append(recs, Record{Stage: Stages[i], Verdict: Approved, Reviewer: who, Version: 1, ContentHash: u.ContentHash, At: t0.Add(time.Duration(i+1) * time.Minute)})
	}
	forge(t, r, recs)
	f := failures(t, r, "kbops/review", "main")
	for _, want := range []string{
		"OWNERS: change of admins (any change to OWNERS) needs approval by one of boss@example.com",
		"OWNERS: change of technical/vf-200 needs approval by one of ana@example.com",
		"technical decision by mallory@example.com, who may not decide it",
	} {
		if !strings.Contains(f, want) {
			t.Errorf("missing %q in\n%s", want, f)
		}
	}
	// Mallory cannot approve her own change; the boss and Ana can.
	if _, _, err := Decide(ctx, r, Decision{Branch: "kbops/review", Main: "main", Reviewer: "mallory@example.com", Stage: OwnersStage, Verdict: Approved, Now: t0.Add(time.Hour)}); err == nil {
		t.Error("mallory approved her own OWNERS change")
	}
	for _, who := range []string{"boss@example.com", "ana@example.com"} {
		if _, _, err := Decide(ctx, r, Decision{Branch: "kbops/review", Main: "main", Reviewer: who, Stage: OwnersStage, Verdict: Approved, Now: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	f = failures(t, r, "kbops/review", "main")
	if strings.Contains(f, "OWNERS:") {
		t.Errorf("approved OWNERS change still fails: %s", f)
	}
	// Still: Mallory's approval in the same change does not count under the
	// base's OWNERS.
	if !strings.Contains(f, "under the OWNERS of the base") {
		t.Errorf("self-added reviewer's approval passed: %s", f)
	}
}

func repoWithOwners(t *testing.T, ownersText string, u knowledge.Unit) *kbrepo.Repo {
	t.Helper()
	r, err := kbrepo.Init(t.TempDir(), "main")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := knowledge.Marshal(u)
	commitAs(t, r, "kbops/review", "kbops <kbops@localhost>", time.Now(), kbrepo.Change{Path: OwnersFile, Data: []byte(ownersText)}, kbrepo.Change{Path: knowledge.FilePath(u.ID), Data: b})
	return r
}

// writeRecords commits an approval file by hand as who, signed with key
// when set.
func writeRecords(t *testing.T, r *kbrepo.Repo, who string, key *openpgp.Entity, recs ...Record) {
	t.Helper()
	h, _, _ := r.Branch("kbops/review")
	b, _ := MarshalApprovals(ApprovalFile{Unit: unitID, Records: recs})
	sig, _ := kbrepo.Signature(who, time.Now())
	if _, err := r.Commit(context.Background(), kbrepo.CommitOptions{Branch: "kbops/review", Parents: []plumbing.Hash{h}, Changes: []kbrepo.Change{{Path: ApprovalPath(unitID), Data: b}}, Message: "by hand", Author: sig, SignKey: key}); err != nil {
		t.Fatal(err)
	}
}
