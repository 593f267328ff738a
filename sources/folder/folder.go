// Package folder is the Location for local folders and globs.
//
// The location is a folder (every file below it) or a glob such as
// "manuals/**/*.pdf" (relative to the workspace root unless absolute).
// Item keys are slash-separated paths relative to the folder, or to the
// glob's fixed prefix. Versions are content hashes, because modification
// times change on every git checkout and would make unchanged documents
// look new.
package folder

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kbops/kbops/sources"
)

func init() {
	// A path or glob is what remains when no other plugin claims a
	// location, so the folder claims everything, weakly.
	sources.Default.RegisterScheme(sources.Scheme{Name: "folder", New: New, Claims: func(string) int { return 1 }})
}

// Options are the folder location's settings under a source's `options:`.
type Options struct {
	// MaxFileSize skips files larger than this many bytes, reporting them
	// (default 256 MiB): a stray disk image must not stall a nightly run.
	MaxFileSize int64 `yaml:"max_file_size"`
	// FollowSymlinks follows symbolic links to files (default false: a
	// link out of the folder could pull in files nobody meant to publish).
	FollowSymlinks bool `yaml:"follow_symlinks"`
}

// DefaultMaxFileSize is the default of Options.MaxFileSize.
const DefaultMaxFileSize = 256 << 20

// Folder lists files below a root, optionally filtered by a glob.
type Folder struct {
	root    string // absolute folder
	pattern string // slash glob relative to root, "" for all files
	include []string
	exclude []string
	opts    Options
}

// New makes a Folder from a source spec; relative paths resolve against
// env.Base.
func New(_ context.Context, spec sources.Spec, env sources.Env) (sources.Location, error) {
	opts := Options{MaxFileSize: DefaultMaxFileSize}
	if err := spec.DecodeOptions(&opts); err != nil {
		return nil, err
	}
	if len(spec.Location) != 1 {
		return nil, fmt.Errorf("source %q: a folder location is one path or glob, got %d", spec.Name, len(spec.Location))
	}
	loc := filepath.FromSlash(spec.Location[0])
	if !filepath.IsAbs(loc) {
		loc = filepath.Join(env.Base, loc)
	}
	root, pattern := splitGlob(loc)
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("source %q: location %s: %w; check `location:` in kbops.yaml", spec.Name, root, err)
	}
	if !st.IsDir() {
		// A single file: its folder is the root, its name the pattern.
		root, pattern = filepath.Dir(root), filepath.Base(root)
	}
	return &Folder{root: root, pattern: pattern, include: spec.Include, exclude: spec.Exclude, opts: opts}, nil
}

// splitGlob splits a path into the folder before the first glob
// metacharacter and the slash pattern after it.
func splitGlob(p string) (root, pattern string) {
	p = filepath.ToSlash(p)
	i := strings.IndexAny(p, "*?[{")
	if i < 0 {
		return filepath.FromSlash(p), ""
	}
	slash := strings.LastIndex(p[:i], "/")
	if slash < 0 {
		return ".", p
	}
	return filepath.FromSlash(p[:slash]), p[slash+1:]
}

// List walks the folder. Unreadable files and folders are reported, not fatal.
func (f *Folder) List(ctx context.Context) ([]sources.Item, []error, error) {
	var items []sources.Item
	var errs []error
	err := filepath.WalkDir(f.root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		rel, _ := filepath.Rel(f.root, p)
		key := filepath.ToSlash(rel)
		if err != nil {
			if p == f.root {
				return err
			}
			errs = append(errs, &sources.ItemError{Key: key, Err: err})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != f.root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir // .git, .kbops and other hidden folders
			}
			return nil
		}
		if strings.HasPrefix(d.Name(), ".") || !f.wanted(key) {
			return nil
		}
		info, err := os.Stat(p)
		if d.Type()&fs.ModeSymlink != 0 && !f.opts.FollowSymlinks {
			return nil
		}
		if err != nil {
			errs = append(errs, &sources.ItemError{Key: key, Err: err})
			return nil
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		if f.opts.MaxFileSize > 0 && info.Size() > f.opts.MaxFileSize {
			errs = append(errs, &sources.ItemError{Key: key, Err: fmt.Errorf("%w (%d bytes > max_file_size %d); raise options.max_file_size or exclude the file", sources.ErrTooLarge, info.Size(), f.opts.MaxFileSize)})
			return nil
		}
		sum, err := hashFile(ctx, p)
		if err != nil {
			errs = append(errs, &sources.ItemError{Key: key, Err: err})
			return nil
		}
		items = append(items, sources.Item{
			Key: key, URI: "file://" + filepath.ToSlash(p), Version: sum,
			Size: info.Size(), ModTime: info.ModTime().UTC(),
		})
		return nil
	})
	if err != nil {
		return nil, errs, fmt.Errorf("list %s: %w", f.root, err)
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Key < items[j].Key })
	return items, errs, nil
}

func (f *Folder) wanted(key string) bool {
	if f.pattern != "" && !sources.MatchGlob(f.pattern, key) {
		return false
	}
	return sources.Wanted(f.include, f.exclude, key)
}

// Open opens the item's file.
func (f *Folder) Open(ctx context.Context, it sources.Item) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if !fs.ValidPath(it.Key) {
		return nil, &sources.ItemError{Key: it.Key, Err: errors.New("not a relative path inside the location")}
	}
	r, err := os.Open(filepath.Join(f.root, filepath.FromSlash(it.Key)))
	if err != nil {
		return nil, &sources.ItemError{Key: it.Key, Err: err}
	}
	return r, nil
}

func hashFile(ctx context.Context, p string) (string, error) {
	r, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, sources.ContextReader(ctx, r)); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// Match is sources.MatchGlob, kept for callers of this package.
func Match(pattern, key string) bool { return sources.MatchGlob(pattern, key) }
