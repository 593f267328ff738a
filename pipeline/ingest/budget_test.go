package ingest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/pdf/pdftest"
)

// setBudget adds ingest.document_timeout to the workspace's config.
func setBudget(t *testing.T, w *workspace.Workspace, budget string) *workspace.Workspace {
	t.Helper()
	p := filepath.Join(w.Root, "kbops.yaml")
	if err := os.WriteFile(p, []byte(cfg+"ingest:\n  document_timeout: "+budget+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w2, err := workspace.Open(w.Root)
	if err != nil {
		t.Fatal(err)
	}
	return w2
}

// A document over its time budget fails alone, with a message naming it,
// the budget and the setting; the other documents are ingested, and the
// units the slow document had before stay active.
func TestDocumentOverBudgetFailsAlone(t *testing.T) {
	ctx := context.Background()
	w, dir := setup(t)
	w = setBudget(t, w, "1s")
	write(t, dir, "drive.pdf", string(pdftest.Slow(0)))
	if _, err := ingest.Run(ctx, w, ingest.Options{}); err != nil {
		t.Fatal(err)
	}
	before := units(t, w)
	if len(before) == 0 {
		t.Fatal("the first run made no units")
	}
	// The manual is replaced by one that takes minutes to read.
	write(t, dir, "drive.pdf", string(pdftest.Slow(2000)))
	write(t, dir, "good.md", manual)
	start := time.Now()
	rep, err := ingest.Run(ctx, w, ingest.Options{})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if took > 30*time.Second {
		t.Errorf("the run took %v with a budget of 1s per document", took)
	}
	errs := strings.Join(rep.Sources[0].Errors, "\n")
	if len(rep.Sources[0].Errors) != 1 || !strings.Contains(errs, "drive.pdf") || !strings.Contains(errs, "took longer than 1s") || !strings.Contains(errs, "ingest.document_timeout") {
		t.Fatalf("errors = %q, want one naming drive.pdf, the budget and ingest.document_timeout", errs)
	}
	us := units(t, w)
	for id := range before {
		if u := us[id]; u == nil || u.Status != knowledge.StatusActive || u.Version != before[id].Version {
			t.Errorf("unit %s of the slow document was not kept as it was: %+v", id, u)
		}
	}
	if us["manuals/good/vf-200-manual.grounding"] == nil {
		t.Errorf("the other document was not ingested: %v", keysOf(us))
	}
	// The slow document was not marked as read: the next run tries again.
	rep, _ = ingest.Run(ctx, w, ingest.Options{})
	if len(rep.Sources[0].Errors) != 1 {
		t.Errorf("second run: errors %q, want the slow document tried again", rep.Sources[0].Errors)
	}
}

func keysOf(m map[string]*knowledge.Unit) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// stuckExtractor never checks its context for stuck.md, as an extractor
// inside a library call that takes none would; other files go to the
// Markdown extractor.
type stuckExtractor struct {
	release <-chan struct{}
	next    sources.Extractor
}

func (s stuckExtractor) Extract(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) error {
	if doc.Item.Key == "stuck.md" {
		<-s.release
		return errors.New("released")
	}
	return s.next.Extract(ctx, doc, emit, warn)
}

func stuckRegistry(t *testing.T) *sources.Registry {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	reg := &sources.Registry{}
	folder, _ := sources.Default.Scheme("folder")
	reg.RegisterScheme(folder)
	md, _ := sources.Default.Format("markdown")
	md.Extractor = stuckExtractor{release, md.Extractor}
	reg.RegisterFormat(md)
	return reg
}

// An extractor that does not return when its context ends does not hold
// the run: the run stops waiting for it at the budget, and at once when
// the run itself is cancelled, committing nothing then.
func TestExtractorIgnoringContextDoesNotHoldTheRun(t *testing.T) {
	w, dir := setup(t)
	w = setBudget(t, w, "500ms")
	write(t, dir, "stuck.md", "# Stuck\n\ntext\n")
	write(t, dir, "good.md", manual)
	start := time.Now()
	rep, err := ingest.Run(context.Background(), w, ingest.Options{Registry: stuckRegistry(t)})
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("the run took %v with a budget of 500ms", d)
	}
	if errs := rep.Sources[0].Errors; len(errs) != 1 || !strings.Contains(errs[0], "stuck.md") || !strings.Contains(errs[0], "took longer than 500ms") {
		t.Fatalf("errors = %q", errs)
	}
	if rep.Sources[0].Added == 0 {
		t.Error("the other document was not ingested")
	}

	// Cancelled while the extractor is stuck: the run ends within the
	// moment, says so, and the review branch stays where it was.
	write(t, dir, "good.md", strings.Replace(manual, "yearly", "monthly", 1))
	tip, _, _ := w.Repo.Branch("kbops/review")
	w = setBudget(t, w, "1h")
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start = time.Now()
	_, err = ingest.Run(ctx, w, ingest.Options{Registry: stuckRegistry(t)})
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("the cancelled run took %v", d)
	}
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "cancelled before committing") {
		t.Fatalf("err = %v, want a cancellation before the commit", err)
	}
	if now, _, _ := w.Repo.Branch("kbops/review"); now != tip {
		t.Errorf("the review branch moved from %s to %s", tip, now)
	}
}
