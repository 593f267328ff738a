package trackstest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
	_ "github.com/kbops/kbops/sources/all"
)

// Options shape the fixture.
type Options struct {
	// ApprovedAt is when every unit was approved (default: an hour ago).
	ApprovedAt time.Time
	// Notes are extra note files, path (relative to the notes folder) →
	// content.
	Notes map[string]string
	// Config, when set, replaces kbops.yaml's text before init; NOTES is
	// replaced by the notes folder.
	Config string
	// NoMerge leaves the ingested units on the review branch, unapproved.
	NoMerge bool
	// Unredacted turns redaction off for the notes source, so that
	// personal data in Notes reaches the units: the fixture of erasure
	// tests. Ignored when Config is set.
	Unredacted bool
}

// Root is the kbops module root, found from this file.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// Workspace returns an open fixture workspace and its notes folder.
func Workspace(t testing.TB, o Options) (*workspace.Workspace, string) {
	t.Helper()
	dir := t.TempDir()
	wsDir, notes := filepath.Join(dir, "kb"), filepath.Join(dir, "notes")
	demo := filepath.Join(Root(), "examples", "demo")
	CopyDir(t, filepath.Join(demo, "workspace"), wsDir)
	CopyDir(t, filepath.Join(demo, "notes"), notes)
	for p, c := range o.Notes {
		full := filepath.Join(notes, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if o.Config == "" && o.Unredacted {
		b, err := os.ReadFile(filepath.Join(wsDir, "kbops.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		const at = "    kind: notes\n"
		if !strings.Contains(string(b), at) {
			t.Fatalf("demo kbops.yaml has no %q to add `redact: off` to", at)
		}
		o.Config = strings.Replace(string(b), at, at+"    redact: off\n", 1)
	}
	if o.Config != "" {
		cfg := []byte(o.Config)
		if err := os.WriteFile(filepath.Join(wsDir, "kbops.yaml"), cfg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := workspace.Init(wsDir, time.Now()); err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Open(wsDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ingest.Run(ctx, ws, ingest.Options{Now: time.Now().Add(-400 * 24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if o.NoMerge {
		return ws, notes
	}
	at := o.ApprovedAt
	if at.IsZero() {
		at = time.Now().Add(-time.Hour)
	}
	ApproveAll(t, ws, at)
	if _, err := reviews.Merge(ctx, ws.Repo, ws.Config.Review.Main, ws.Config.Review.Branch, "carol.chen@example.com", at.Add(time.Minute), nil); err != nil {
		t.Fatal(err)
	}
	return ws, notes
}

// ApproveAll records all three stages for every unit on the review branch,
// each by someone OWNERS allows, at the given time: one commit per stage
// and reviewer, authored by that reviewer, as `kbops review approve` does.
func ApproveAll(t testing.TB, ws *workspace.Workspace, at time.Time) {
	t.Helper()
	ctx := context.Background()
	head, ok, err := ws.Repo.Branch(ws.Config.Review.Branch)
	if err != nil || !ok {
		t.Fatalf("review branch: %v %v", ok, err)
	}
	snap, err := reviews.Load(ctx, ws.Repo, head)
	if err != nil {
		t.Fatal(err)
	}
	// Reviewers who approve whatever the checks say waive the blocking
	// findings (the tests that use this seed personal data on purpose).
	waivers := map[string]map[reviews.Stage][]reviews.Waiver{}
	for _, f := range reviews.BlockingFindings(snap, snap.IDs(), reviews.CheckOptions{}) {
		if waivers[f.Unit] == nil {
			waivers[f.Unit] = map[reviews.Stage][]reviews.Waiver{}
		}
		if !slices.ContainsFunc(waivers[f.Unit][f.Stage], func(w reviews.Waiver) bool { return w.Code == f.Code }) {
			waivers[f.Unit][f.Stage] = append(waivers[f.Unit][f.Stage], reviews.Waiver{Code: f.Code, Reason: "test fixture: approved as seeded"})
		}
	}
	files := map[string][]reviews.Record{}
	for i, st := range reviews.Stages {
		byWho := map[string][]string{}
		var order []string
		for _, id := range snap.IDs() {
			u := snap.Units[id]
			who := snap.Owners.Allowed(st, u)
			if len(who) == 0 {
				t.Fatalf("%s: nobody may approve %s", id, st)
			}
			if files[id] == nil {
				files[id] = append([]reviews.Record(nil), snap.Records[id]...)
			}
			files[id] = append(files[id], reviews.Record{Stage: st, Verdict: reviews.Approved, Reviewer: who[0], Version: u.Version,
				ContentHash: u.ContentHash, At: at.UTC().Truncate(time.Second).Add(time.Duration(i) * time.Second), Waived: waivers[id][st]})
			if byWho[who[0]] == nil {
				order = append(order, who[0])
			}
			byWho[who[0]] = append(byWho[who[0]], id)
		}
		for _, who := range order {
			var changes []kbrepo.Change
			for _, id := range byWho[who] {
				b, err := reviews.MarshalApprovals(reviews.ApprovalFile{Unit: id, Records: files[id]})
				if err != nil {
					t.Fatal(err)
				}
				changes = append(changes, kbrepo.Change{Path: reviews.ApprovalPath(id), Data: b})
			}
			sig, _ := kbrepo.Signature(who, at)
			if head, err = ws.Repo.Commit(ctx, kbrepo.CommitOptions{Branch: ws.Config.Review.Branch, Parents: []plumbing.Hash{head}, Changes: changes, Message: "review: approve " + string(st) + "\n", Author: sig}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// CopyDir copies a folder tree.
func CopyDir(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Synthetic returns a workspace whose main holds n approved units over
// eight products and four owners, written directly as git objects (no
// ingestion), for benchmarks.
func Synthetic(tb testing.TB, n int, approvedAt time.Time) *workspace.Workspace {
	tb.Helper()
	dir := tb.TempDir()
	owners := []string{"ana.ruiz@example.com", "li.wei@example.com", "tom.baker@example.com", "lucia.gomez@example.com"}
	ownersFile := "technical:\n  \"*\": [" + strings.Join(owners, ", ") + "]\nexpression:\n  en: [carol.chen@example.com]\nconsistency: [dan.moss@example.com]\n"
	if err := os.WriteFile(filepath.Join(dir, "OWNERS"), []byte(ownersFile), 0o644); err != nil {
		tb.Fatal(err)
	}
	if _, err := workspace.Init(dir, approvedAt); err != nil {
		tb.Fatal(err)
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	var changes []kbrepo.Change
	at := approvedAt.UTC().Truncate(time.Second)
	for i := 0; i < n; i++ {
		u := knowledge.Unit{
			ID: fmt.Sprintf("manuals/vf-%d/section-%05d", i%8, i), Title: fmt.Sprintf("Section %d", i), Language: "en",
			Layer: knowledge.LayerCore, Kind: knowledge.KindSpec, Product: fmt.Sprintf("vf-%d", i%8),
			Source: knowledge.Source{Name: "manuals", Kind: "manuals", URI: "file:///m.pdf", Document: "m.pdf", Locator: fmt.Sprintf("p. %d", i), FetchedAt: at, Hash: "h"},
			Tier:   knowledge.TierOfficial, Effective: knowledge.DateOf(at), Owner: owners[i%4], Access: knowledge.AccessInternal,
			Status: knowledge.StatusActive, Body: fmt.Sprintf("The rated current of variant %d is %d A at 400 V.\n", i, 10+i%7),
		}
		if i%5 == 0 {
			u.Concepts = []string{"rated-current"}
		}
		u, _ = knowledge.Revise(nil, u)
		b, err := knowledge.Marshal(u)
		if err != nil {
			tb.Fatal(err)
		}
		changes = append(changes, kbrepo.Change{Path: knowledge.FilePath(u.ID), Data: b})
		var recs []reviews.Record
		for s, who := range []string{u.Owner, "carol.chen@example.com", "dan.moss@example.com"} {
			recs = append(recs, reviews.Record{Stage: reviews.Stages[s], Verdict: reviews.Approved, Reviewer: who, Version: 1, ContentHash: u.ContentHash, At: at.Add(time.Duration(s) * time.Second)})
		}
		ab, _ := reviews.MarshalApprovals(reviews.ApprovalFile{Unit: u.ID, Records: recs})
		changes = append(changes, kbrepo.Change{Path: reviews.ApprovalPath(u.ID), Data: ab})
	}
	h, _, _ := ws.Repo.Branch(ws.Config.Review.Main)
	sig, _ := kbrepo.Signature("kbops <kbops@example.com>", at)
	if _, err := ws.Repo.Commit(context.Background(), kbrepo.CommitOptions{Branch: ws.Config.Review.Main, Parents: []plumbing.Hash{h}, Changes: changes, Message: "synthetic units\n", Author: sig}); err != nil {
		tb.Fatal(err)
	}
	return ws
}
