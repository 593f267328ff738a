package glossary

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestSaveIsCanonicalAndDeterministic(t *testing.T) {
	fix, err := os.ReadFile(filepath.Join("testdata", "inverter.tbx"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := Save(dir, fixture(t)); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, TermbaseFile)
	saved, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// The fixture is in canonical form: loading and saving it changes nothing.
	if !bytes.Equal(saved, fix) {
		t.Error("Save(Load(canonical file)) is not the same file")
	}
	// Saving an unchanged termbase does not touch the file.
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(p, old, old); err != nil {
		t.Fatal(err)
	}
	tb, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := Save(dir, tb); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p); !st.ModTime().Equal(old) {
		t.Error("unchanged termbase rewritten")
	}
	// Concepts are sorted by id whatever the order they were added in.
	ids := []string{}
	for _, c := range tb.Concepts() {
		ids = append(ids, c.ID)
	}
	if strings.Join(ids, " ") != "braking-resistor dc-link frequency-inverter motor overcurrent-fault parameter" {
		t.Errorf("order %v", ids)
	}
}

func TestOneChangedTermIsASmallDiff(t *testing.T) {
	tb := fixture(t)
	before := strings.Split(string(MarshalTBX(tb)), "\n")
	c := tb.Concept("dc-link").Clone()
	c.Lang("en").Terms[1].Status = StatusDeprecated // DC bus
	if err := tb.Put(c); err != nil {
		t.Fatal(err)
	}
	after := strings.Split(string(MarshalTBX(tb)), "\n")
	if len(before) != len(after) {
		t.Fatalf("%d lines became %d", len(before), len(after))
	}
	var changed []string
	for i := range before {
		if before[i] != after[i] {
			changed = append(changed, strings.TrimSpace(after[i]))
		}
	}
	if len(changed) != 1 || changed[0] != `<termNote type="administrativeStatus">deprecatedTerm-admn-sts</termNote>` {
		t.Errorf("changed lines: %q", changed)
	}
}

func TestLoadFSAndMissingTermbase(t *testing.T) {
	fix, _ := os.ReadFile(filepath.Join("testdata", "inverter.tbx"))
	fsys := fstest.MapFS{"kb/glossary/termbase.tbx": {Data: fix}}
	tb, err := LoadFS(fsys, "kb/glossary")
	if err != nil {
		t.Fatal(err)
	}
	if !tb.Equal(fixture(t)) {
		t.Error("LoadFS gives another termbase")
	}
	if _, err := LoadFS(fsys, "elsewhere"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Load(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, TermbaseFile), []byte("<tbx><text><body><conceptEntry id='a'>"), 0o644)
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "termbase.tbx:1: malformed XML") {
		t.Errorf("broken termbase: %v", err)
	}
}
