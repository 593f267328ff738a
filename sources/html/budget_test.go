package html

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
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
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := Parse(ctx, page, "")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v after %v, want the context's deadline", err, time.Since(start))
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("Parse returned %v after the deadline", d-300*time.Millisecond)
	}
	t.Logf("returned %v after the start (page of %d bytes)", time.Since(start).Round(time.Millisecond), len(page))
}
