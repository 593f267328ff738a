package release_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

// A caller sees its own level and the more open ones, never a closed one.
func TestVisible(t *testing.T) {
	for _, c := range []struct {
		level, caller knowledge.Access
		want          bool
	}{
		{knowledge.AccessPublic, knowledge.AccessCustomer, true},
		{knowledge.AccessCustomer, knowledge.AccessCustomer, true},
		{knowledge.AccessPartner, knowledge.AccessCustomer, false},
		{knowledge.AccessInternal, knowledge.AccessPublic, false},
		{knowledge.AccessInternal, "", true},
		{"", knowledge.AccessPublic, true}, // one collection: filtered by property
	} {
		if got := release.Visible(c.level, c.caller); got != c.want {
			t.Errorf("Visible(%q, %q) = %v, want %v", c.level, c.caller, got, c.want)
		}
	}
}

// Record replaces published.json whole, and when it cannot, says which
// file with an error callers can tell apart.
func TestRecord(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{NoMerge: true})
	p := release.Published{Commit: "abc", Collection: "KnowledgeUnit", Objects: 3, At: time.Now().UTC()}
	if err := release.Record(ws, p); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(ws.Root, ".kbops", release.PublishedFile)
	if b, err := os.ReadFile(path); err != nil || !strings.Contains(string(b), `"objects": 3`) {
		t.Fatalf("%s: %s %v", path, b, err)
	}
	if _, err := os.Stat(path + ".tmp"); !os.IsNotExist(err) {
		t.Errorf("temporary file left behind: %v", err)
	}
	os.Remove(path)
	os.MkdirAll(filepath.Join(path, "x"), 0o755)
	err := release.Record(ws, p)
	if !errors.Is(err, release.ErrRecord) || !strings.Contains(err.Error(), path) {
		t.Fatalf("record over a folder: %v", err)
	}
}
