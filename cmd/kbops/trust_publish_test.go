package main

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// commitToMain writes files straight onto main, as someone with push
// access who bypasses review would.
func commitToMain(t *testing.T, ws string, changes ...kbrepo.Change) {
	t.Helper()
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := r.Branch("main")
	sig, _ := kbrepo.Signature("Mallory <mallory@example.com>", time.Now())
	if _, err := r.Commit(context.Background(), kbrepo.CommitOptions{Branch: "main", Parents: []plumbing.Hash{h}, Changes: changes, Message: "hand edit\n", Author: sig}); err != nil {
		t.Fatal(err)
	}
}

// Nothing is lost and nothing unreviewed is served: a unit edited on main
// by hand (its hash no longer matches) and a unit rehashed without review
// keep their published objects, the run says which file and why, and
// publish exits 3 instead of deleting them.
func TestPublishKeepsWhatItCannotReadOrWasNotApproved(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws, _ := demoWorkspace(t, "http://"+srv.Host(), srv.GRPCHost())
	must(t, ws, "ingest")
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	if p := publishCounts(t, ws); p.Written != 11 {
		t.Fatalf("first publish: %+v", p)
	}

	r, _ := kbrepo.Open(ws)
	h, _, _ := r.Branch("main")
	tree, _ := r.Tree(h)
	var ids []string
	for p := range tree {
		if id, ok := knowledge.IDFromPath(p); ok {
			ids = append(ids, id)
		}
	}
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
