package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

func TestFeedbackImportSendsBadlyRatedUnitsBack(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	st, err := tracks.Load(t.Context(), ws)
	if err != nil {
		t.Fatal(err)
	}
	id := st.Snap.IDs()[0]
	ts := time.Now().UTC().Format(time.RFC3339)
	file := filepath.Join(t.TempDir(), "fb.jsonl")
	os.WriteFile(file, []byte(`{"unit_id":"`+id+`","rating":2,"reason":"outdated","time":"`+ts+`"}
{"unit_id":"`+id+`","reason":"outdated","comment":"P1.08 moved in 2.1","time":"`+ts+`"}
{"unit_id":"`+id+`","rating":"seven","time":"`+ts+`"}
`), 0o644)
	out, code := ops(t, ws.Root, "feedback", "import", file)
	if code != exitAttention || !strings.Contains(out, "fb.jsonl:3") || !strings.Contains(out, "sent back: "+id) {
		t.Fatalf("%d %s", code, out)
	}
	out, _ = ops(t, ws.Root, "due", "list", "--json")
	if !strings.Contains(out, "outdated ×2") {
		t.Fatalf("%s", out)
	}
	usage := filepath.Join(t.TempDir(), "u.csv")
	os.WriteFile(usage, []byte("unit_id,time,query\n"+id+","+ts+",fault E07\n"), 0o644)
	if out, code = ops(t, ws.Root, "feedback", "import", "--usage", usage); code != 0 || !strings.Contains(out, "1 new") {
		t.Fatalf("usage: %d %s", code, out)
	}
	out, _ = ops(t, ws.Root, "health", "--json")
	if !strings.Contains(out, `"never_retrieved": `) || strings.Contains(out, `"never_retrieved": null`) {
		t.Fatalf("%s", out)
	}
}
