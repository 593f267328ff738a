package pdf

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/pdf/pdftest"
)

// A page whose reading takes minutes (one form drawn two thousand times,
// each draw inflating 16 MiB) stops soon after its context ends: the
// checks inside the page's content stream and the stream decoder are what
// lets a time budget or a signal end it.
func TestSlowPageStopsWhenContextEnds(t *testing.T) {
	data := pdftest.Slow(2000)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		done <- Extractor{}.Extract(ctx, sources.Document{Name: "slow.pdf", Body: bytes.NewReader(data)},
			func(sources.Section) error { return nil }, func(error) {})
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want the context's deadline", err)
		}
		// Without the checks it ran for about ten minutes; the bound is
		// generous so that a loaded machine does not fail it.
		if d := time.Since(start); d > 30*time.Second {
			t.Fatalf("returned %v after the start, %v after the deadline", d, d-300*time.Millisecond)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Extract went on 15 s after its context ended")
	}
}

// Forms that draw forms ten times each, eight levels deep, are bounded by
// a number of draws per page, not read 10^8 times; the page's own text is
// kept.
func TestFormBombEnds(t *testing.T) {
	done := make(chan error, 1)
	var doc *Document
	go func() {
		var err error
		doc, err = Parse(context.Background(), "bomb.pdf", pdftest.FormBomb(), func(error) {})
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
		if lines := doc.PageTexts()[0].Lines; len(lines) == 0 || !strings.Contains(lines[0], "Form bomb") {
			t.Fatalf("page text = %q", lines)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("Parse did not return: every nested form draw is followed")
	}
}
