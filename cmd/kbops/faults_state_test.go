package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"

	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// garbage is what a corrupted state file holds: a torn write, binary junk.
var garbage = []byte("{\"documents\": {\"expert-notes\": {\"en/fa\x00\xff\xfe")

func writeFile(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func setRemote(t *testing.T, ws, remote string) {
	t.Helper()
	p := filepath.Join(ws, "kbops.yaml")
	cfg, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.Index(cfg, []byte("  remote: ")); i >= 0 {
		j := i + bytes.IndexByte(cfg[i:], '\n')
		cfg = append(append(append([]byte{}, cfg[:i]...), []byte("  remote: "+remote)...), cfg[j:]...)
	} else {
		cfg = bytes.Replace(cfg, []byte("git:\n"), []byte("git:\n  remote: "+remote+"\n"), 1)
	}
	writeFile(t, p, cfg)
}

// TestFaultCorruptedIngestStateAndLocks: a torn .kbops/state/ingest.json,
// junk in the lock files and run reports. The next ingest re-extracts
// (the state is a cache), writes no commit for unchanged sources, and
// leaves exactly the units of the clean run; `kbops runs` still lists.
func TestFaultCorruptedIngestStateAndLocks(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection")
	}
	ws, notes := demoWorkspace(t, "", "")
	faultCorpus(t, notes, 5, 10)
	must(t, ws, "ingest")
	want := branchUnits(t, ws, "kbops/review")
	head := branchHash(t, ws, "kbops/review")

	writeFile(t, filepath.Join(ws, ".kbops", "state", "ingest.json"), garbage)
	writeFile(t, filepath.Join(ws, ".kbops", "locks", "repo.lock"), garbage)
	writeFile(t, filepath.Join(ws, ".kbops", "locks", "publish.lock"), garbage)
	runsDir := filepath.Join(ws, ".kbops", "runs")
	entries, _ := os.ReadDir(runsDir)
	for _, e := range entries {
		writeFile(t, filepath.Join(runsDir, e.Name()), garbage)
	}
	writeFile(t, filepath.Join(runsDir, "20260101T000000Z-ingest-dead.json"), garbage)

	out := must(t, ws, "ingest")
	if !strings.Contains(out, "nothing committed") || branchHash(t, ws, "kbops/review") != head {
		t.Fatalf("ingest after corrupted state wrote a commit: %s", out)
	}
	sameUnits(t, "after corrupted state", branchUnits(t, ws, "kbops/review"), want)
	// The state was rewritten: a further run skips every document.
	if out := must(t, ws, "ingest"); !strings.Contains(out, "nothing committed") || !strings.Contains(out, "(11 unchanged") {
		t.Fatalf("state not rebuilt: %s", out)
	}
	if out, code := kb(t, ws, "runs"); code != 0 && code != exitAttention {
		t.Fatalf("kbops runs with corrupted reports: exit %d: %s", code, out)
	}
	// A new document is picked up as usual.
	faultCorpus(t, notes, 6, 10)
	if out := must(t, ws, "ingest"); !strings.Contains(out, "10 added") {
		t.Fatalf("ingest of a new document after recovery: %s", out)
	}
}

// TestFaultCorruptedPublishState: junk in .kbops/published.json and in the
// embedded server's .kbops/weaviate/server.json, and a server.json naming
// a dead process. Publish starts its own server and converges.
func TestFaultCorruptedPublishState(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection")
	}
	if _, err := embedded.FindBinary(""); err != nil {
		weaviatetest.Start(t) // fails in CI, skips elsewhere
	}
	ws, notes := demoWorkspace(t, "", "") // embedded Weaviate
	t.Cleanup(func() { kb(t, ws, "weaviate", "stop") })
	faultCorpus(t, notes, 2, 10)
	must(t, ws, "ingest")
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	want := branchUnits(t, ws, "main")

	// publish starts the embedded server for its run and stops it after;
	// `weaviate start` keeps one running, so the test can look inside.
	wdir := filepath.Join(ws, ".kbops", "weaviate")
	writeFile(t, filepath.Join(wdir, "server.json"), garbage)
	writeFile(t, filepath.Join(ws, ".kbops", "published.json"), garbage)
	if out := must(t, ws, "publish"); !strings.Contains(out, "verified") {
		t.Fatalf("publish with corrupted state: %s", out)
	}
	writeFile(t, filepath.Join(wdir, "server.json"), garbage)
	must(t, ws, "weaviate", "start")
	info, ok := embedded.Running(wdir)
	if !ok {
		t.Fatal("embedded server not running after weaviate start")
	}
	client, err := publish.Connect(context.Background(), "http://"+info.Host(), info.GRPCHost(), "")
	if err != nil {
		t.Fatal(err)
	}
	checkPublished(t, "after corrupted server.json", &publish.Target{Client: client, Alias: "KnowledgeUnit"}, want)

	// The server dies (SIGKILL) and its server.json stays behind, naming a
	// dead pid: the next publish starts a new server on the same data.
	p, _ := os.FindProcess(info.PID)
	_ = p.Kill()
	deadline := time.Now().Add(10 * time.Second)
	for syscall.Kill(info.PID, 0) == nil && !isZombie(info.PID) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	writeFile(t, filepath.Join(ws, ".kbops", "published.json"), garbage)
	if p := publishCounts(t, ws); p.Written != 0 || p.Deleted != 0 {
		t.Fatalf("publish after the server died rewrote objects: %+v", p)
	}
	must(t, ws, "weaviate", "start")
	info, ok = embedded.Running(wdir)
	if !ok {
		t.Fatal("embedded server not restarted")
	}
	client, _ = publish.Connect(context.Background(), "http://"+info.Host(), info.GRPCHost(), "")
	checkPublished(t, "after a stale server.json", &publish.Target{Client: client, Alias: "KnowledgeUnit"}, want)
}

func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i >= 0 && i+2 < len(s) && s[i+2] == 'Z'
}

// TestFaultGitRemoteUnreachable: `ingest --push` to a missing path and to
// a closed port. The commit stays on the local review branch, the command
// fails with a message saying what to do, and once the remote is back the
// next `ingest --push` pushes it: the remote then holds the same branch.
func TestFaultGitRemoteUnreachable(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection")
	}
	ws, notes := demoWorkspace(t, "", "")
	faultCorpus(t, notes, 2, 5)
	for _, remote := range []string{filepath.Join(t.TempDir(), "missing", "kb.git"), "http://127.0.0.1:1/kb.git"} {
		setRemote(t, ws, remote)
		start := time.Now()
		out, code := kb(t, ws, "ingest", "--push")
		if code == exitOK || !strings.Contains(out, "again") {
			t.Fatalf("push to %s: exit %d: %s", remote, code, out)
		}
		if d := time.Since(start); d > 60*time.Second {
			t.Fatalf("push to an unreachable remote took %v", d)
		}
		if branchHash(t, ws, "kbops/review") == "" {
			t.Fatalf("the commit was lost when the push failed: %s", out)
		}
	}
	want := branchHash(t, ws, "kbops/review")
	host := filepath.Join(t.TempDir(), "host.git")
	if _, err := git.PlainInit(host, true); err != nil {
		t.Fatal(err)
	}
	setRemote(t, ws, host)
	out := must(t, ws, "ingest", "--push")
	hr, err := kbrepo.Open(host)
	if err != nil {
		t.Fatal(err)
	}
	got, ok, _ := hr.Branch("kbops/review")
	if !ok || got.String() != want {
		t.Fatalf("after the remote came back, it holds kbops/review=%v (ok %v), want %s; output: %s", got, ok, want, out)
	}
}

// TestFaultDiskFull runs ingest on a workspace on a tmpfs with 48 KiB left
// after init, so that a write fails with ENOSPC; after the disk grows the next run converges to
// the clean run. Mounting needs root (CI runs as root); elsewhere it skips.
func TestFaultDiskFull(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection")
	}
	cleanWS, cleanNotes := demoWorkspace(t, "", "")
	faultCorpus(t, cleanNotes, 20, 25)
	must(t, cleanWS, "ingest")
	want := branchUnits(t, cleanWS, "kbops/review")

	dir := t.TempDir()
	ws, notes := filepath.Join(dir, "kb"), filepath.Join(dir, "notes")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", ws).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a tmpfs to fill (needs root): %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", ws).Run() })
	copyDir(t, "../../examples/demo/workspace", ws)
	copyDir(t, "../../examples/demo/notes", notes)
	faultCorpus(t, notes, 20, 25)
	var b bytes.Buffer
	if code := run(context.Background(), []string{"kbops", "init", ws}, &b, &b); code != 0 {
		t.Fatalf("init on the tmpfs: %s", b.String())
	}
	// Leave the run a little room, far less than its commit needs: a fixed
	// size would depend on how compactly the repository stores objects
	// (one pack for a large commit takes a fraction of loose files' pages).
	var st syscall.Statfs_t
	if err := syscall.Statfs(ws, &st); err != nil {
		t.Fatal(err)
	}
	used := (st.Blocks - st.Bfree) * uint64(st.Bsize)
	if out, err := exec.Command("mount", "-o", fmt.Sprintf("remount,size=%dk", used/1024+48), ws).CombinedOutput(); err != nil {
		t.Fatalf("shrink the tmpfs to what init used: %v: %s", err, out)
	}
	out, code := kb(t, ws, "ingest")
	t.Logf("ingest on a full disk: exit %d: %s", code, strings.TrimSpace(out))
	if code == exitOK {
		t.Fatalf("ingest on a full disk succeeded: %s", out)
	}
	if !strings.Contains(out, "no space left on device") {
		t.Fatalf("ingest on a full disk: exit %d, the error does not say the disk is full: %s", code, out)
	}
	if h := branchHash(t, ws, "kbops/review"); h != "" {
		t.Fatalf("a failed ingest moved the review branch to %s", h)
	}
	if out, err := exec.Command("mount", "-o", "remount,size=64m", ws).CombinedOutput(); err != nil {
		t.Fatalf("grow the tmpfs: %v: %s", err, out)
	}
	must(t, ws, "ingest")
	sameUnits(t, "after the disk grew", branchUnits(t, ws, "kbops/review"), want)
	if out := must(t, ws, "ingest"); !strings.Contains(out, "nothing committed") {
		t.Fatalf("third run wrote: %s", out)
	}
	if out, err := exec.Command("git", "-C", ws, "fsck", "--no-progress").CombinedOutput(); err != nil {
		t.Fatalf("git fsck after the disk-full run: %v: %s", err, out)
	}
}
