// Package sourcetest holds the conformance suites of the source plugins.
// Every sources.Location passes Run: a location's own test supplies a
// Fixture that can put, remove and break documents at the place the
// location reads. Every sources.Extractor passes RunExtractor: an
// extractor's own test supplies ExtractorCases, documents of its format.
package sourcetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge/markup"
	"github.com/kbops/kbops/sources"
)

// Fixture changes the documents a location under test sees. Put and Remove
// must make their change visible to the location (commit and push for git,
// serve for HTTP).
type Fixture interface {
	// Put creates or replaces the document with this key.
	Put(t *testing.T, key string, data []byte)
	// Remove deletes the document with this key.
	Remove(t *testing.T, key string)
	// Break makes one document fail to open or list while the others stay
	// readable; it returns false when the location has no such failure mode.
	Break(t *testing.T, key string) bool
	// Location returns the location under test, reading the fixture's
	// place. The suite calls it once per subtest.
	Location(t *testing.T) sources.Location
}

// Run runs the conformance suite. newFixture returns a fresh, empty fixture
// for each subtest.
func Run(t *testing.T, newFixture func(t *testing.T) Fixture) {
	ctx := context.Background()

	t.Run("ListAndOpen", func(t *testing.T) {
		fx := newFixture(t)
		docs := map[string]string{
			"a.md":          "# A\n\nalpha\n",
			"sub/b.md":      "# B\n\nbeta\n",
			"sub/deep/c.md": "# C\n\ngamma 中文\n",
		}
		for k, v := range docs {
			fx.Put(t, k, []byte(v))
		}
		loc := fx.Location(t)
		items := list(t, ctx, loc)
		if len(items) != len(docs) {
			t.Fatalf("listed %d items, want %d: %v", len(items), len(docs), keys(items))
		}
		if !sort.SliceIsSorted(items, func(i, j int) bool { return items[i].Key < items[j].Key }) {
			t.Errorf("items not sorted by key: %v", keys(items))
		}
		for _, it := range items {
			want, ok := docs[it.Key]
			if !ok {
				t.Errorf("unexpected key %q (keys are slash paths relative to the location)", it.Key)
				continue
			}
			if it.Version == "" || it.URI == "" {
				t.Errorf("%s: empty Version or URI: %+v", it.Key, it)
			}
			if got := read(t, ctx, loc, it); got != want {
				t.Errorf("%s: content %q, want %q", it.Key, got, want)
			}
		}
	})

	t.Run("ChangeDetection", func(t *testing.T) {
		fx := newFixture(t)
		fx.Put(t, "a.md", []byte("one"))
		fx.Put(t, "b.md", []byte("two"))
		loc := fx.Location(t)
		before := byKey(list(t, ctx, loc))
		again := byKey(list(t, ctx, loc))
		for k, it := range before {
			if again[k].Version != it.Version {
				t.Errorf("%s: version changed with no change: %q -> %q", k, it.Version, again[k].Version)
			}
		}
		fx.Put(t, "a.md", []byte("one, edited"))
		after := byKey(list(t, ctx, loc))
		if after["a.md"].Version == before["a.md"].Version {
			t.Error("a.md: version unchanged after its content changed")
		}
		if after["b.md"].Version != before["b.md"].Version {
			t.Error("b.md: version changed although only a.md changed")
		}
		if got := read(t, ctx, loc, after["a.md"]); got != "one, edited" {
			t.Errorf("a.md after change reads %q", got)
		}
	})

	t.Run("DeletionDetection", func(t *testing.T) {
		fx := newFixture(t)
		fx.Put(t, "keep.md", []byte("keep"))
		fx.Put(t, "gone.md", []byte("gone"))
		loc := fx.Location(t)
		if n := len(list(t, ctx, loc)); n != 2 {
			t.Fatalf("listed %d, want 2", n)
		}
		fx.Remove(t, "gone.md")
		items := byKey(list(t, ctx, loc))
		if _, ok := items["gone.md"]; ok {
			t.Error("removed document still listed")
		}
		if _, ok := items["keep.md"]; !ok {
			t.Error("kept document no longer listed")
		}
	})

	t.Run("PerItemErrors", func(t *testing.T) {
		fx := newFixture(t)
		fx.Put(t, "good.md", []byte("good"))
		fx.Put(t, "bad.md", []byte("bad"))
		if !fx.Break(t, "bad.md") {
			t.Skip("this location has no per-item failure mode")
		}
		loc := fx.Location(t)
		items, errs, err := loc.List(ctx)
		if err != nil {
			t.Fatalf("one broken document failed the whole listing: %v", err)
		}
		var failed []error
		failed = append(failed, errs...)
		sawGood := false
		for _, it := range items {
			r, err := loc.Open(ctx, it)
			if err != nil {
				failed = append(failed, err)
				continue
			}
			b, err := io.ReadAll(r)
			r.Close()
			if err != nil {
				failed = append(failed, err)
				continue
			}
			if it.Key == "good.md" && string(b) == "good" {
				sawGood = true
			}
		}
		if !sawGood {
			t.Error("good document not readable next to a broken one")
		}
		if len(failed) == 0 {
			t.Fatal("broken document produced no error")
		}
		for _, e := range failed {
			var ie *sources.ItemError
			if !errors.As(e, &ie) || ie.Key != "bad.md" {
				t.Errorf("error %v is not an *ItemError naming bad.md", e)
			}
		}
	})

	t.Run("ContextCancellation", func(t *testing.T) {
		fx := newFixture(t)
		fx.Put(t, "a.md", []byte("a"))
		loc := fx.Location(t)
		items := list(t, ctx, loc)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := loc.List(cctx); !errors.Is(err, context.Canceled) {
			t.Errorf("List on a cancelled context: err = %v, want context.Canceled", err)
		}
		if r, err := loc.Open(cctx, items[0]); err == nil {
			r.Close()
			t.Error("Open on a cancelled context succeeded")
		}
	})
}

func list(t *testing.T, ctx context.Context, loc sources.Location) []sources.Item {
	t.Helper()
	items, errs, err := loc.List(ctx)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	for _, e := range errs {
		t.Errorf("List reported an item error on healthy documents: %v", e)
	}
	return items
}

func read(t *testing.T, ctx context.Context, loc sources.Location, it sources.Item) string {
	t.Helper()
	r, err := loc.Open(ctx, it)
	if err != nil {
		t.Fatalf("Open %s: %v", it.Key, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", it.Key, err)
	}
	return string(b)
}

func byKey(items []sources.Item) map[string]sources.Item {
	m := map[string]sources.Item{}
	for _, it := range items {
		m[it.Key] = it
	}
	return m
}

func keys(items []sources.Item) []string {
	var out []string
	for _, it := range items {
		out = append(out, it.Key)
	}
	return out
}

// Hostile is a text with every kind of active content an extractor must
// not let through: a javascript: link, a script element, an image with an
// event handler and a data: image. HostileVisible is the text a reader
// sees in it, which must survive.
const Hostile = "Wire PE first. See [the wiring guide](javascript:alert(1)). <script>alert(2)</script> <img src=x onerror=alert(3)> ![diagram](data:text/html;base64,PHNjcmlwdD4=) Done."

// HostileVisible lists the visible words of Hostile.
var HostileVisible = []string{"Wire PE first.", "the wiring guide", "alert(2)", "diagram", "Done."}

// CheckInert fails t when a section still carries active content in its
// text, title, headings or locator (as unit validation would refuse it),
// or when the concatenated text lacks one of visible.
func CheckInert(t *testing.T, secs []sources.Section, visible ...string) {
	t.Helper()
	if len(secs) == 0 {
		t.Fatal("no sections")
	}
	var all strings.Builder
	for i, s := range secs {
		fields := map[string]string{"text": s.Text, "title": s.Title, "locator": s.Locator, "headings": strings.Join(s.Headings, " > ")}
		for name, v := range fields {
			if p := markup.Find(v); p != nil {
				t.Errorf("section %d %s has active content (%v): %q", i, name, p, v)
			}
			for _, bad := range []string{"javascript:", "data:text", "<script", "<img src=x"} {
				if strings.Contains(strings.ToLower(v), bad) {
					t.Errorf("section %d %s still contains %q: %q", i, name, bad, v)
				}
			}
		}
		all.WriteString(s.Title + "\n" + s.Text + "\n")
	}
	for _, w := range visible {
		if !strings.Contains(all.String(), w) {
			t.Errorf("visible text %q is gone:\n%s", w, all.String())
		}
	}
}

// ExtractorCases are the documents an extractor's own test gives
// RunExtractor.
type ExtractorCases struct {
	// Name is a file name of the format ("manual.pdf"); errors must name it.
	Name string
	// Valid is a well-formed document that yields at least one section.
	Valid []byte
	// Hostile is a document whose text carries Hostile; its sections must
	// be inert and keep Visible.
	Hostile []byte
	// Visible is the text of Hostile a reader must still see; nil means
	// HostileVisible (a format that drops script elements whole lists
	// the rest).
	Visible []string
	// Garbage are bytes that are not a document of the format (binary
	// noise, another format); each must fail with an error naming the file.
	Garbage [][]byte
	// WithLimit returns the extractor with a size limit of n bytes.
	WithLimit func(n int64) sources.Extractor
}

// RunExtractor runs the conformance suite every sources.Extractor passes:
// a document over the size limit fails with an error wrapping
// sources.ErrTooLarge that names the file and the limit; an empty one
// with an error wrapping sources.ErrEmpty that names the file; truncated
// and garbage input give an error, never a panic; a cancelled context is
// honoured; every section is sanitized (knowledge/markup finds no active
// content); and the same input gives the same sections.
func RunExtractor(t *testing.T, ex sources.Extractor, c ExtractorCases) {
	ctx := context.Background()

	t.Run("Valid", func(t *testing.T) {
		r := Extract(ctx, ex, c.Name, c.Valid)
		if r.Err != nil {
			t.Fatalf("valid document: %v", r.Err)
		}
		if len(r.Sections) == 0 {
			t.Fatal("valid document gave no sections")
		}
		checkSanitized(t, r.Sections)
	})

	t.Run("TooLarge", func(t *testing.T) {
		limit := int64(len(c.Valid) - 1)
		for _, size := range []int64{-1, int64(len(c.Valid))} { // Item.Size unknown, and known
			r := extractItem(ctx, c.WithLimit(limit), c.Name, c.Valid, size)
			if !errors.Is(r.Err, sources.ErrTooLarge) {
				t.Fatalf("size %d over a limit of %d (Item.Size %d): err = %v, want sources.ErrTooLarge", len(c.Valid), limit, size, r.Err)
			}
			if msg := r.Err.Error(); !strings.Contains(msg, c.Name) || !strings.Contains(msg, strconv.FormatInt(limit, 10)) {
				t.Errorf("error %q names neither the file %s and the limit %d", msg, c.Name, limit)
			}
			if len(r.Sections) > 0 {
				t.Errorf("a document over the limit gave %d sections", len(r.Sections))
			}
		}
		if r := Extract(ctx, c.WithLimit(int64(len(c.Valid))), c.Name, c.Valid); r.Err != nil {
			t.Errorf("a document exactly at the limit fails: %v", r.Err)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		r := Extract(ctx, ex, c.Name, nil)
		if !errors.Is(r.Err, sources.ErrEmpty) || !strings.Contains(r.Err.Error(), c.Name) {
			t.Errorf("empty document: err = %v, want sources.ErrEmpty naming %s", r.Err, c.Name)
		}
	})

	t.Run("TruncatedAndGarbage", func(t *testing.T) {
		var inputs [][]byte
		for _, doc := range [][]byte{c.Valid, c.Hostile} {
			for _, n := range []int{1, len(doc) / 3, len(doc) / 2, 2 * len(doc) / 3, len(doc) - 1} {
				if n > 0 && n < len(doc) {
					inputs = append(inputs, doc[:n])
				}
			}
		}
		for i, in := range inputs {
			r := Extract(ctx, ex, c.Name, in)
			if r.Panic != nil {
				t.Fatalf("truncated input %d (%d bytes) panicked: %v", i, len(in), r.Panic)
			}
			if r.Err != nil && !strings.Contains(r.Err.Error(), c.Name) {
				t.Errorf("truncated input %d: error %q does not name %s", i, r.Err, c.Name)
			}
			checkSanitized(t, r.Sections)
		}
		for i, in := range c.Garbage {
			r := Extract(ctx, ex, c.Name, in)
			if r.Panic != nil {
				t.Fatalf("garbage %d panicked: %v", i, r.Panic)
			}
			if r.Err == nil || !strings.Contains(r.Err.Error(), c.Name) {
				t.Errorf("garbage %d (%q…): err = %v, want an error naming %s", i, in[:min(len(in), 16)], r.Err, c.Name)
			}
		}
	})

	t.Run("Cancelled", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		r := Extract(cctx, ex, c.Name, c.Valid)
		if !errors.Is(r.Err, context.Canceled) {
			t.Errorf("cancelled context: err = %v, want context.Canceled", r.Err)
		}
	})

	t.Run("Sanitized", func(t *testing.T) {
		r := Extract(ctx, ex, c.Name, c.Hostile)
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		visible := c.Visible
		if visible == nil {
			visible = HostileVisible
		}
		CheckInert(t, r.Sections, visible...)
	})

	t.Run("Deterministic", func(t *testing.T) {
		a := Extract(ctx, ex, c.Name, c.Valid)
		b := Extract(ctx, ex, c.Name, c.Valid)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("two reads of the same document differ:\n%+v\n%+v", a, b)
		}
	})
}

// Extracted is what one Extract call gave.
type Extracted struct {
	Sections []sources.Section
	Warnings []error
	Err      error
	Panic    any // what the extractor panicked with, nil if it did not
}

// Extract runs ex on data named name and collects what it emits, warns
// and returns, recovering a panic into Panic.
func Extract(ctx context.Context, ex sources.Extractor, name string, data []byte) Extracted {
	return extractItem(ctx, ex, name, data, -1)
}

func extractItem(ctx context.Context, ex sources.Extractor, name string, data []byte, size int64) (r Extracted) {
	defer func() {
		if p := recover(); p != nil {
			r.Panic = p
		}
	}()
	doc := sources.Document{Item: sources.Item{Key: name, Size: size}, Name: name, Body: bytes.NewReader(data)}
	r.Err = ex.Extract(ctx, doc, func(s sources.Section) error {
		r.Sections = append(r.Sections, s)
		return nil
	}, func(e error) { r.Warnings = append(r.Warnings, e) })
	return r
}

func checkSanitized(t *testing.T, secs []sources.Section) {
	t.Helper()
	for i, s := range secs {
		for name, v := range map[string]string{"text": s.Text, "title": s.Title, "locator": s.Locator, "headings": strings.Join(s.Headings, " > ")} {
			if p := markup.Find(v); p != nil {
				t.Errorf("section %d %s has active content (%v): %q", i, name, p, v)
			}
		}
	}
}
