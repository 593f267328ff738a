package reviews

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

func TestParseCacheGivesTheSameSnapshot(t *testing.T) {
	ctx := context.Background()
	r, _ := repoWith(t, unit("Conecte PE."))
	decide(t, r, "ana@example.com", Technical, Approved, time.Now())
	h, _, _ := r.Branch("kbops/review")
	path := filepath.Join(t.TempDir(), "parsed.gob")
	plain, err := Load(ctx, r, h)
	if err != nil {
		t.Fatal(err)
	}
	c := OpenParseCache(path)
	first, err := LoadCached(ctx, r, h, c)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Save(); err != nil {
		t.Fatal(err)
	}
	c2 := OpenParseCache(path)
	if len(c2.Units) != 1 || len(c2.Approvs) != 1 {
		t.Fatalf("cache holds %d units, %d approval files", len(c2.Units), len(c2.Approvs))
	}
	second, err := LoadCached(ctx, r, h, c2)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*Snapshot{first, second} {
		if !reflect.DeepEqual(s.Units, plain.Units) || !reflect.DeepEqual(s.Records, plain.Records) {
			t.Error("cached load differs from a plain load")
		}
	}
	// A damaged cache file costs time, never correctness.
	os.WriteFile(path, []byte("garbage"), 0o644)
	third, err := LoadCached(ctx, r, h, OpenParseCache(path))
	if err != nil || !reflect.DeepEqual(third.Units, plain.Units) {
		t.Errorf("load with a damaged cache: %v", err)
	}
}
