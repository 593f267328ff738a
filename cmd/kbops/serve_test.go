package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

func TestServeListShowsJobsAndRejectsBadSchedules(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	out, code := ops(t, ws.Root, "serve", "--list")
	if code != 0 || !strings.Contains(out, "ingest:expert-notes") || !strings.Contains(out, "@nightly") || !strings.Contains(out, "review-due") || !strings.Contains(out, "publish") {
		t.Fatalf("%d %s", code, out)
	}
	os.WriteFile(filepath.Join(ws.Root, "serve.yaml"), []byte("timezone: Europe/Berlin\njobs:\n  publish:\n    schedule: \"61 * * * *\"\n"), 0o644)
	out, code = ops(t, ws.Root, "serve", "--list")
	if code != exitUsage || !strings.Contains(out, "job publish") || !strings.Contains(out, "61") {
		t.Fatalf("bad schedule: %d %s", code, out)
	}
	os.WriteFile(filepath.Join(ws.Root, "serve.yaml"), []byte("jobs:\n  pubish:\n    schedule: \"@hourly\"\n"), 0o644)
	if out, code = ops(t, ws.Root, "serve", "--list"); code != exitUsage || !strings.Contains(out, "jobs.pubish") {
		t.Fatalf("unknown job: %d %s", code, out)
	}
	os.WriteFile(filepath.Join(ws.Root, "serve.yaml"), []byte("jobz: {}\n"), 0o644)
	if out, code = ops(t, ws.Root, "serve", "--list"); code != exitUsage || !strings.Contains(out, "serve.yaml") {
		t.Fatalf("unknown key: %d %s", code, out)
	}
}
