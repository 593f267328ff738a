package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
)

// After turning weaviate.split_by_access on, `forget --email` erases the
// address from the access-level collections and from the combined one
// left behind, and says which collections it searched.
func TestForgetWithSplitByAccess(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws, notes := demoWorkspace(t, "http://"+srv.Host(), srv.GRPCHost())
	cfgPath := filepath.Join(ws, "kbops.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	// The address reaches the units: this source keeps personal data.
	cfg = bytes.Replace(cfg, []byte("    kind: notes\n"), []byte("    kind: notes\n    redact: off\n"), 1)
	os.WriteFile(cfgPath, cfg, 0o644)
	os.WriteFile(filepath.Join(notes, "en", "visit.md"), []byte("---\ntitle: Monterrey visit\nproduct: vf-200\nlanguage: en\n---\n\n# Conveyor trips\n\nThe Monterrey conveyor trips with E12; ask jane.doe@customer.example for the log.\n"), 0o644)
	must(t, ws, "ingest")
	approveAll(t, ws, "--waive", "personal-data=kept on purpose: the erasure below is what this test checks")
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	must(t, ws, "publish")
	os.WriteFile(cfgPath, bytes.Replace(cfg, []byte("  collection: KnowledgeUnit\n"), []byte("  collection: KnowledgeUnit\n  split_by_access: true\n"), 1), 0o644)
	must(t, ws, "publish")
	if out := must(t, ws, "search", "--access", "customer", "Monterrey conveyor"); !strings.Contains(out, "jane.doe@customer.example") {
		t.Fatalf("fixture: the address is not found before erasure:\n%s", out)
	}
	out, code := ops(t, ws, "forget", "--email", "jane.doe@customer.example", "--now")
	if code != 0 || !strings.Contains(out, "KnowledgeUnit_") || !strings.Contains(out, "KnowledgeUnitCustomer_") || strings.Contains(out, "jane.doe") {
		t.Fatalf("forget: exit %d\n%s", code, out)
	}
	if out := must(t, ws, "search", "--access", "customer", "Monterrey conveyor"); strings.Contains(out, "jane.doe@customer.example") {
		t.Fatalf("the address is still found:\n%s", out)
	}
}
