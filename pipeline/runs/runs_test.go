package runs_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/workspace"
)

func newWorkspace(t *testing.T) *workspace.Workspace {
	t.Helper()
	dir := t.TempDir()
	if _, err := workspace.Init(dir, time.Now()); err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func TestRecordListShow(t *testing.T) {
	ws := newWorkspace(t)
	start := time.Date(2026, 1, 31, 2, 0, 0, 0, time.UTC)
	rep := ingest.Report{Branch: "kbops/review", Commit: "0123456789abcdef0123",
		Sources: []ingest.SourceReport{{Name: "manuals", Documents: 3, Unchanged: 1, Extracted: 2, Added: 4, Changed: 1, Retired: 1,
			Errors: []string{"manuals: broken.pdf (page 3): not a PDF"}}},
		Findings: []string{"units/x.md: forbidden term"}}
	r, err := runs.Record(ws, "ingest", start, rep, nil, runs.Options{Trigger: runs.Scheduled, Job: "ingest:manuals", End: start.Add(90 * time.Second)})
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != runs.Attention || r.Sources[0].Fetched != 2 || r.Sources[0].New != 4 || r.Seconds != 90 {
		t.Fatalf("report %+v", r)
	}
	if _, err := os.Stat(filepath.Join(ws.Root, ".kbops", "runs", r.ID+".json")); err != nil {
		t.Fatal(err)
	}
	if _, err := runs.Record(ws, "publish", start.Add(time.Hour), nil, errors.New("weaviate unreachable")); err != nil {
		t.Fatal(err)
	}
	all, problems := runs.List(ws)
	if len(problems) > 0 || len(all) != 2 || all[0].Kind != "publish" || all[0].Outcome != runs.Failed {
		t.Fatalf("list %+v %v", all, problems)
	}
	got, err := runs.Get(ws, r.ID[:20])
	if err != nil || got.ID != r.ID {
		t.Fatalf("get by prefix: %v %v", got.ID, err)
	}
	var b bytes.Buffer
	runs.WriteText(&b, got)
	for _, want := range []string{"manuals: 2 documents fetched, 1 unchanged", "units 4 new, 1 changed, 1 retired", "broken.pdf (page 3)", "committed 0123456789ab", "attention"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("show lacks %q:\n%s", want, b.String())
		}
	}
	if at, ok := runs.LastSuccess(ws, "ingest:manuals"); !ok || !at.Equal(start.Add(90*time.Second)) {
		t.Fatalf("last success %v %v", at, ok)
	}
	if _, ok := runs.LastSuccess(ws, "publish"); ok {
		t.Fatal("a failed run counted as success")
	}
	if _, err := runs.Get(ws, "nope"); !errors.Is(err, runs.ErrNotFound) {
		t.Fatal(err)
	}
	if n, _ := runs.Prune(ws, 1); n != 1 {
		t.Fatal("prune")
	}
}
