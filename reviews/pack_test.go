package reviews

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/kbops/kbops/reviews/kbrepo"
)

// TestPackedCommitsKeepResults runs the same review cycle on a generated
// base twice, once with every object written loose (the plain path) and
// once with large commits written as packs, and compares what a user sees:
// the commits (so every blob and tree), the approval records, verify and
// merge. It also checks that the packed repository holds packs and almost
// no loose objects, and that another open Repo still finds the objects of
// a pack written after it was opened.
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
