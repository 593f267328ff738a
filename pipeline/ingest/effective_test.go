package ingest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
)

// httpManuals is a workspace whose manuals source is a web server that
// sends Last-Modified; put publishes a document there at the given time.
func httpManuals(t *testing.T) (w *workspace.Workspace, put func(name, text string, at time.Time), notes string) {
	t.Helper()
	var mu sync.Mutex
	docs := map[string]string{}
	dates := map[string]time.Time{}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		name := strings.TrimPrefix(r.URL.Path, "/")
		text, ok := docs[name]
		if !ok {
			http.NotFound(rw, r)
			return
		}
		rw.Header().Set("Content-Type", "text/markdown; charset=utf-8")
		rw.Header().Set("Last-Modified", dates[name].UTC().Format(http.TimeFormat))
		io.WriteString(rw, text)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	ws, notes := filepath.Join(dir, "kb"), filepath.Join(dir, "notes")
	for _, d := range []string{ws, notes} {
		os.MkdirAll(d, 0o755)
	}
	conf := "version: 1\nsources:\n  - {name: manuals, kind: manuals, location: " + srv.URL + "/vf200.md, owner: ana@example.com, product: vf-200}\n" +
		"  - {name: notes, kind: notes, location: ../notes, owner: ana@example.com, product: vf-200}\n"
	os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte(conf), 0o644)
	if _, err := workspace.Init(ws, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, err := workspace.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	put = func(name, text string, at time.Time) {
		mu.Lock()
		defer mu.Unlock()
		docs[name], dates[name] = text, at
	}
	return w, put, notes
}

// Effective dates come from the document: the Last-Modified of a manual,
// front matter of a note; a note without a date gets the ingest date,
// marked, with a finding. An edit of one section re-dates that section
// only, and a date written into the undated note replaces the fallback.
func TestEffectiveDatesComeFromTheDocument(t *testing.T) {
	ctx := context.Background()
	w, put, notes := httpManuals(t)
	mar := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	put("vf200.md", manual, mar)
	write(t, notes, "heat.md", "# Heat\n\nThe fan runs above 40 °C.\n")
	now := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	rep, err := ingest.Run(ctx, w, ingest.Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	us := units(t, w)
	for id, u := range us {
		switch {
		case strings.HasPrefix(id, "manuals/"):
			if u.Effective.String() != "2026-03-01" || u.EffectiveSource != knowledge.EffectiveFromHTTP {
				t.Errorf("%s: effective %s (%s), want 2026-03-01 from Last-Modified", id, u.Effective, u.EffectiveSource)
			}
		case strings.HasPrefix(id, "notes/"):
			if u.Effective.String() != "2026-12-02" || u.EffectiveSource != knowledge.EffectiveFromIngest {
				t.Errorf("%s: effective %s (%s), want the ingest date, marked", id, u.Effective, u.EffectiveSource)
			}
		}
	}
	f := strings.Join(rep.Findings, "\n")
	if !strings.Contains(f, "notes/heat/heat.md: effective: the document states no date; the ingest date 2026-12-02 is used") {
		t.Errorf("no finding for the undated note:\n%s", f)
	}
	for _, l := range rep.Findings {
		if strings.HasPrefix(l, "units/manuals/") && strings.Contains(l, ": effective:") {
			t.Errorf("a dated manual is reported undated: %s", l)
		}
	}

	// One section edited in June: that unit is a new version dated June,
	// the others keep March and their versions.
	put("vf200.md", strings.Replace(manual, "4 mm²", "6 mm²", 1), time.Date(2026, 6, 15, 9, 0, 0, 0, time.UTC))
	write(t, notes, "heat.md", "---\neffective: 2026-11-20\n---\n# Heat\n\nThe fan runs above 40 °C.\n")
	if _, err := ingest.Run(ctx, w, ingest.Options{Now: now.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	for id, u := range units(t, w) {
		before := us[id]
		switch {
		case strings.HasSuffix(id, "grounding"):
			if u.Version != 2 || u.Effective.String() != "2026-06-15" {
				t.Errorf("%s: v%d effective %s, want v2 dated 2026-06-15", id, u.Version, u.Effective)
			}
		case strings.HasPrefix(id, "manuals/"):
			if u.Version != before.Version || u.Effective != before.Effective {
				t.Errorf("%s: v%d effective %s, want v%d %s: its text did not change", id, u.Version, u.Effective, before.Version, before.Effective)
			}
		case strings.HasPrefix(id, "notes/"):
			if u.Version != 2 || u.Effective.String() != "2026-11-20" || u.EffectiveSource != knowledge.EffectiveFromFrontMatter {
				t.Errorf("%s: v%d effective %s (%s), want v2 with the date the note now states", id, u.Version, u.Effective, u.EffectiveSource)
			}
		}
	}
}
