package tickets

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"

	"github.com/kbops/kbops/sources"
)

func fuzzExtract(t *testing.T, name string, data []byte, preset string) {
	if len(data) > 1<<20 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	doc := sources.Document{Name: name, Body: bytes.NewReader(data)}
	emit := func(s sources.Section) error { return nil }
	_, _ = ExtractReport(ctx, Options{Preset: preset}, doc, emit, func(error) {})
}

var fuzzPresets = []string{"", "zendesk", "freshdesk", "tobi-bueck"}

// FuzzTicketsCSV feeds arbitrary CSV exports to the extractor: it must
// extract or report, never panic or hang.
func FuzzTicketsCSV(f *testing.F) {
	if b, err := os.ReadFile("testdata/pii_freshdesk.csv"); err == nil {
		f.Add(b, uint8(0))
	}
	f.Add([]byte("subject,body,answer,type,queue,priority,language\nPump fault,It stops,Replace the fuse,Incident,Support,high,en\n"), uint8(3))
	f.Add([]byte("\"Ticket ID\";Subject;Status\n1;\"unclosed;Resolved\n"), uint8(2))
	f.Add([]byte("\xef\xbb\xbfsubject\tbody\tanswer\na\tb\tc\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, preset uint8) {
		fuzzExtract(t, "export.csv", data, fuzzPresets[int(preset)%len(fuzzPresets)])
	})
}

// FuzzTicketsJSON feeds arbitrary JSON and JSON Lines exports to the
// extractor: it must extract or report, never panic or hang.
func FuzzTicketsJSON(f *testing.F) {
	for _, p := range []string{"testdata/pii_zendesk.json", "testdata/pii_zendesk.jsonl"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b, uint8(1), p[len(p)-5:] == "jsonl")
		}
	}
	f.Add([]byte(`{"tickets":[{"id":1,"subject":"x","description":"y","status":"solved","comments":[{"plain_body":"z","public":true,"author_id":2}],"requester_id":3}]}`), uint8(1), false)
	f.Add([]byte(`[{"id":1,"description_text":"a","conversations":[{"body_text":"b","incoming":false}]}]`), uint8(2), false)
	f.Add([]byte("{\"subject\":\"a\",\"body\":\"b\",\"answer\":\"c\"}\n{broken\n"), uint8(0), true)
	f.Fuzz(func(t *testing.T, data []byte, preset uint8, lines bool) {
		name := "export.json"
		if lines {
			name = "export.jsonl"
		}
		fuzzExtract(t, name, data, fuzzPresets[int(preset)%len(fuzzPresets)])
	})
}
