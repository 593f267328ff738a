package progress

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	got := Line("publish", "objects", 50, 200, 10*time.Second)
	if got != "publish: 50/200 objects  5.0/s  ETA 30s   25%" {
		t.Fatalf("%q", got)
	}
	if got := Line("ingest notes", "documents", 7, 0, time.Second); got != "ingest notes: 7 documents  7.0/s" {
		t.Fatalf("%q", got)
	}
}

func TestNotATerminalDrawsNothing(t *testing.T) {
	f, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	if Enabled(f, nil) {
		t.Fatal("a file is not a terminal")
	}
	devnull, _ := os.Open(os.DevNull)
	if Enabled(devnull, nil) {
		t.Fatal("/dev/null is not a terminal")
	}
	var b *Bar = New(f, false, "x", "y")
	b.Set(1, 2) // no-op on nil
	b.Finish()
	if st, _ := f.Stat(); st.Size() != 0 {
		t.Fatal("wrote to a non-terminal")
	}
	if Enabled(os.Stderr, func(k string) string {
		if k == "TERM" {
			return "dumb"
		}
		return ""
	}) {
		t.Fatal("TERM=dumb must disable progress")
	}
}

func TestLogHandlerCountsDocuments(t *testing.T) {
	var out bytes.Buffer
	bar := New(&out, true, "ingest", "documents")
	log := slog.New(LogHandler(slog.NewTextHandler(io.Discard, nil), bar))
	for i := 0; i < 3; i++ {
		log.Debug("extracted", "source", "notes", "document", "a.md")
	}
	bar.Finish()
	if !strings.Contains(out.String(), "ingest notes: 3 documents") {
		t.Fatalf("%q", out.String())
	}
}
