package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/health"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

func TestHealthCommand(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{ApprovedAt: time.Now().Add(-10 * 24 * time.Hour)})
	out, code := ops(t, ws.Root, "health", "--json", "--product", "vf-200")
	if code != 0 {
		t.Fatalf("%d %s", code, out)
	}
	var rep health.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if rep.Total.Units == 0 || len(rep.Products) != 1 || rep.Products[0].MedianAgeDays == nil || *rep.Products[0].MedianAgeDays < 9.9 {
		t.Fatalf("%+v", rep.Total)
	}
	page := filepath.Join(t.TempDir(), "h.html")
	out, code = ops(t, ws.Root, "health", "--html", page)
	if code != 0 || !strings.Contains(out, "vf-200") || !strings.Contains(out, "ana.ruiz@example.com") {
		t.Fatalf("%d %s", code, out)
	}
	if b, err := os.ReadFile(page); err != nil || !strings.Contains(string(b), "<svg") {
		t.Fatalf("html: %v", err)
	}
}
