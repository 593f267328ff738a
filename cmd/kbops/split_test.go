package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/publish"
)

// With weaviate.split_by_access, each access level lives in its own
// collection, and a caller's level decides which collections are queried.
func TestSplitByAccess(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws, notes := demoWorkspace(t, "http://"+srv.Host(), srv.GRPCHost())
	cfgPath := filepath.Join(ws, "kbops.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, bytes.Replace(cfg, []byte("  collection: KnowledgeUnit\n"), []byte("  collection: KnowledgeUnit\n  split_by_access: true\n"), 1), 0o644)
	p := filepath.Join(notes, "en", "faults.md")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(b, []byte("language: en\n"), []byte("language: en\naccess: public\n"), 1), 0o644)
	must(t, ws, "ingest")
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	if p := publishCounts(t, ws); p.Written != 11 {
		t.Fatalf("publish: %+v", p)
	}
	c, err := publish.Connect(context.Background(), "http://"+srv.Host(), srv.GRPCHost(), "")
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[knowledge.Access]int{knowledge.AccessPublic: 2, knowledge.AccessCustomer: 9, knowledge.AccessInternal: 0} {
		tg := &publish.Target{Client: c, Alias: publish.AccessAlias("KnowledgeUnit", a)}
		live, err := tg.Resolve(context.Background())
		if err != nil || live == "" {
			t.Fatalf("%s: %q %v", tg.Alias, live, err)
		}
		objs, _ := tg.ListExisting(context.Background(), live, false)
		if len(objs) != want {
			t.Errorf("%s holds %d objects, want %d", tg.Alias, len(objs), want)
		}
	}
	out := must(t, ws, "search", "--access", "public", "E07 earth fault grounding")
	if strings.Contains(out, "installation/grounding") || !strings.Contains(out, "faults/e07-earth-fault") {
		t.Errorf("public caller saw customer knowledge or missed public knowledge:\n%s", out)
	}
	out = must(t, ws, "search", "--access", "customer", "grounding")
	if !strings.Contains(out, "installation/grounding") {
		t.Errorf("customer caller missed customer knowledge:\n%s", out)
	}
	must(t, ws, "reindex")
	must(t, ws, "rollback")
}
