package html

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	xhtml "golang.org/x/net/html"
)

// slowPage is a long page inside blocks nested depth deep: choosing the
// main content scores each of the nesting blocks by all the text below it,
// which takes seconds for 60,000 paragraphs (3 MB) while parsing them
// takes half a second.
func slowPage(paragraphs, depth int) []byte {
	var b strings.Builder
	b.WriteString("<html><body><h1>Nested</h1>")
	b.WriteString(strings.Repeat("<div>", depth))
	for i := 0; i < paragraphs; i++ {
		b.WriteString("<div><p>Parameter text of a block nested deep.</p></div>")
	}
	b.WriteString(strings.Repeat("</div>", depth))
	b.WriteString("</body></html>")
	return []byte(b.String())
}

// Parse stops soon after its context ends, also while it looks for the
// main content, where no section has been written yet.
func TestSlowPageStopsWhenContextEnds(t *testing.T) {
	page := slowPage(60000, 240)
	// Tokenising the page takes no context and costs what it costs on this
	// machine, loaded or not; the bound is relative to it. Without the
	// context checks, choosing the main content took 15 times as long.
	t0 := time.Now()
	if _, err := xhtml.Parse(bytes.NewReader(page)); err != nil {
		t.Fatal(err)
	}
	parse := time.Since(t0)
	limit := 3*parse + 2*time.Second
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Parse(ctx, page, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v after %v, want the context's deadline", err, time.Since(start))
	}
	if d := time.Since(start); d > limit {
		t.Fatalf("Parse returned %v after the start, over %v (three times the %v tokenising takes, plus 2 s)", d, limit, parse)
	}
	t.Logf("returned %v after the start (page of %d bytes)", time.Since(start).Round(time.Millisecond), len(page))
}
