package template

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
)

// Create writes a new note from the template called name to path and
// returns the path written. An empty path is made from the title in dir
// ("e07-after-rain.md"); an empty title from the path's file name. An
// existing file is never overwritten: a note may already hold an expert's
// work.
func Create(dir, path, name string, n Note) (string, error) {
	t, ok := Lookup(name)
	if !ok {
		return "", fmt.Errorf("template %q is not one of %s", name, strings.Join(Names(), ", "))
	}
	if n.Title == "" && path != "" {
		base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
		n.Title = strings.TrimSpace(strings.Map(func(r rune) rune {
			if r == '-' || r == '_' {
				return ' '
			}
			return r
		}, base))
	}
	if n.Title == "" {
		return "", errors.New("give the note a title or a file name")
	}
	if path == "" {
		path = filepath.Join(dir, fileName(n.Title)+".md")
	}
	data, err := t.Render(n)
	if err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return "", fmt.Errorf("%s exists already; give another path", path)
		}
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return path, f.Close()
}

// fileName is a title as a file name: letters and digits of any script,
// lower-cased, other runs as "-".
func fileName(title string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(title) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	if b.Len() == 0 {
		return "note"
	}
	s := b.String()
	if r := []rune(s); len(r) > 60 {
		s = string(r[:60])
	}
	return s
}
