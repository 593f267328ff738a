package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"

	"github.com/kbops/kbops/sources/sourcetest"
)

func corpusManual(t *testing.T, name string) string {
	return sourcetest.Corpus(t, "manuals", name)
}

func TestExtractPDFJSON(t *testing.T) {
	p := corpusManual(t, "teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf")
	var out bytes.Buffer
	if err := runExtract(context.Background(), extractOptions{JSON: true}, []string{p}, &out); err != nil {
		t.Fatal(err)
	}
	var rep extractReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Format != "pdf" || rep.Pages != 29 || len(rep.Warnings) != 0 {
		t.Errorf("format %s pages %d warnings %v", rep.Format, rep.Pages, rep.Warnings)
	}
	want := knowledge.MakeID("extract", "teqsas_LAP-TEQ-PLUS_User_Manual_en.pdf", []string{"8 Calibration", "8.1 Calibration of 2 axes"})
	found := false
	for _, u := range rep.Units {
		if u.ID == want {
			found = true
			if u.Locator != "p. 24" || u.Language != "en" || !strings.Contains(u.Text, "CAL button") {
				t.Errorf("unit %s: %+v", want, u)
			}
		}
	}
	if !found {
		t.Errorf("no unit %s", want)
	}
}

func TestExtractTextAndURL(t *testing.T) {
	page := `<html lang="de"><body><nav>Menü</nav><main><h1>Kalibrierung</h1><p>Das Gerät wird ab Werk kalibriert und ist sofort einsatzbereit.</p></main></body></html>`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/broken.html" {
			http.Error(w, "down", 500)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(page))
	}))
	defer srv.Close()
	var out bytes.Buffer
	if err := runExtract(context.Background(), extractOptions{}, []string{srv.URL + "/manual/8/"}, &out); err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"format:   html", "Kalibrierung", "language: de", "Das Gerät wird ab Werk"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "Menü") {
		t.Error("navigation in output")
	}
	err := runExtract(context.Background(), extractOptions{}, []string{srv.URL + "/broken.html"}, &out)
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("HTTP 500: %v", err)
	}
}

func TestExtractBadInput(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "broken.pdf")
	os.WriteFile(bad, []byte("%PDF-1.4\n1 0 obj"), 0o644)
	err := runExtract(context.Background(), extractOptions{}, []string{bad}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "broken.pdf") {
		t.Errorf("truncated PDF: %v", err)
	}
	odd := filepath.Join(dir, "data.xyz")
	os.WriteFile(odd, []byte("x"), 0o644)
	err = runExtract(context.Background(), extractOptions{}, []string{odd}, &bytes.Buffer{})
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitUsage {
		t.Errorf("unknown format: %v", err)
	}
	err = runExtract(context.Background(), extractOptions{}, []string{filepath.Join(dir, "missing.md")}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "missing.md") {
		t.Errorf("missing file: %v", err)
	}
}

func TestExtractHelpHasExample(t *testing.T) {
	c := extractCommand()
	if !strings.Contains(c.Description, "kbops extract ") || c.ArgsUsage == "" {
		t.Error("help lacks a usage example")
	}
}
