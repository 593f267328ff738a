package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/sources/pdf/pdftest"
)

// manualsWorkspace is the demo workspace with a manuals source first,
// reading ../manuals, which holds drive.pdf; extra is added to kbops.yaml.
func manualsWorkspace(t *testing.T, drive []byte, extra string) (ws string) {
	t.Helper()
	ws, _ = demoWorkspace(t, "", "")
	manuals := filepath.Join(filepath.Dir(ws), "manuals")
	if err := os.MkdirAll(manuals, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(manuals, "drive.pdf"), drive, 0o644); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(ws, "kbops.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	src := "sources:\n  - {name: manuals, kind: manuals, location: ../manuals, owner: ana.ruiz@example.com, product: vf-200}\n"
	cfg := strings.Replace(string(b), "sources:\n", src, 1) + extra
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return ws
}

// waitExit waits up to d for cmd; it kills cmd and fails the test when
// cmd is still running then.
func waitExit(t *testing.T, cmd *exec.Cmd, d time.Duration, what string, out *strings.Builder) (code int, took time.Duration) {
	t.Helper()
	start := time.Now()
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("%s: still running %v later; killed. Output:\n%s", what, d, out)
	}
	return cmd.ProcessState.ExitCode(), time.Since(start)
}

// TestFaultSIGTERMEndsIngest sends SIGTERM to `kbops ingest` while it reads
// a manual that takes minutes (pdftest.Slow): the process ends within a
// few seconds saying it was cancelled, the repository lock is free, the
// review branch is as before, and the next run, with the manual fixed,
// yields exactly the units of a clean run.
func TestFaultSIGTERMEndsIngest(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection")
	}
	clean := manualsWorkspace(t, pdftest.Slow(0), "")
	must(t, clean, "ingest")
	want := branchUnits(t, clean, "kbops/review")

	ws := manualsWorkspace(t, pdftest.Slow(2000), "")
	cmd, out := startKbops(t, ws, "ingest")
	// Busy: the lock is taken and the manual is being read (it alone takes
	// minutes, and it is the first document).
	lockFile := filepath.Join(lock.Dir(ws), lock.Repo+".lock")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if b, _ := os.ReadFile(lockFile); strings.Contains(string(b), itoa(cmd.Process.Pid)) {
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("kbops ingest did not take the lock within 10 s: %s", out)
		}
	}
	time.Sleep(time.Second)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	code, took := waitExit(t, cmd, 15*time.Second, "after SIGTERM", out)
	t.Logf("exited %v after SIGTERM with code %d: %s", took.Round(time.Millisecond), code, strings.TrimSpace(out.String()))
	if code == 0 || !strings.Contains(out.String(), "cancelled") {
		t.Fatalf("exit code %d, output %q: want a failure saying the run was cancelled", code, out)
	}
	l, err := lock.Acquire(context.Background(), lock.Dir(ws), lock.Repo, false, "test")
	if err != nil {
		t.Fatalf("the repository lock is still held: %v", err)
	}
	_ = l.Release()
	if h := branchHash(t, ws, "kbops/review"); h != "" {
		t.Fatalf("the cancelled run moved the review branch to %s", h)
	}

	// The manual is fixed; the next run completes like a clean one.
	if err := os.WriteFile(filepath.Join(filepath.Dir(ws), "manuals", "drive.pdf"), pdftest.Slow(0), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, ws, "ingest")
	sameUnits(t, "after the cancelled run", branchUnits(t, ws, "kbops/review"), want)
}

// TestDocumentOverBudgetFailsAlone runs `kbops ingest` with a budget of 1s
// per document on a manual that takes minutes and the demo's notes: the
// notes are ingested, the report names the manual and the budget, and the
// exit code asks for attention (3), as for any unreadable document.
func TestDocumentOverBudgetFailsAlone(t *testing.T) {
	if testing.Short() {
		t.Skip("fault injection")
	}
	ws := manualsWorkspace(t, pdftest.Slow(2000), "ingest:\n  document_timeout: 1s\n")
	cmd, out := startKbops(t, ws, "ingest")
	code, took := waitExit(t, cmd, 20*time.Second, "kbops ingest with a budget of 1s", out)
	t.Logf("exited %v with code %d: %s", took.Round(time.Millisecond), code, strings.TrimSpace(out.String()))
	if code != exitAttention {
		t.Fatalf("exit code %d, want %d", code, exitAttention)
	}
	if !strings.Contains(out.String(), "drive.pdf") || !strings.Contains(out.String(), "took longer than 1s; raise ingest.document_timeout") {
		t.Fatalf("the report does not name the slow manual and its budget:\n%s", out)
	}
	units := branchUnits(t, ws, "kbops/review")
	notes := 0
	for id := range units {
		if strings.HasPrefix(id, "expert-notes/") {
			notes++
		}
		if strings.HasPrefix(id, "manuals/") {
			t.Errorf("unit %s from the manual over its budget", id)
		}
	}
	if notes != 11 {
		t.Fatalf("%d units from the notes, want the demo's 11", notes)
	}
}
