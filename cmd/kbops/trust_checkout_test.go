package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/reviews/kbrepo"
)

// insideWorkspace makes a demo workspace whose notes source lives in an
// untracked folder inside it, as `kbops init`'s template suggests, with a
// person's own untracked file next to it.
func insideWorkspace(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	ws, notes := demoWorkspace(t, "", "")
	copyDir(t, notes, filepath.Join(ws, "notes"))
	cfg, _ := os.ReadFile(filepath.Join(ws, "kbops.yaml"))
	cfg = bytes.Replace(cfg, []byte("location: ../notes"), []byte("location: notes"), 1)
	if err := os.WriteFile(filepath.Join(ws, "kbops.yaml"), cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	gitCLI(t, ws, "add", "kbops.yaml")
	gitCLI(t, ws, "-c", "user.name=T", "-c", "user.email=t@example.com", "commit", "-q", "-m", "notes inside")
	if err := os.WriteFile(filepath.Join(ws, "mynotes.txt"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, ws, "ingest")
	approveAll(t, ws)
	return ws
}

func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// Nothing is lost: `review merge` with main checked out keeps untracked
// and ignored files (.kbops/ state, a source folder, a person's file) and
// leaves a checkout git sees as clean.
func TestReviewMergeKeepsUntrackedAndIgnoredFiles(t *testing.T) {
	ws := insideWorkspace(t)
	state := filepath.Join(ws, ".kbops", "state", "ingest.json")
	if _, err := os.Stat(state); err != nil {
		t.Fatalf("no ingest state before the merge: %v", err)
	}
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	for _, p := range []string{"mynotes.txt", ".kbops/state/ingest.json", "notes/en"} {
		if _, err := os.Stat(filepath.Join(ws, p)); err != nil {
			t.Errorf("%s is gone after review merge: %v", p, err)
		}
	}
	units, _ := filepath.Glob(filepath.Join(ws, "units", "*", "*"))
	if len(units) == 0 {
		t.Error("the merged units are not in the checkout of main")
	}
	st := gitCLI(t, ws, "status", "--porcelain")
	for _, l := range strings.Split(strings.TrimSpace(st), "\n") {
		if !strings.HasPrefix(l, "?? ") {
			t.Errorf("git status after merge shows a tracked change: %q", l)
		}
	}
}

// A dirty tracked file in the way refuses the merge and changes nothing.
func TestReviewMergeRefusesALocalEditInTheWay(t *testing.T) {
	ws := insideWorkspace(t)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	// A second round that changes a unit already on main, edited by hand.
	r, _ := kbrepo.Open(ws)
	mainBefore, _, _ := r.Branch("main")
	note := filepath.Join(ws, "notes", "en")
	files, _ := filepath.Glob(filepath.Join(note, "*.md"))
	if len(files) == 0 {
		t.Fatal("no English note in the demo")
	}
	b, _ := os.ReadFile(files[0])
	if err := os.WriteFile(files[0], append(b, []byte("\nOne more sentence from the expert.\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, ws, "ingest")
	approveAll(t, ws)
	changed := strings.Fields(gitCLI(t, ws, "diff", "--name-only", "main", "kbops/review", "--", "units"))
	if len(changed) == 0 {
		t.Fatal("the edit changed no unit")
	}
	local := filepath.Join(ws, changed[0])
	if err := os.WriteFile(local, []byte("edited by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out, code := kb(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	if code == 0 || !strings.Contains(out, changed[0]) {
		t.Fatalf("merge over a local edit: exit %d\n%s", code, out)
	}
	if after, _, _ := r.Branch("main"); after != mainBefore {
		t.Error("main moved although the merge was refused")
	}
	if got, _ := os.ReadFile(local); string(got) != "edited by hand\n" {
		t.Errorf("local edit lost: %q", got)
	}
}

// With the review branch checked out, merge leaves HEAD on main, not on
// the deleted review branch.
func TestReviewMergeFromACheckoutOfTheReviewBranch(t *testing.T) {
	ws := insideWorkspace(t)
	gitCLI(t, ws, "checkout", "-q", "kbops/review")
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	if head := strings.TrimSpace(gitCLI(t, ws, "symbolic-ref", "--short", "HEAD")); head != "main" {
		t.Errorf("HEAD after merge: %s", head)
	}
	gitCLI(t, ws, "rev-parse", "--verify", "HEAD") // HEAD resolves
	for _, p := range []string{"mynotes.txt", ".kbops/state/ingest.json"} {
		if _, err := os.Stat(filepath.Join(ws, p)); err != nil {
			t.Errorf("%s is gone: %v", p, err)
		}
	}
}

// A note named like a Windows device (aux.md, a heading "CON") gets a
// unit path every reviewer's checkout can hold, and the merge completes.
func TestDeviceNamedNoteMergesWithPortablePaths(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	ws, notes := demoWorkspace(t, "", "")
	note := "---\ntitle: Aux input\nproduct: vf-200\nlanguage: en\n---\n\n# CON\n\nThe AUX terminal accepts 0-10 V.\n"
	if err := os.WriteFile(filepath.Join(notes, "en", "aux.md"), []byte(note), 0o644); err != nil {
		t.Fatal(err)
	}
	must(t, ws, "ingest")
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	files := gitCLI(t, ws, "ls-files", "units")
	if !strings.Contains(files, "/aux_/con_.md") {
		t.Errorf("no portable path for the aux note:\n%s", files)
	}
	for _, p := range strings.Fields(files) {
		for _, seg := range strings.Split(strings.TrimSuffix(p, ".md"), "/") {
			if seg == "aux" || seg == "con" {
				t.Errorf("%s: segment %q cannot be checked out on Windows", p, seg)
			}
		}
	}
}
