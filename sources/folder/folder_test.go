package folder_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/folder"
	"github.com/kbops/kbops/sources/sourcetest"
)

type fixture struct{ dir string }

func (f *fixture) Put(t *testing.T, key string, data []byte) {
	p := filepath.Join(f.dir, filepath.FromSlash(key))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) Remove(t *testing.T, key string) {
	if err := os.Remove(filepath.Join(f.dir, filepath.FromSlash(key))); err != nil {
		t.Fatal(err)
	}
}

// Break replaces the file by a link to nowhere: it still shows in the
// folder, and reading it fails, even for root.
func (f *fixture) Break(t *testing.T, key string) bool {
	p := filepath.Join(f.dir, filepath.FromSlash(key))
	os.Remove(p)
	if err := os.Symlink(filepath.Join(f.dir, "missing-target"), p); err != nil {
		t.Fatal(err)
	}
	return true
}

func (f *fixture) Location(t *testing.T) sources.Location {
	spec := sources.Spec{Name: "t", Kind: "notes", Location: sources.Locations{"docs"}, Owner: "o"}
	// Following links lets Break's dangling link surface as an item error.
	if err := yamlOptions(&spec, "follow_symlinks: true"); err != nil {
		t.Fatal(err)
	}
	loc, err := folder.New(context.Background(), spec, sources.Env{Base: filepath.Dir(f.dir)})
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func TestConformance(t *testing.T) {
	sourcetest.Run(t, func(t *testing.T) sourcetest.Fixture {
		dir := filepath.Join(t.TempDir(), "docs")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		return &fixture{dir: dir}
	})
}

func TestGlobAndSizeLimit(t *testing.T) {
	base := t.TempDir()
	fx := &fixture{dir: filepath.Join(base, "m")}
	fx.Put(t, "en/a.pdf", []byte("%PDF"))
	fx.Put(t, "en/a.md", []byte("x"))
	fx.Put(t, "de/sub/b.pdf", []byte("%PDF"))
	fx.Put(t, "big.pdf", make([]byte, 2048))
	spec := sources.Spec{Name: "t", Kind: "manuals", Location: sources.Locations{"m/**/*.pdf"}, Owner: "o", Exclude: []string{"de/**"}}
	loc, err := folder.New(context.Background(), spec, sources.Env{Base: base})
	if err != nil {
		t.Fatal(err)
	}
	items, errs, err := loc.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 2 || items[0].Key != "big.pdf" || items[1].Key != "en/a.pdf" {
		t.Errorf("glob listed %v", items)
	}
	if len(errs) != 0 {
		t.Errorf("errs: %v", errs)
	}
	spec.Options.Kind = 0
	if err := yamlOptions(&spec, "max_file_size: 1024"); err != nil {
		t.Fatal(err)
	}
	loc, _ = folder.New(context.Background(), spec, sources.Env{Base: base})
	items, errs, _ = loc.List(context.Background())
	if len(items) != 1 || len(errs) != 1 {
		t.Fatalf("size limit: items %v errs %v", items, errs)
	}
	if got := errs[0].Error(); !contains(got, "big.pdf") || !contains(got, "max_file_size") {
		t.Errorf("size error does not name the file and the setting: %s", got)
	}
}

func TestMissingFolderSaysWhatToDo(t *testing.T) {
	spec := sources.Spec{Name: "t", Kind: "notes", Location: sources.Locations{"nope"}, Owner: "o"}
	_, err := folder.New(context.Background(), spec, sources.Env{Base: t.TempDir()})
	if err == nil || !contains(err.Error(), "kbops.yaml") {
		t.Errorf("err = %v", err)
	}
}
