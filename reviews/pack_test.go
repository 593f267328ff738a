package reviews

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/reviews/kbrepo"
)

// TestPackedCommitsKeepResults runs the same review cycle on a generated
// base twice, once with every object written loose (the plain path) and
// once with large commits written as packs, and compares what a user sees:
// the commits (so every blob and tree), the approval records, verify and
// merge. It also checks that the packed repository holds packs and almost
// no loose objects, that the packs' deltas make it smaller and git fsck
// accepts it, and that another open Repo still finds the objects of a
// pack written after it was opened.
func TestPackedCommitsKeepResults(t *testing.T) {
	ctx := context.Background()
	n := 2 * kbrepo.PackThreshold
	plain := newScaleBase(t, n, -1)
	packed := newScaleBase(t, n, 0)
	// Opened before any approval pack exists.
	other, err := kbrepo.Open(packed.r.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := other.Branch("kbops/review"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Tree(packed.ingested); err != nil {
		t.Fatal(err)
	}
	for i := range Stages {
		plain.approve(t, i)
		packed.approve(t, i)
	}
	ph, _, _ := plain.r.Branch("kbops/review")
	kh, _, _ := packed.r.Branch("kbops/review")
	if ph != kh {
		t.Fatalf("review branch: packed %s, plain %s: the commits differ", kh, ph)
	}
	ps, err := Load(ctx, plain.r, ph)
	if err != nil {
		t.Fatal(err)
	}
	ks, err := Load(ctx, other, kh) // through the Repo opened before the packs
	if err != nil {
		t.Fatalf("a Repo opened before the packs were written: %v", err)
	}
	if len(ks.Records) != n || !reflect.DeepEqual(ps.Records, ks.Records) {
		t.Fatalf("approval records differ: packed %d units, plain %d", len(ks.Records), len(ps.Records))
	}
	for _, sb := range []*scaleBase{plain, packed} {
		head, err := Load(ctx, sb.r, kh)
		if err != nil {
			t.Fatal(err)
		}
		base, err := Load(ctx, sb.r, sb.main)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := VerifyContext(ctx, head, base)
		if err != nil || !rep.OK() || rep.Checked != n {
			t.Fatalf("verify: %v, checked %d, failures %v", err, rep.Checked, rep.Failures)
		}
		res, err := Merge(ctx, sb.r, "main", "kbops/review", "ana@example.com", sb.t0.Add(4*time.Hour), nil)
		if err != nil || res.Commit != kh || res.Units != n {
			t.Fatalf("merge: %v, %+v", err, res)
		}
	}
	loose, packs := objectFiles(t, packed.r.Dir)
	if packs < 4 || loose > 10 {
		t.Errorf("packed repository: %d packs, %d loose objects; want a pack per large commit (ingest, 3 approvals) and few loose objects", packs, loose)
	}
	if loose, packs := objectFiles(t, plain.r.Dir); packs != 0 || loose < 4*n {
		t.Errorf("plain repository: %d packs, %d loose objects; want every object loose", packs, loose)
	}
	// The packs hold deltas (each loose object is compressed alone, as a
	// pack without deltas would hold it), and git itself reads them.
	if pb, lb := objectBytes(t, packed.r.Dir), objectBytes(t, plain.r.Dir); pb > lb*3/4 {
		t.Errorf("packed repository: %d bytes of objects, plain %d; want the packs at most 3/4 of the loose objects (deltas)", pb, lb)
	}
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("git not installed; CI checks the packs with git fsck")
		}
		t.Log("git not installed: packs not checked with git fsck")
		return
	}
	if out, err := exec.Command("git", "-C", packed.r.Dir, "fsck", "--full", "--strict", "--no-progress").CombinedOutput(); err != nil {
		t.Fatalf("git fsck of the packed repository: %v\n%s", err, out)
	}
}

// objectBytes is the size of the repository's object files, loose and
// packed (pack indexes left out).
func objectBytes(t *testing.T, dir string) int64 {
	t.Helper()
	var n int64
	err := filepath.WalkDir(filepath.Join(dir, ".git", "objects"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(path, ".idx") {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			n += fi.Size()
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func objectFiles(t *testing.T, dir string) (loose, packs int) {
	t.Helper()
	objs := filepath.Join(dir, ".git", "objects")
	ls, _ := filepath.Glob(filepath.Join(objs, "??", "*"))
	ps, _ := filepath.Glob(filepath.Join(objs, "pack", "*.pack"))
	if _, err := os.Stat(objs); err != nil {
		t.Fatal(err)
	}
	return len(ls), len(ps)
}
