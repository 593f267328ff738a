package main

// Fault injection: helpers shared by the faults_*_test.go files. Every
// scenario breaks a real kbops process (or its surroundings), runs kbops
// again, and compares what the knowledge repository and Weaviate hold with
// a clean run. Results and the list of scenarios: docs/reliability.md.

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// faultSeeds is how many seeded kill points each kill scenario tries
// (KBOPS_FAULT_SEEDS overrides; the default keeps the suite within about a
// minute per scenario on two cores).
func faultSeeds() int {
	if n, err := strconv.Atoi(os.Getenv("KBOPS_FAULT_SEEDS")); err == nil && n > 0 {
		return n
	}
	return 20
}

// faultCorpus writes docs Markdown notes of sections sections each.
func faultCorpus(t *testing.T, notes string, docs, sections int) {
	t.Helper()
	for d := 0; d < docs; d++ {
		var b strings.Builder
		fmt.Fprintf(&b, "---\ntitle: Drive manual %d\nlanguage: en\n---\n", d)
		for s := 0; s < sections; s++ {
			fmt.Fprintf(&b, "# Parameter D%dP%d\n\nParameter D%dP%d sets the ramp time of drive channel %d in tenths of a second; the default is %d.\n\n", d, s, d, s, s, d*s)
		}
		p := filepath.Join(notes, "en", fmt.Sprintf("drive-%03d.md", d))
		if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// startKbops starts this test binary as a kbops process.
func startKbops(t *testing.T, ws string, args ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, append([]string{"-w", ws}, args...)...)
	cmd.Env = append(os.Environ(), "KBOPS_AS_MAIN=1", "KBOPS_NO_PROGRESS=1")
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out
}

// killAfter SIGKILLs cmd after d unless it finished before; it reports
// whether the kill landed while the process ran, and waits for it.
func killAfter(cmd *exec.Cmd, d time.Duration) (killed bool) {
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
		return false
	case <-time.After(d):
		_ = cmd.Process.Signal(syscall.SIGKILL)
		<-done
		return true
	}
}

// seededDelay picks the kill point of seed in [0, span).
func seededDelay(seed int, span time.Duration) time.Duration {
	r := rand.New(rand.NewPCG(uint64(seed), 0x6b626f7073))
	return time.Duration(r.Int64N(int64(span)))
}

// branchUnits returns unit id → "version content_hash status" on a branch.
func branchUnits(t *testing.T, ws, branch string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, u := range unitsOn(t, ws, branch) {
		out[id] = fmt.Sprintf("v%d %s %s", u.Version, u.ContentHash, u.Status)
	}
	return out
}

// unitsOn parses every unit file on a branch (none when it does not exist).
func unitsOn(t *testing.T, ws, branch string) map[string]knowledge.Unit {
	t.Helper()
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	h, ok, err := r.Branch(branch)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]knowledge.Unit{}
	if !ok {
		return out
	}
	tree, err := r.Tree(h)
	if err != nil {
		t.Fatal(err)
	}
	for p, e := range tree {
		id, ok := knowledge.IDFromPath(p)
		if !ok {
			continue
		}
		b, err := r.Read(e.Hash)
		if err != nil {
			t.Fatal(err)
		}
		u, err := knowledge.Parse(id, b)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		out[id] = u
	}
	return out
}

// sameUnits fails the test when got and want differ, naming the first
// differences.
func sameUnits(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	var diff []string
	for id, w := range want {
		if g, ok := got[id]; !ok {
			diff = append(diff, "missing "+id)
		} else if g != w {
			diff = append(diff, fmt.Sprintf("%s: %s, want %s", id, g, w))
		}
	}
	for id := range got {
		if _, ok := want[id]; !ok {
			diff = append(diff, "extra "+id)
		}
	}
	if len(diff) > 0 {
		sort.Strings(diff)
		t.Fatalf("%s: %d units differ from the clean run, e.g. %s", what, len(diff), strings.Join(diff[:min(5, len(diff))], "; "))
	}
}

// commitsBetween counts the commits on head that are not on base.
func commitsBetween(t *testing.T, ws, base, head string) int {
	t.Helper()
	if branchHash(t, ws, head) == "" {
		return 0
	}
	out, err := exec.Command("git", "-C", ws, "rev-list", "--count", base+".."+head).CombinedOutput()
	if err != nil {
		t.Fatalf("git rev-list: %v: %s", err, out)
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(out)))
	return n
}

// weaviateObjects returns the unit ids Weaviate holds behind the workspace's
// alias (and how many objects, duplicates included).
func weaviateObjects(t *testing.T, tg *publish.Target) (ids map[string]bool, n int) {
	t.Helper()
	ctx := context.Background()
	live, err := tg.Resolve(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ids = map[string]bool{}
	if live == "" {
		return ids, 0
	}
	objs, err := tg.ListExisting(ctx, live, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		ids[o.UnitID] = true
	}
	return ids, len(objs)
}
