package httploc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

// server serves documents with ETags, answering conditional requests.
type server struct {
	mu      sync.Mutex
	docs    map[string][]byte
	broken  map[string]int // status to answer with
	slow    map[string]time.Duration
	bodies  int // full responses sent
	put     []string
	srv     *httptest.Server
	etagOff bool
	lastMod string // Last-Modified sent with every document, "" for none
}

func newServer(t *testing.T) *server {
	s := &server{docs: map[string][]byte{}, broken: map[string]int{}, slow: map[string]time.Duration{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.handle))
	t.Cleanup(s.srv.Close)
	return s
}

func (s *server) handle(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	key := strings.TrimPrefix(r.URL.Path, "/")
	data, ok := s.docs[key]
	status := s.broken[key]
	delay := s.slow[key]
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		http.Error(w, "broken", status)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	sum := sha256.Sum256(data)
	etag := `"` + hex.EncodeToString(sum[:8]) + `"`
	if !s.etagOff {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	s.mu.Lock()
	s.bodies++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/markdown; charset=utf-8")
	if s.lastMod != "" {
		w.Header().Set("Last-Modified", s.lastMod)
	}
	w.Write(data)
}

type fixture struct {
	s     *server
	cache string
	opts  string
}

func (f *fixture) Put(t *testing.T, key string, data []byte) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	if _, ok := f.s.docs[key]; !ok {
		f.s.put = append(f.s.put, key)
	}
	f.s.docs[key] = data
}

func (f *fixture) Remove(t *testing.T, key string) {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	delete(f.s.docs, key)
}

func (f *fixture) Break(t *testing.T, key string) bool {
	f.s.mu.Lock()
	defer f.s.mu.Unlock()
	f.s.broken[key] = http.StatusInternalServerError
	return true
}

func (f *fixture) Location(t *testing.T) sources.Location {
	var urls []string
	for _, k := range f.s.put {
		urls = append(urls, f.s.srv.URL+"/"+k)
	}
	loc, err := New(context.Background(), spec(t, urls, "base: "+f.s.srv.URL+"/\nretry_delay: 1ms\n"+f.opts), sources.Env{Cache: f.cache})
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func spec(t *testing.T, urls []string, opts string) sources.Spec {
	s := sources.Spec{Name: "web", Kind: "manuals", Location: urls, Owner: "o"}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(opts), &n); err != nil {
		t.Fatal(err)
	}
	s.Options = *n.Content[0]
	return s
}

func TestConformance(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture {
		return &fixture{s: newServer(t), cache: t.TempDir()}
	})
}

func TestConditionalGetKeepsVersionWithoutDownload(t *testing.T) {
	fx := &fixture{s: newServer(t), cache: t.TempDir()}
	fx.Put(t, "a.html", []byte("<p>hello</p>"))
	loc := fx.Location(t)
	first := list(t, loc)
	n := fx.s.bodies
	// A new Location on the same cache (the next nightly run) too.
	for _, l := range []sources.Location{loc, fx.Location(t)} {
		again := list(t, l)
		if again[0].Version != first[0].Version {
			t.Errorf("version changed on 304: %s -> %s", first[0].Version, again[0].Version)
		}
		r, err := l.Open(context.Background(), again[0])
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(r)
		if string(b) != "<p>hello</p>" {
			t.Errorf("body from cache %q", b)
		}
	}
	if fx.s.bodies != n {
		t.Errorf("%d downloads after the first; want 0 (304 Not Modified)", fx.s.bodies-n)
	}
	if ct := loc.(*Location).ContentType(first[0]); !strings.HasPrefix(ct, "text/markdown") {
		t.Errorf("content type %q", ct)
	}
}

func TestErrorsAreReportedAndOthersGoOn(t *testing.T) {
	fx := &fixture{s: newServer(t), cache: t.TempDir(), opts: "timeout: 200ms\nretries: 2\nmax_size: 100\n"}
	fx.Put(t, "ok.md", []byte("fine"))
	fx.Put(t, "err500.md", []byte("x"))
	fx.Put(t, "slow.md", []byte("x"))
	fx.Put(t, "big.md", []byte(strings.Repeat("x", 1000)))
	fx.s.broken["err500.md"] = 500
	fx.s.slow["slow.md"] = 2 * time.Second
	loc := fx.Location(t)
	start := time.Now()
	items, errs, err := loc.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Key != "ok.md" {
		t.Errorf("items %v", items)
	}
	want := map[string]string{"err500.md": "500", "slow.md": "timeout", "big.md": "max_size"}
	for _, e := range errs {
		var ie *sources.ItemError
		if !errors.As(e, &ie) {
			t.Errorf("not an ItemError: %v", e)
			continue
		}
		if w, ok := want[ie.Key]; !ok || !strings.Contains(e.Error(), w) {
			t.Errorf("error %v: want one for %s mentioning %q", e, ie.Key, w)
		}
		delete(want, ie.Key)
	}
	if len(want) > 0 {
		t.Errorf("no error for %v", want)
	}
	for _, e := range errs {
		if strings.Contains(e.Error(), "500") && !strings.Contains(e.Error(), "3 attempts") {
			t.Errorf("5xx not retried: %v", e)
		}
	}
	if !errors.Is(errs[0], sources.ErrTooLarge) && !errors.Is(errs[len(errs)-1], sources.ErrTooLarge) {
		found := false
		for _, e := range errs {
			found = found || errors.Is(e, sources.ErrTooLarge)
		}
		if !found {
			t.Error("size limit error does not wrap sources.ErrTooLarge")
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("listing took %s; timeouts not applied", d)
	}
}

func TestRetryRecoversFromTransient5xx(t *testing.T) {
	fails := 2
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fails > 0 {
			fails--
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, "ok")
	}))
	defer srv.Close()
	loc, err := New(context.Background(), spec(t, []string{srv.URL + "/docs/"}, "retry_delay: 1ms"), sources.Env{Cache: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	items := list(t, loc)
	if len(items) != 1 || !strings.HasSuffix(items[0].Key, "/docs/index.html") {
		t.Errorf("items %v", items)
	}
}

func TestBadLocation(t *testing.T) {
	if _, err := New(context.Background(), sources.Spec{Name: "w", Location: sources.Locations{"ftp://x/a"}}, sources.Env{}); err == nil {
		t.Error("ftp URL accepted")
	}
}

func list(t *testing.T, loc sources.Location) []sources.Item {
	t.Helper()
	items, errs, err := loc.List(context.Background())
	if err != nil || len(errs) > 0 {
		t.Fatal(err, errs)
	}
	return items
}

// The server's Last-Modified is the document's date, marked as such; a
// server without one gives no date (ingest then says it used its own).
func TestLastModifiedDatesTheDocument(t *testing.T) {
	fx := &fixture{s: newServer(t), cache: t.TempDir()}
	fx.Put(t, "a.html", []byte("<p>hello</p>"))
	if it := list(t, fx.Location(t))[0]; !it.ModTime.IsZero() || it.DateSource != "" {
		t.Errorf("without Last-Modified: %v %q", it.ModTime, it.DateSource)
	}
	fx.s.lastMod = "Sun, 01 Mar 2026 10:00:00 GMT"
	fx.Put(t, "b.html", []byte("<p>dated</p>"))
	fx.s.etagOff = true
	for _, it := range list(t, fx.Location(t)) {
		if it.Key != "b.html" {
			continue
		}
		if !it.ModTime.Equal(time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)) || it.DateSource != "http-last-modified" {
			t.Errorf("with Last-Modified: %v %q", it.ModTime, it.DateSource)
		}
	}
}
