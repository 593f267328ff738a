package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/kbops/kbops/pipeline/workspace"
)

// TestExtractMatchesIngest: `kbops extract URL` shows exactly the units
// ingestion stores for the same document. The pages are windows-1251
// (Russian) with the charset only in the server's Content-Type, which the
// HTML extractor needs to decode them (detection alone reads the bytes as
// windows-1252); one of them has no file extension, only an HTML content
// type.
func TestExtractMatchesIngest(t *testing.T) {
	page := `<html><head><title>Руководство</title></head><body><main>` +
		`<h1>Калибровка</h1><p>Прибор калибруется на заводе и сразу готов к работе. Повторная калибровка нужна раз в год.</p>` +
		`<h2>Заземление</h2><p>Используйте медный провод сечением не менее четырёх квадратных миллиметров.</p>` +
		`</main></body></html>`
	body, err := charmap.Windows1251.NewEncoder().String(page)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=windows-1251")
		w.Write([]byte(body))
	}))
	defer srv.Close()
	urls := []string{srv.URL + "/docs/page.html", srv.URL + "/docs/guide"}

	dir := t.TempDir()
	ws := filepath.Join(dir, "kb")
	os.MkdirAll(ws, 0o755)
	cfg := "version: 1\nsources:\n  - name: extract\n    kind: manuals\n    owner: ana@example.com\n    location:\n" +
		"      - " + urls[0] + "\n      - " + urls[1] + "\n    options:\n      retries: 1\n"
	if err := os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := workspace.Init(ws, time.Now()); err != nil {
		t.Fatal(err)
	}
	must(t, ws, "ingest")
	stored := reviewBodies(t, ws)

	for _, u := range urls {
		var out bytes.Buffer
		if err := runExtract(context.Background(), extractOptions{JSON: true}, []string{u}, &out); err != nil {
			t.Fatalf("extract %s: %v\n%s", u, err, out.String())
		}
		var rep extractReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		if len(rep.Units) == 0 {
			t.Fatalf("extract %s: no units", u)
		}
		for _, eu := range rep.Units {
			if !strings.Contains(eu.Text, "калибр") && !strings.Contains(eu.Text, "медный") {
				t.Errorf("extract %s: unit %s is not decoded from windows-1251: %q", u, eu.ID, eu.Text)
			}
			got, ok := stored[eu.ID]
			if !ok {
				t.Errorf("extract %s shows unit %s, which ingest did not store (stored: %v)", u, eu.ID, keysOf(stored))
				continue
			}
			if strings.TrimSpace(got) != strings.TrimSpace(eu.Text) {
				t.Errorf("unit %s: ingest stored\n%q\nextract shows\n%q", eu.ID, got, eu.Text)
			}
			delete(stored, eu.ID)
		}
	}
	if len(stored) > 0 {
		t.Errorf("ingest stored units extract does not show: %v", keysOf(stored))
	}
}

// reviewBodies returns the body of each unit on the review branch.
func reviewBodies(t *testing.T, ws string) map[string]string {
	t.Helper()
	units := unitsOn(t, ws, "kbops/review")
	if len(units) == 0 {
		t.Fatal("no units on the review branch")
	}
	out := map[string]string{}
	for id, u := range units {
		out[id] = u.Body
	}
	return out
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
