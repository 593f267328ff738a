package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/publish"
)

// TestMain lets a test run this binary as the kbops command (KBOPS_AS_MAIN=1),
// signal handling included, so crash tests can kill or stop a real kbops
// process.
func TestMain(m *testing.M) {
	if os.Getenv("KBOPS_AS_MAIN") == "1" {
		os.Exit(runMain())
	}
	os.Exit(m.Run())
}

func TestPublishKilledHalfwayConverges(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test")
	}
	srv := weaviatetest.Start(t)
	ws, notes := demoWorkspace(t, "http://"+srv.Host(), srv.GRPCHost())
	// 2,000 sections give 2,000 units: ten batches, time enough to kill.
	var b strings.Builder
	b.WriteString("---\ntitle: Parameter list\nlanguage: en\n---\n")
	for i := 0; i < 2000; i++ {
		fmt.Fprintf(&b, "# Parameter P%d\n\nP%d sets the ramp time of drive channel %d in tenths of a second.\n\n", i, i, i)
	}
	if err := os.WriteFile(filepath.Join(notes, "en", "parameters.md"), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, ws, "ingest")
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	want := 2011

	client, err := publish.Connect(context.Background(), "http://"+srv.Host(), srv.GRPCHost(), "")
	if err != nil {
		t.Fatal(err)
	}
	tg := &publish.Target{Client: client, Alias: "KnowledgeUnit"}
	count := func() int {
		live, err := tg.Resolve(context.Background())
		if err != nil || live == "" {
			return 0
		}
		objs, err := tg.ListExisting(context.Background(), live, false)
		if err != nil {
			return -1
		}
		return len(objs)
	}

	for round := 0; round < 2; round++ {
		self, _ := os.Executable()
		cmd := exec.Command(self, "-w", ws, "publish")
		cmd.Env = append(os.Environ(), "KBOPS_AS_MAIN=1")
		var outb strings.Builder
		cmd.Stdout, cmd.Stderr = &outb, &outb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		killedAt := -1
		for time.Now().Before(deadline) {
			if n := count(); n > 0 && n < want {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				killedAt = n
				break
			} else if n >= want {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		_ = cmd.Wait()
		t.Logf("round %d: killed with %d of %d objects written (count now %d); output: %s", round, killedAt, want, count(), outb.String())
		if round == 0 && killedAt < 0 {
			t.Log("publish finished before it could be killed; the convergence check still runs")
		}
	}
	out := must(t, ws, "publish")
	if !strings.Contains(out, "verified") {
		t.Fatalf("rerun: %s", out)
	}
	if n := count(); n != want {
		t.Fatalf("after rerun Weaviate holds %d objects, want exactly %d", n, want)
	}
	if p := publishCounts(t, ws); p.Written != 0 || p.Deleted != 0 {
		t.Fatalf("publish after convergence wrote: %+v", p)
	}
}
