// Package sourcetest is the conformance suite every sources.Location
// passes. A location's own test supplies a Fixture that can put, remove and
// break documents at the place the location reads, and calls Run.
package sourcetest

import (
	"context"
	"errors"
	"io"
	"sort"
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
