package glossary

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path"
	"path/filepath"
)

// TermbaseFile is the name of the termbase file in a glossary folder.
const TermbaseFile = "termbase.tbx"

// Dir is the glossary folder of a workspace, relative to its root; the
// termbase is Dir/TermbaseFile.
const Dir = "glossary"

// Load reads the termbase of a glossary folder (dir/termbase.tbx). A
// missing file gives an error for which errors.Is(err, fs.ErrNotExist)
// holds. Parts of the file that cannot be read are logged and skipped.
func Load(dir string) (*Termbase, error) {
	p := filepath.Join(dir, TermbaseFile)
	im, err := ImportFile(context.Background(), p, ImportOptions{Format: FormatTBX, MaxBytes: -1})
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) && errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("load termbase: %w", ie.Err)
		}
		return nil, fmt.Errorf("load termbase: %w", err)
	}
	logProblems(im)
	return im.Termbase, nil
}

// LoadFS is Load on a file system, such as a git tree or an embed.FS.
func LoadFS(fsys fs.FS, dir string) (*Termbase, error) {
	p := path.Join(dir, TermbaseFile)
	f, err := fsys.Open(p)
	if err != nil {
		return nil, fmt.Errorf("load termbase: %w", err)
	}
	defer f.Close()
	im, err := ImportReader(context.Background(), p, f, ImportOptions{Format: FormatTBX, MaxBytes: -1})
	if err != nil {
		return nil, fmt.Errorf("load termbase: %w", err)
	}
	logProblems(im)
	return im.Termbase, nil
}

func logProblems(im *Import) {
	for _, p := range im.Problems {
		slog.Warn("termbase entry skipped or read with a caveat", "file", p.File, "line", p.Line, "problem", p.Msg)
	}
}

// Save writes tb to dir/termbase.tbx in canonical form, creating dir if
// needed. The same termbase always gives the same bytes, and when the file
// already holds them it is not touched, so an unchanged termbase makes no
// git change. The file is replaced atomically.
func Save(dir string, tb *Termbase) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("save termbase: %w", err)
	}
	data := MarshalTBX(tb)
	p := filepath.Join(dir, TermbaseFile)
	if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err := writeFileAtomic(p, data); err != nil {
		return fmt.Errorf("save termbase: %w", err)
	}
	return nil
}

// writeFileAtomic writes data to a temporary file next to p and renames it
// over p, so readers never see half a file.
func writeFileAtomic(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}
