package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRunExtractTickets(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "export.csv")
	os.WriteFile(good, []byte("subject;body;answer;language\n"+
		"Login fails;Login fails with error 403 since Monday, call me: +49 30 1234567;Clear the browser cache.;en\n"+
		"Login fails;Login fails with error 403 since Monday, call me: +49 30 7654321;Clear the browser cache.;en\n"+
		"Open;no answer yet;;en\n"), 0o644)
	var out bytes.Buffer
	err := runExtractTickets(context.Background(), extractTicketsOptions{Preset: "tobi-bueck", Show: 5}, []string{good}, &out)
	if err != nil {
		t.Fatal(err)
	}
	s := out.String()
	for _, want := range []string{"rows read 3", "no answer 1", "scenario sections 1, merged 1", "phone=2", "## Symptom", "## Resolution", "2× tickets"} {
		if !strings.Contains(s, want) {
			t.Errorf("output lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "1234567") || strings.Contains(s, "7654321") {
		t.Errorf("phone number leaked:\n%s", s)
	}

	out.Reset()
	missing := filepath.Join(dir, "missing.csv")
	err = runExtractTickets(context.Background(), extractTicketsOptions{JSON: true}, []string{good, missing}, &out)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != exitFailed {
		t.Errorf("missing file: err %v, want exit %d", err, exitFailed)
	}
	dec := json.NewDecoder(&out)
	var files []ticketFileJSON
	for dec.More() {
		var f ticketFileJSON
		if err := dec.Decode(&f); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) != 2 || files[0].Report == nil || files[0].Report.Redacted["phone"] != 2 || len(files[0].Sections) != 1 ||
		files[0].Sections[0].Occurrences != 2 || files[1].Error == "" {
		t.Errorf("json output %+v", files)
	}

	if err := runExtractTickets(context.Background(), extractTicketsOptions{}, nil, &out); !errors.As(err, &ee) || ee.code != exitUsage {
		t.Errorf("no args: %v", err)
	}
}
