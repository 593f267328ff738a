package main

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// publishedDemo is the demo workspace ingested, approved, merged and
// published to a throwaway Weaviate, with main's commit, tree and unit ids
// (sorted).
func publishedDemo(t *testing.T) (ws string, r *kbrepo.Repo, h plumbing.Hash, tree kbrepo.Tree, ids []string) {
	t.Helper()
	srv := weaviatetest.Start(t)
	ws, _ = demoWorkspace(t, "http://"+srv.Host(), srv.GRPCHost())
	must(t, ws, "ingest")
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	if p := publishCounts(t, ws); p.Written != 11 {
		t.Fatalf("first publish: %+v", p)
	}
	r, _ = kbrepo.Open(ws)
	h, _, _ = r.Branch("main")
	tree, _ = r.Tree(h)
	for p := range tree {
		if id, ok := knowledge.IDFromPath(p); ok {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	return ws, r, h, tree, ids
}

// commitToMain writes files straight onto main, as someone with push
// access who bypasses review would.
func commitToMain(t *testing.T, ws string, changes ...kbrepo.Change) {
	t.Helper()
	commitTo(t, ws, "main", changes...)
}

// Nothing is lost and nothing unreviewed is served: a unit edited on main
// by hand (its hash no longer matches) and a unit rehashed without review
// keep their published objects, the run says which file and why, and
// publish exits 3 instead of deleting them.
func TestPublishKeepsWhatItCannotReadOrWasNotApproved(t *testing.T) {
	ws, r, _, tree, ids := publishedDemo(t)
	if len(ids) < 2 {
		t.Fatalf("units on main: %v", ids)
	}
	broken, forged := ids[0], ids[1]
	// 1. Edited without rehashing: the file no longer parses.
	b, _, _ := r.ReadPath(tree, knowledge.FilePath(broken))
	bad := strings.Replace(string(b), "\n---\n", "\n---\nAn unreviewed sentence.\n", 1)
	// 2. Edited and rehashed, as a careful forger would: parses, unapproved.
	u := readUnit(t, ws, "main", forged)
	prev := u
	u.Body += "\nUnreviewed advice: skip the earth connection.\n"
	u, _ = knowledge.Revise(&prev, u)
	fb, _ := knowledge.Marshal(u)
	commitToMain(t, ws, kbrepo.Change{Path: knowledge.FilePath(broken), Data: []byte(bad)}, kbrepo.Change{Path: knowledge.FilePath(forged), Data: fb})

	out, code := kb(t, ws, "publish", "--json")
	if code != 3 {
		t.Fatalf("publish over a broken and a forged unit: exit %d, want 3\n%s", code, out)
	}
	var p publishJSON
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):strings.LastIndex(out, "}")+1]), &p); err != nil {
		t.Fatalf("publish --json: %v\n%s", err, out)
	}
	if p.Deleted != 0 || p.Written != 0 {
		t.Errorf("publish deleted or rewrote what it could not read or was not approved: %+v", p)
	}
	out, code = kb(t, ws, "publish")
	if code != 3 || !strings.Contains(out, knowledge.FilePath(broken)) {
		t.Errorf("publish does not name the unreadable file (exit %d):\n%s", code, out)
	}
	if s := must(t, ws, "search", "skip the earth connection"); strings.Contains(s, "Unreviewed advice") {
		t.Errorf("unreviewed text is served:\n%s", s)
	}
}

// commitTo writes files onto a branch as Mallory, who has push access.
func commitTo(t *testing.T, ws, branch string, changes ...kbrepo.Change) {
	t.Helper()
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := r.Branch(branch)
	sig, _ := kbrepo.Signature("Mallory <mallory@example.com>", time.Now())
	if _, err := r.Commit(context.Background(), kbrepo.CommitOptions{Branch: branch, Parents: []plumbing.Hash{h}, Changes: changes, Message: "remove\n", Author: sig}); err != nil {
		t.Fatal(err)
	}
}

// Deleting a unit is a change: `git rm` of an active unit on the review
// branch fails verify and merge until its owner approves the removal, and
// a deletion pushed straight onto main is not carried to Weaviate.
func TestDeletionNeedsReview(t *testing.T) {
	ws, r, h, _, ids := publishedDemo(t)
	onBranch, onMain := ids[0], ids[1]

	if err := r.MoveBranch("kbops/review", plumbing.ZeroHash, h); err != nil {
		t.Fatal(err)
	}
	commitTo(t, ws, "kbops/review", kbrepo.Change{Path: knowledge.FilePath(onBranch)}, kbrepo.Change{Path: "approvals/" + onBranch + ".yaml"})
	out, code := kb(t, ws, "review", "verify", "--base", "main", "--head", "kbops/review")
	if code == 0 || !strings.Contains(out, "deleted without review") {
		t.Fatalf("verify of a silent deletion: exit %d\n%s", code, out)
	}
	if out, code := kb(t, ws, "review", "merge", "--as", "ops@example.com"); code == 0 {
		t.Fatalf("merge took an unreviewed deletion to main:\n%s", out)
	}
	if out := must(t, ws, "review", "status"); !strings.Contains(out, "removal") || !strings.Contains(out, onBranch) {
		t.Errorf("status does not show the removal waiting:\n%s", out)
	}
	must(t, ws, "review", "approve", "--stage", "removal", "--as", "ana.ruiz@example.com", "--all-mine")
	must(t, ws, "review", "verify", "--base", "main", "--head", "kbops/review")
	must(t, ws, "review", "merge", "--as", "ops@example.com")
	if p := publishCounts(t, ws); p.Deleted != 1 {
		t.Errorf("publish after the reviewed removal: %+v, want 1 deleted", p)
	}

	commitTo(t, ws, "main", kbrepo.Change{Path: knowledge.FilePath(onMain)})
	out, _ = kb(t, ws, "publish", "--json")
	var p publishJSON
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):strings.LastIndex(out, "}")+1]), &p); err != nil {
		t.Fatalf("publish --json: %v\n%s", err, out)
	}
	if p.Deleted != 0 {
		t.Errorf("publish deleted a unit removed on main without review: %+v", p)
	}
}

// Leftover personal data in a unit (here a hand edit, rehashed) blocks
// its expression stage: approve --all-mine leaves it out and says why,
// verify fails, and a waiver with a reason lets it through and shows in
// review status.
func TestPersonalDataBlocksApprovalUntilWaived(t *testing.T) {
	ws, _ := demoWorkspace(t, "", "")
	must(t, ws, "ingest")
	r, _ := kbrepo.Open(ws)
	h, _, _ := r.Branch("kbops/review")
	tree, _ := r.Tree(h)
	var id string
	for p := range tree {
		if i, ok := knowledge.IDFromPath(p); ok && strings.Contains(i, "/en/") {
			id = i
			break
		}
	}
	b, _, _ := r.ReadPath(tree, knowledge.FilePath(id))
	edited := strings.Replace(string(b), "\n---\n", "\n---\nQuestions? Call Jane on +49 170 1234567 or write to jane.doe@example.com.\n\n", 1)
	commitTo(t, ws, "kbops/review", kbrepo.Change{Path: knowledge.FilePath(id), Data: []byte(edited)})
	must(t, ws, "review", "rehash", "--as", "ops@example.com")

	must(t, ws, "review", "approve", "--stage", "technical", "--as", "ana.ruiz@example.com", "--all-mine")
	out, code := kb(t, ws, "review", "approve", "--stage", "expression", "--as", "tom.baker@example.com", "--all-mine")
	if code != 3 || !strings.Contains(out, "not recorded") || !strings.Contains(out, "personal-data (blocking)") || strings.Contains(out, "jane.doe") {
		t.Fatalf("approve over personal data:\n%s", out)
	}
	for _, step := range [][]string{{"expression", "li.wei@example.com"}, {"expression", "lucia.gomez@example.com"}, {"consistency", "carol.chen@example.com"}} {
		must(t, ws, "review", "approve", "--stage", step[0], "--as", step[1], "--all-mine")
	}
	if out, code := kb(t, ws, "review", "verify", "--base", "main", "--head", "kbops/review"); code == 0 {
		t.Fatalf("verify passed with personal data not waived:\n%s", out)
	}
	must(t, ws, "review", "approve", "--stage", "expression", "--as", "tom.baker@example.com", "--waive", "personal-data=the distributor's public hotline", id)
	must(t, ws, "review", "approve", "--stage", "consistency", "--as", "carol.chen@example.com", id)
	must(t, ws, "review", "verify", "--base", "main", "--head", "kbops/review")
	if out := must(t, ws, "review", "status"); !strings.Contains(out, "personal-data waived by tom.baker@example.com: the distributor's public hotline") {
		t.Errorf("status does not show the waiver:\n%s", out)
	}
}
