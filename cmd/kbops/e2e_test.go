package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// kb runs kbops in-process against a workspace and returns its output and
// exit code.
func kb(t *testing.T, ws string, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"kbops", "-w", ws}, args...)
	code := run(context.Background(), full, &out, &errb)
	return out.String() + errb.String(), code
}

func must(t *testing.T, ws string, args ...string) string {
	t.Helper()
	out, code := kb(t, ws, args...)
	if code != 0 {
		t.Fatalf("kbops %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// copyDir copies a folder tree (the shared test helper).
func copyDir(t *testing.T, src, dst string) { trackstest.CopyDir(t, src, dst) }

// demoWorkspace makes a workspace from examples/demo in a temp folder.
func demoWorkspace(t *testing.T, weaviateURL, grpc string) (ws, notes string) {
	t.Helper()
	dir := t.TempDir()
	ws, notes = filepath.Join(dir, "kb"), filepath.Join(dir, "notes")
	copyDir(t, "../../examples/demo/workspace", ws)
	copyDir(t, "../../examples/demo/notes", notes)
	if weaviateURL != "" {
		cfg, _ := os.ReadFile(filepath.Join(ws, "kbops.yaml"))
		cfg = bytes.Replace(cfg, []byte("  collection: KnowledgeUnit\n"), []byte("  collection: KnowledgeUnit\n  url: "+weaviateURL+"\n  grpc: "+grpc+"\n"), 1)
		if err := os.WriteFile(filepath.Join(ws, "kbops.yaml"), cfg, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if code := run(context.Background(), []string{"kbops", "init", ws}, &out, &out); code != 0 {
		t.Fatalf("init: %s", out.String())
	}
	return ws, notes
}

func branchHash(t *testing.T, ws, branch string) string {
	t.Helper()
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	h, ok, err := r.Branch(branch)
	if err != nil {
		t.Fatal(err)
	}
	if !ok {
		return ""
	}
	return h.String()
}

// approveAll approves every stage of every unit as the demo's reviewers;
// extra flags (e.g. --waive) go to each approve.
func approveAll(t *testing.T, ws string, extra ...string) {
	t.Helper()
	for _, step := range [][]string{
		{"technical", "ana.ruiz@example.com"},
		{"expression", "tom.baker@example.com"}, {"expression", "li.wei@example.com"}, {"expression", "lucia.gomez@example.com"},
		{"consistency", "carol.chen@example.com"},
	} {
		must(t, ws, append([]string{"review", "approve", "--stage", step[0], "--as", step[1], "--all-mine"}, extra...)...)
	}
}

func readUnit(t *testing.T, ws, branch, id string) knowledge.Unit {
	t.Helper()
	r, _ := kbrepo.Open(ws)
	h, _, _ := r.Branch(branch)
	tree, err := r.Tree(h)
	if err != nil {
		t.Fatal(err)
	}
	b, ok, err := r.ReadPath(tree, knowledge.FilePath(id))
	if err != nil || !ok {
		t.Fatalf("unit %s not on %s: %v", id, branch, err)
	}
	u, err := knowledge.Parse(id, b)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

type publishJSON struct {
	Written int `json:"written"`
	Deleted int `json:"deleted"`
	Plan    struct {
		Desired, Unchanged int
		Actions            []json.RawMessage
	} `json:"plan"`
}

func publishCounts(t *testing.T, ws string) publishJSON {
	t.Helper()
	out := must(t, ws, "publish", "--json")
	var p publishJSON
	if err := json.Unmarshal([]byte(out[strings.Index(out, "{"):]), &p); err != nil {
		t.Fatalf("publish --json: %v\n%s", err, out)
	}
	return p
}

func TestEndToEnd(t *testing.T) {
	srv := weaviatetest.Start(t)
	ws, notes := demoWorkspace(t, "http://"+srv.Host(), srv.GRPCHost())

	// Ingest twice: the second run makes no commit.
	out := must(t, ws, "ingest")
	if !strings.Contains(out, "11 added") {
		t.Fatalf("first ingest: %s", out)
	}
	first := branchHash(t, ws, "kbops/review")
	out = must(t, ws, "ingest")
	if !strings.Contains(out, "nothing committed") || branchHash(t, ws, "kbops/review") != first {
		t.Fatalf("second ingest with no source change committed: %s", out)
	}

	// Nothing is published before approval: main has no units yet.
	if p := publishCounts(t, ws); p.Plan.Desired != 0 || p.Written != 0 {
		t.Fatalf("unapproved units reached Weaviate: %+v", p)
	}
	out, code := kb(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	if code == 0 || !strings.Contains(out, "technical review missing") {
		t.Fatalf("merge without approvals: exit %d: %s", code, out)
	}

	approveAll(t, ws)
	must(t, ws, "review", "verify", "--base", "main", "--head", "kbops/review")
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")

	// Publish twice: the second run writes nothing.
	if p := publishCounts(t, ws); p.Written != 11 || p.Deleted != 0 {
		t.Fatalf("first publish: %+v", p)
	}
	if p := publishCounts(t, ws); p.Written != 0 || p.Deleted != 0 || len(p.Plan.Actions) != 0 || p.Plan.Unchanged != 11 {
		t.Fatalf("second publish wrote: %+v", p)
	}

	for _, q := range []struct{ args []string }{
		{[]string{"search", "grounding"}},
		{[]string{"search", "接地"}},
		{[]string{"search", "--lang", "es", "puesta a tierra"}},
	} {
		out := must(t, ws, q.args...)
		if !strings.Contains(out, "1. ") {
			t.Errorf("%v: no hits\n%s", q.args, out)
		}
	}
	if out := must(t, ws, "search", "接地"); !strings.Contains(out, "expert-notes/zh/installation/接地") {
		t.Errorf("Chinese query did not find the Chinese unit:\n%s", out)
	}
	// The braking resistor is described only in Chinese; the glossary's
	// cross-language terms let a Spanish question find it.
	if out := must(t, ws, "search", "resistencia de frenado"); !strings.Contains(out, "expert-notes/zh/parameters/加减速时间") {
		t.Errorf("Spanish query did not find the Chinese-only unit through glossary terms:\n%s", out)
	}
	if u := readUnit(t, ws, "main", "expert-notes/zh/parameters/加减速时间"); !slices.Contains(u.Concepts, "braking-resistor") {
		t.Errorf("concepts of the Chinese unit: %v", u.Concepts)
	}

	// Edit one section: exactly that unit gets version 2.
	p := filepath.Join(notes, "en", "installation.md")
	b, _ := os.ReadFile(p)
	os.WriteFile(p, bytes.Replace(b, []byte("minimum 4 mm²"), []byte("minimum 6 mm²"), 1), 0o644)
	out = must(t, ws, "ingest", "--json")
	var rep struct {
		Changes []struct{ ID, Change string }
	}
	json.Unmarshal([]byte(out), &rep)
	if len(rep.Changes) != 1 || rep.Changes[0].ID != "expert-notes/en/installation/grounding" || rep.Changes[0].Change != "changed" {
		t.Fatalf("editing one section changed %+v", rep.Changes)
	}
	if u := readUnit(t, ws, "kbops/review", "expert-notes/en/installation/grounding"); u.Version != 2 {
		t.Errorf("edited unit version %d, want 2", u.Version)
	}
	if u := readUnit(t, ws, "kbops/review", "expert-notes/en/installation/mounting"); u.Version != 1 {
		t.Errorf("untouched unit version %d, want 1", u.Version)
	}

	// Delete a file: its units are retired; after review, publish deletes them.
	os.Remove(filepath.Join(notes, "en", "faults.md"))
	out = must(t, ws, "ingest")
	if !strings.Contains(out, "2 retired") {
		t.Fatalf("deleting a file: %s", out)
	}
	if u := readUnit(t, ws, "kbops/review", "expert-notes/en/faults/e07-earth-fault"); u.Status != knowledge.StatusRetired || u.Version != 2 {
		t.Errorf("retired unit: status %s version %d", u.Status, u.Version)
	}
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	if p := publishCounts(t, ws); p.Written != 1 || p.Deleted != 2 {
		t.Fatalf("publish after one edit and one deleted file: %+v", p)
	}
	if p := publishCounts(t, ws); p.Written != 0 || p.Deleted != 0 {
		t.Fatalf("publish not idempotent: %+v", p)
	}
}

func TestBadConfigIsOneLineAndHarmless(t *testing.T) {
	ws, _ := demoWorkspace(t, "", "")
	cfgPath := filepath.Join(ws, "kbops.yaml")
	good, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, bytes.Replace(good, []byte("    kind: notes\n"), []byte("    kind: note\n"), 1), 0o644)
	before := branchHash(t, ws, "main")
	out, code := kb(t, ws, "ingest")
	if code != exitUsage || !strings.Contains(out, "kbops.yaml:") || !strings.Contains(out, "sources[0].kind") {
		t.Fatalf("exit %d: %s", code, out)
	}
	if strings.Count(strings.TrimSpace(out), "\n") != 0 {
		t.Errorf("error is not one line: %q", out)
	}
	if branchHash(t, ws, "main") != before || branchHash(t, ws, "kbops/review") != "" {
		t.Error("a failed run changed the repository")
	}
}

func TestBrokenUnitFileFailsVerifyNamingFileAndField(t *testing.T) {
	ws, _ := demoWorkspace(t, "", "")
	must(t, ws, "ingest")
	r, _ := kbrepo.Open(ws)
	h, _, _ := r.Branch("kbops/review")
	tree, _ := r.Tree(h)
	path := knowledge.FilePath("expert-notes/en/installation/grounding")
	b, _, _ := r.ReadPath(tree, path)
	broken := bytes.Replace(b, []byte("owner: ana.ruiz@example.com\n"), nil, 1)
	sig, _ := kbrepo.Signature("Someone <someone@example.com>", time.Now())
	if _, err := r.Commit(context.Background(), kbrepo.CommitOptions{Branch: "kbops/review", Parents: []plumbing.Hash{h}, Changes: []kbrepo.Change{{Path: path, Data: broken}}, Message: "hand edit", Author: sig}); err != nil {
		t.Fatal(err)
	}
	out, code := kb(t, ws, "review", "verify", "--base", "main", "--head", "kbops/review")
	if code != exitAttention || !strings.Contains(out, path+":1: field \"owner\": missing") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestWeaviateNotInstalledSaysHowToInstall(t *testing.T) {
	ws, _ := demoWorkspace(t, "", "")
	cfgPath := filepath.Join(ws, "kbops.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	cfg = bytes.Replace(cfg, []byte("  collection: KnowledgeUnit\n"), []byte("  collection: KnowledgeUnit\n  embedded:\n    binary: /nonexistent/weaviate-server\n"), 1)
	os.WriteFile(cfgPath, cfg, 0o644)
	out, code := kb(t, ws, "weaviate", "start")
	if code == 0 || !strings.Contains(out, "go install github.com/weaviate/weaviate/cmd/weaviate-server@v1.35.2") {
		t.Fatalf("exit %d: %s", code, out)
	}
}

func TestEmbeddedWeaviateLifecycleAndPortInUse(t *testing.T) {
	weaviatetest.Start(t) // skips or fails (CI) without the binary, like the other integration tests
	ws, _ := demoWorkspace(t, "", "")
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	busy := l.Addr().(*net.TCPAddr).Port
	cfgPath := filepath.Join(ws, "kbops.yaml")
	good, _ := os.ReadFile(cfgPath)
	os.WriteFile(cfgPath, bytes.Replace(good, []byte("  collection: KnowledgeUnit\n"), []byte("  collection: KnowledgeUnit\n  embedded:\n    http_port: "+strconv.Itoa(busy)+"\n"), 1), 0o644)
	out, code := kb(t, ws, "weaviate", "start")
	if code == 0 || !strings.Contains(out, "port "+strconv.Itoa(busy)) || !strings.Contains(out, "already in use") {
		t.Fatalf("port in use: exit %d: %s", code, out)
	}
	os.WriteFile(cfgPath, good, 0o644)
	if _, code := kb(t, ws, "weaviate", "status"); code != exitAttention {
		t.Errorf("status of a stopped server: exit %d", code)
	}
	must(t, ws, "weaviate", "start")
	t.Cleanup(func() { kb(t, ws, "weaviate", "stop") })
	if out := must(t, ws, "weaviate", "status"); !strings.Contains(out, "running") {
		t.Errorf("status: %s", out)
	}
	if _, err := os.Stat(filepath.Join(ws, ".kbops", "weaviate", "data")); err != nil {
		t.Errorf("data not under the workspace: %v", err)
	}
	if out := must(t, ws, "weaviate", "stop"); !strings.Contains(out, "stopped") {
		t.Errorf("stop: %s", out)
	}
	if _, code := kb(t, ws, "weaviate", "status"); code != exitAttention {
		t.Errorf("status after stop: exit %d", code)
	}
}

// TestHandEditedActiveContentFailsVerify: a javascript: source link and a
// markup owner edited into unit files are caught by verify, naming each
// file and field.
func TestHandEditedActiveContentFailsVerify(t *testing.T) {
	ws, _ := demoWorkspace(t, "", "")
	must(t, ws, "ingest")
	r, _ := kbrepo.Open(ws)
	h, _, _ := r.Branch("kbops/review")
	tree, _ := r.Tree(h)
	uriPath := knowledge.FilePath("expert-notes/en/installation/grounding")
	ownerPath := knowledge.FilePath("expert-notes/en/installation/mounting")
	b, _, _ := r.ReadPath(tree, uriPath)
	edited := regexp.MustCompile(`(?m)^  uri: .*$`).ReplaceAll(b, []byte("  uri: javascript:alert(1)"))
	b2, _, _ := r.ReadPath(tree, ownerPath)
	edited2 := regexp.MustCompile(`(?m)^owner: .*$`).ReplaceAll(b2, []byte(`owner: '"><img src=x onerror=alert(1)>@example.com'`))
	sig, _ := kbrepo.Signature("Someone <someone@example.com>", time.Now())
	if _, err := r.Commit(context.Background(), kbrepo.CommitOptions{Branch: "kbops/review", Parents: []plumbing.Hash{h},
		Changes: []kbrepo.Change{{Path: uriPath, Data: edited}, {Path: ownerPath, Data: edited2}}, Message: "hand edit", Author: sig}); err != nil {
		t.Fatal(err)
	}
	out, code := kb(t, ws, "review", "verify", "--base", "main", "--head", "kbops/review")
	if code != exitAttention || !strings.Contains(out, uriPath+":") || !strings.Contains(out, `field "source.uri": "javascript:alert(1)": scheme "javascript"`) ||
		!strings.Contains(out, ownerPath+":") || !strings.Contains(out, `field "owner": "\"><img src=x onerror=alert(1)>@example.com" is not a plain e-mail address`) {
		t.Fatalf("exit %d: %s", code, out)
	}
}
