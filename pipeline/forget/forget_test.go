package forget_test

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/forget"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

const (
	email = "jane.doe@customer.example"
	name  = "Jane Doe"
)

var person = regexp.MustCompile(`(?i)jane\.doe@customer\.example|jane[\s\-_.]+doe`)

var notes = map[string]string{
	"en/site-visit.md": `---
title: Site visits
product: vf-200
language: en
---

# Ramp tuning at the Monterrey plant

Jane Doe (jane.doe@customer.example) reported E12 trips on the conveyor.
Lengthening P1.08 to 4 s fixed it. Contact JANE.DOE@customer.example for the log.
`,
	"en/jane-doe-notes.md": `---
title: Notes from Jane Doe's plant
product: vf-200
language: en
---

# Grounding

The PE bar was loose.
`,
}

func containsPerson(b []byte) bool { return person.Match(b) }

// leaks lists where the person's data still is: workspace files, the
// tree of branch, local state (Weaviate's own data folder aside).
func leaks(t *testing.T, ws *workspace.Workspace, branch string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(ws.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		rel, _ := filepath.Rel(ws.Root, p)
		if d.IsDir() && (rel == ".git" || rel == filepath.Join(".kbops", "weaviate")) {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); containsPerson(b) {
				out = append(out, "file "+rel)
			}
		}
		return nil
	})
	h, _, _ := ws.Repo.Branch(branch)
	tree, err := ws.Repo.Tree(h)
	if err != nil {
		t.Fatal(err)
	}
	for p, e := range tree {
		b, _ := ws.Repo.Read(e.Hash)
		if containsPerson(b) || containsPerson([]byte(p)) {
			out = append(out, branch+":"+p)
		}
	}
	return out
}

func TestForgetEverywhereWithWeaviate(t *testing.T) {
	srv := weaviatetest.Start(t)
	ctx := context.Background()
	ws, _ := trackstest.Workspace(t, trackstest.Options{Notes: notes, Unredacted: true})
	// The person also reached local state: a run report, feedback, a cache.
	if _, err := runs.Record(ws, "ingest", time.Now(), nil, os.ErrNotExist, runs.Options{}); err != nil {
		t.Fatal(err)
	}
	r, _ := runs.Record(ws, "feedback", time.Now(), map[string]string{"note": "row from " + email}, nil)
	_ = r
	st, _ := tracks.Load(ctx, ws)
	rows, _ := tracks.ParseFeedback("f.csv", strings.NewReader("unit_id,rating,comment,time\n"+st.Snap.IDs()[0]+",2,\"jane doe says hi\",2026-01-01\n"))
	if _, err := tracks.Import(ctx, ws, rows, tracks.DefaultThresholds(), time.Now()); err != nil {
		t.Fatal(err)
	}
	cache := filepath.Join(ws.Root, ".kbops", "cache", "tickets", "export.json")
	os.MkdirAll(filepath.Dir(cache), 0o755)
	os.WriteFile(cache, []byte(`{"requester":"`+email+`"}`), 0o644)

	// Publish the approved units.
	client, err := publish.Connect(ctx, "http://"+srv.Host(), srv.GRPCHost(), "")
	if err != nil {
		t.Fatal(err)
	}
	target := &publish.Target{Client: client, Alias: ws.Config.Weaviate.Collection}
	snap, _, _ := reviews.LoadBranch(ctx, ws.Repo, "main")
	approved, _ := snap.ApprovedUnits()
	if _, err := publish.Publish(ctx, target, approved, publish.Options{}); err != nil {
		t.Fatal(err)
	}
	before := weaviateLeaks(t, target)
	if before == 0 || len(leaks(t, ws, "main")) == 0 {
		t.Fatal("fixture does not hold the person's data")
	}
	connect := func(context.Context) (*publish.Target, func(), error) { return target, func() {}, nil }

	res, err := forget.Run(ctx, ws, forget.Options{Subject: forget.Subject{Emails: []string{email}, Names: []string{name}}, Now: true, Connect: connect})
	if err != nil {
		t.Fatal(err)
	}
	if res.Commit == "" || res.Branch != "main" || res.Total() == 0 {
		t.Fatalf("%+v", res)
	}
	summary := res.Summary()
	if containsPerson([]byte(summary)) || !strings.Contains(summary, "weaviate") {
		t.Fatalf("summary %q", summary)
	}
	if l := leaks(t, ws, "main"); len(l) > 0 {
		t.Fatalf("still there: %v", l)
	}
	if n := weaviateLeaks(t, target); n != 0 {
		t.Fatalf("%d Weaviate objects still hold the person's data", n)
	}
	// The unit whose id held the name is gone; the other is redacted.
	snap, _, _ = reviews.LoadBranch(ctx, ws.Repo, "main")
	found := false
	for _, u := range snap.Units {
		if strings.Contains(u.Body, "(erased) ((erased)) reported E12") {
			found = true
		}
	}
	if !found {
		t.Fatal("redacted unit not found")
	}

	// Again: nothing found, nothing changed.
	h1, _, _ := ws.Repo.Branch("main")
	again, err := forget.Run(ctx, ws, forget.Options{Subject: forget.Subject{Emails: []string{email}, Names: []string{name}}, Now: true, Connect: connect})
	if err != nil || again.Total() != 0 || again.Commit != "" {
		t.Fatalf("second run: %+v %v", again, err)
	}
	if h2, _, _ := ws.Repo.Branch("main"); h2 != h1 {
		t.Fatal("second run committed")
	}
}

func weaviateLeaks(t *testing.T, target *publish.Target) int {
	t.Helper()
	ctx := context.Background()
	cols, err := target.Collections(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range cols {
		objs, err := target.Client.Data().ObjectsGetter().WithClassName(c).WithLimit(1000).Do(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range objs {
			var b bytes.Buffer
			for _, v := range o.Properties.(map[string]any) {
				b.WriteString(strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(v), "\n", " "), "\t", " ")) + "\n")
			}
			if containsPerson(b.Bytes()) {
				n++
			}
		}
	}
	return n
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		var s []string
		for _, e := range x {
			s = append(s, toString(e))
		}
		return strings.Join(s, " ")
	}
	return ""
}

func TestForgetDefaultsToAReviewedChange(t *testing.T) {
	ctx := context.Background()
	ws, _ := trackstest.Workspace(t, trackstest.Options{Notes: notes, Unredacted: true})
	mainBefore, _, _ := ws.Repo.Branch("main")
	res, err := forget.Run(ctx, ws, forget.Options{Subject: forget.Subject{Emails: []string{email}}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Branch != ws.Config.Review.Branch || res.Commit == "" || res.WeaviateSkipped == "" {
		t.Fatalf("%+v", res)
	}
	if h, _, _ := ws.Repo.Branch("main"); h != mainBefore {
		t.Fatal("main changed without --now")
	}
	h, _, _ := ws.Repo.Branch(ws.Config.Review.Branch)
	tree, _ := ws.Repo.Tree(h)
	for p, e := range tree {
		if b, _ := ws.Repo.Read(e.Hash); bytes.Contains(bytes.ToLower(b), []byte(email)) {
			t.Fatalf("%s still holds the address on the review branch", p)
		}
	}
	// The redacted unit waits for review like any change.
	snap, _ := reviews.Load(ctx, ws.Repo, h)
	base, _ := reviews.Load(ctx, ws.Repo, mainBefore)
	if v := reviews.Verify(snap, base); v.OK() {
		t.Fatal("erasure on the review branch needs no review?")
	}
	if _, err := forget.Run(ctx, ws, forget.Options{}); err == nil {
		t.Fatal("no subject accepted")
	}
}

func TestForgetTicket(t *testing.T) {
	ctx := context.Background()
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	mk := func(id, locator string) knowledge.Unit {
		u := knowledge.Unit{ID: id, Title: "E07 after motor swap", Language: "en", Layer: knowledge.LayerScenario, Kind: knowledge.KindScenario,
			Product: "vf-200", Source: knowledge.Source{Name: "helpdesk", Kind: "tickets", URI: "file:///export.csv", Document: "export.csv", Locator: locator, FetchedAt: time.Now().UTC().Truncate(time.Second), Hash: "x"},
			Tier: knowledge.TierSupport, Effective: knowledge.DateOf(time.Now()), Owner: "ana.ruiz@example.com", Access: knowledge.AccessInternal,
			Status: knowledge.StatusActive, Body: "Symptom: E07 right after a motor swap (see T-1042).\n"}
		u, _ = knowledge.Revise(nil, u)
		return u
	}
	var changes []kbrepo.Change
	for _, u := range []knowledge.Unit{mk("helpdesk/export/only", "ticket T-1042"), mk("helpdesk/export/shared", "tickets T-1042, T-2000")} {
		b, err := knowledge.Marshal(u)
		if err != nil {
			t.Fatal(err)
		}
		changes = append(changes, kbrepo.Change{Path: knowledge.FilePath(u.ID), Data: b})
	}
	h, _, _ := ws.Repo.Branch("main")
	sig, _ := kbrepo.Signature("kbops <kbops@example.com>", time.Now())
	if _, err := ws.Repo.Commit(ctx, kbrepo.CommitOptions{Branch: "main", Parents: []plumbing.Hash{h}, Changes: changes, Message: "tickets\n", Author: sig}); err != nil {
		t.Fatal(err)
	}
	res, err := forget.Run(ctx, ws, forget.Options{Subject: forget.Subject{Tickets: []string{"T-1042"}}, Now: true})
	if err != nil {
		t.Fatal(err)
	}
	snap, _, _ := reviews.LoadBranch(ctx, ws.Repo, "main")
	if _, ok := snap.Units["helpdesk/export/only"]; ok {
		t.Fatal("unit drawn only from the erased ticket kept")
	}
	u := snap.Units["helpdesk/export/shared"]
	if u == nil || u.Source.Locator != "tickets (erased), T-2000" || strings.Contains(u.Body, "T-1042") {
		t.Fatalf("shared unit %+v (%s)", u, res.Summary())
	}
	if strings.Contains(res.Summary(), "T-1042") {
		t.Fatal("summary names the ticket")
	}
}

// Erasure reaches every collection kbops wrote, not only the ones the
// current configuration reads: published first into one combined alias,
// then with weaviate.split_by_access into one alias per access level, the
// person's objects are gone from all of them (listed from the schema, so
// a collection erasure does not know of counts too), and the result names
// each collection it searched.
func TestForgetReachesEveryCollection(t *testing.T) {
	srv := weaviatetest.Start(t)
	ctx := context.Background()
	ws, _ := trackstest.Workspace(t, trackstest.Options{Notes: notes, Unredacted: true})
	client, err := publish.Connect(ctx, "http://"+srv.Host(), srv.GRPCHost(), "")
	if err != nil {
		t.Fatal(err)
	}
	snap, _, _ := reviews.LoadBranch(ctx, ws.Repo, "main")
	approved, _ := snap.ApprovedUnits()
	base := &publish.Target{Client: client, Alias: ws.Config.Weaviate.Collection}
	// split_by_access: false
	if _, err := publish.Publish(ctx, base, approved, publish.Options{}); err != nil {
		t.Fatal(err)
	}
	// split_by_access: true; the combined alias stays behind.
	for a, us := range publish.ByAccess(approved) {
		if len(us) == 0 {
			continue
		}
		at := *base
		at.Alias = publish.AccessAlias(base.Alias, a)
		if _, err := publish.Publish(ctx, &at, us, publish.Options{}); err != nil {
			t.Fatal(err)
		}
	}
	all := func() []string {
		dump, err := client.Schema().Getter().Do(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, c := range dump.Classes {
			out = append(out, c.Class)
		}
		return out
	}
	holding := func() map[string]int {
		out := map[string]int{}
		for _, c := range all() {
			objs, err := client.Data().ObjectsGetter().WithClassName(c).WithLimit(1000).Do(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range objs {
				var b bytes.Buffer
				for _, v := range o.Properties.(map[string]any) {
					b.WriteString(strings.TrimSpace(strings.ReplaceAll(toString(v), "\n", " ")) + "\n")
				}
				if containsPerson(b.Bytes()) {
					out[c]++
				}
			}
		}
		return out
	}
	before := holding()
	if len(before) < 2 {
		t.Fatalf("fixture: the person should be in the combined and an access-level collection, is in %v", before)
	}
	connect := func(context.Context) (*publish.Target, func(), error) { return base, func() {}, nil }
	res, err := forget.Run(ctx, ws, forget.Options{Subject: forget.Subject{Emails: []string{email}, Names: []string{name}}, Now: true, Connect: connect})
	if err != nil {
		t.Fatal(err)
	}
	if left := holding(); len(left) > 0 {
		t.Fatalf("objects still hold the person's data: %v (searched %v)", left, res.WeaviateSearched)
	}
	searched := map[string]bool{}
	for _, c := range res.WeaviateSearched {
		searched[c] = true
	}
	for _, c := range all() {
		if !searched[c] {
			t.Errorf("collection %s not in the result's searched list %v", c, res.WeaviateSearched)
		}
	}
	for c, n := range before {
		found := false
		for _, p := range res.Places {
			found = found || p.Place == "weaviate: "+c && p.Count == n
		}
		if !found {
			t.Errorf("result does not report %d objects deleted from %s: %+v", n, c, res.Places)
		}
	}
}

// TestForgetOwner: erasing the address a unit is owned by leaves a unit
// that validation still accepts, owned by nobody real.
func TestForgetOwner(t *testing.T) {
	ctx := context.Background()
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	u := knowledge.Unit{ID: "helpdesk/export/owned", Title: "E07 after motor swap", Language: "en", Layer: knowledge.LayerScenario, Kind: knowledge.KindScenario,
		Product: "vf-200", Source: knowledge.Source{Name: "helpdesk", Kind: "tickets", URI: "file:///export.csv", Document: "export.csv", Locator: "ticket T-7", FetchedAt: time.Now().UTC().Truncate(time.Second), Hash: "x"},
		Tier: knowledge.TierSupport, Effective: knowledge.DateOf(time.Now()), Owner: "leaver@example.com", Access: knowledge.AccessInternal,
		Status: knowledge.StatusActive, Body: "Symptom: E07 right after a motor swap.\n"}
	u, _ = knowledge.Revise(nil, u)
	b, err := knowledge.Marshal(u)
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := ws.Repo.Branch("main")
	sig, _ := kbrepo.Signature("kbops <kbops@example.com>", time.Now())
	if _, err := ws.Repo.Commit(ctx, kbrepo.CommitOptions{Branch: "main", Parents: []plumbing.Hash{h}, Changes: []kbrepo.Change{{Path: knowledge.FilePath(u.ID), Data: b}}, Message: "unit\n", Author: sig}); err != nil {
		t.Fatal(err)
	}
	if _, err := forget.Run(ctx, ws, forget.Options{Subject: forget.Subject{Emails: []string{"leaver@example.com"}}, Now: true}); err != nil {
		t.Fatal(err)
	}
	snap, _, _ := reviews.LoadBranch(ctx, ws.Repo, "main")
	if len(snap.Problems) > 0 {
		t.Fatalf("unreadable after erasure: %v", snap.Problems)
	}
	if got := snap.Units[u.ID]; got == nil || got.Owner != forget.ErasedOwner {
		t.Fatalf("unit after erasure: %+v", got)
	}
}
