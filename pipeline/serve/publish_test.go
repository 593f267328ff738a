package serve_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/serve"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

const internalNote = `---
title: VF-200 service menu
product: vf-200
language: en
access: internal
---

# Service menu

Hold STOP and the down key for five seconds to open the service menu.
Only field engineers may change the factory calibration there.
`

// publishWorkspace is the demo workspace, approved and merged, publishing
// to srv, with one internal note besides the customer ones; split turns
// weaviate.split_by_access on.
func publishWorkspace(t *testing.T, srv *embedded.Server, split bool) *workspace.Workspace {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(trackstest.Root(), "examples", "demo", "workspace", "kbops.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	w := "  collection: KnowledgeUnit\n  url: http://" + srv.Host() + "\n  grpc: " + srv.GRPCHost() + "\n"
	if split {
		w += "  split_by_access: true\n"
	}
	cfg := strings.Replace(string(b), "  collection: KnowledgeUnit\n", w, 1)
	if cfg == string(b) {
		t.Fatal("demo kbops.yaml has no weaviate.collection line to extend")
	}
	ws, _ := trackstest.Workspace(t, trackstest.Options{Config: cfg, Notes: map[string]string{"en/service.md": internalNote}})
	return ws
}

// publishJob returns the scheduled publish job as serve builds it.
func publishJob(t *testing.T, ws *workspace.Workspace) serve.Job {
	t.Helper()
	jobs, err := serve.Jobs(ws, serve.DefaultConfig(), serve.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j.Name == serve.JobPublish {
			return j
		}
	}
	t.Fatalf("no publish job among %+v", jobs)
	return serve.Job{}
}

// objects returns how many objects the alias's live collection holds, and
// false when the alias points nowhere.
func objects(t *testing.T, srv *embedded.Server, alias string) (int, bool) {
	t.Helper()
	c, err := publish.Connect(context.Background(), "http://"+srv.Host(), srv.GRPCHost(), "")
	if err != nil {
		t.Fatal(err)
	}
	tg := &publish.Target{Client: c, Alias: alias}
	live, err := tg.Resolve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if live == "" {
		return 0, false
	}
	objs, err := tg.ListExisting(context.Background(), live, false)
	if err != nil {
		t.Fatal(err)
	}
	return len(objs), true
}

// With weaviate.split_by_access, the scheduled publish writes each access
// level into its own alias, as `kbops publish` does: the customer units
// into the customer alias, the internal one into the internal alias, and
// nothing into the base alias a customer-facing agent might query.
func TestScheduledPublishSplitsByAccess(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws := publishWorkspace(t, srv, true)
	snap, _, err := reviews.LoadBranch(context.Background(), ws.Repo, ws.Config.Review.Main)
	if err != nil {
		t.Fatal(err)
	}
	approved, _ := snap.ApprovedUnits()
	by := publish.ByAccess(approved)
	if len(by[knowledge.AccessInternal]) == 0 || len(by[knowledge.AccessCustomer]) == 0 {
		t.Fatalf("fixture: want internal and customer units, have %d and %d", len(by[knowledge.AccessInternal]), len(by[knowledge.AccessCustomer]))
	}

	rep, err := publishJob(t, ws).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []knowledge.Access{knowledge.AccessCustomer, knowledge.AccessInternal} {
		alias := publish.AccessAlias(ws.Config.Weaviate.Collection, a)
		if n, _ := objects(t, srv, alias); n != len(by[a]) {
			t.Errorf("%s holds %d objects, want the %d %s units", alias, n, len(by[a]), a)
		}
	}
	if n, ok := objects(t, srv, ws.Config.Weaviate.Collection); ok {
		t.Errorf("the base alias %s holds %d objects: every level was written into it", ws.Config.Weaviate.Collection, n)
	}
	r := runs.Build("publish", time.Now(), rep, nil, runs.Options{Job: serve.JobPublish})
	if r.Outcome != runs.Success || !strings.Contains(r.Summary, "KnowledgeUnitInternal") {
		t.Errorf("run report: %s: %s", r.Outcome, r.Summary)
	}
}

// A scheduled publish that cannot write published.json fails, saying so:
// the record of what is live must not silently go stale.
func TestScheduledPublishReportsRecordError(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws := publishWorkspace(t, srv, false)
	p, err := ws.State(release.PublishedFile)
	if err != nil {
		t.Fatal(err)
	}
	// A folder in its place: neither written nor replaced.
	if err := os.MkdirAll(filepath.Join(p, "in-the-way"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err = publishJob(t, ws).Run(context.Background())
	if !errors.Is(err, release.ErrRecord) || !strings.Contains(err.Error(), p) {
		t.Fatalf("publish job with an unwritable %s: err = %v", p, err)
	}
	if n, ok := objects(t, srv, ws.Config.Weaviate.Collection); !ok || n == 0 {
		t.Errorf("Weaviate was not written before the record failed: %d objects", n)
	}
}
