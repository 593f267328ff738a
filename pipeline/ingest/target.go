package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/sources"
)

// ErrBadTarget marks a target OpenTarget cannot take: not a regular file,
// or a URL the HTTP location refuses.
var ErrBadTarget = errors.New("not a file or URL kbops can read")

// OpenTarget opens a file or URL as the one item of a source like spec,
// for `kbops extract`, which previews one document as ingest reads it:
// a file through the folder location (its key is its base name), a URL
// through the HTTP location (so that its timeouts, retries, size limit and
// content type apply). cleanup releases the location.
func OpenTarget(ctx context.Context, spec sources.Spec, target string) (sources.Location, sources.Item, func(), error) {
	none := func() {}
	if !strings.HasPrefix(target, "http://") && !strings.HasPrefix(target, "https://") {
		st, err := os.Stat(target)
		if err != nil {
			return nil, sources.Item{}, none, fmt.Errorf("read %s: %w", target, err)
		}
		if !st.Mode().IsRegular() {
			return nil, sources.Item{}, none, fmt.Errorf("%s: %w", target, ErrBadTarget)
		}
		abs, err := filepath.Abs(target)
		if err != nil {
			return nil, sources.Item{}, none, err
		}
		// The folder itself is the location: listing it would walk every
		// folder below it, and only this file is wanted.
		spec.Type, spec.Location = "folder", sources.Locations{filepath.Dir(abs)}
		loc, err := sources.Default.OpenLocation(ctx, spec, sources.Env{})
		if err != nil {
			return nil, sources.Item{}, none, err
		}
		it := sources.Item{Key: filepath.Base(abs), URI: "file://" + filepath.ToSlash(abs), Size: st.Size(), ModTime: st.ModTime()}
		return loc, it, func() { CloseLocation(loc) }, nil
	}
	cache, err := os.MkdirTemp("", "kbops-extract-")
	if err != nil {
		return nil, sources.Item{}, none, err
	}
	cleanup := func() { os.RemoveAll(cache) }
	spec.Type, spec.Location = "http", sources.Locations{target}
	var n yaml.Node
	_ = yaml.Unmarshal([]byte("retries: 1\ntimeout: 60s"), &n)
	spec.Options = *n.Content[0]
	loc, err := sources.Default.OpenLocation(ctx, spec, sources.Env{Cache: cache})
	if err != nil {
		cleanup()
		return nil, sources.Item{}, none, fmt.Errorf("%v: %w", err, ErrBadTarget)
	}
	cleanup = func() { CloseLocation(loc); os.RemoveAll(cache) }
	items, errs, err := loc.List(ctx)
	if err == nil && len(errs) > 0 {
		err = errs[0]
	}
	if err == nil && len(items) == 0 {
		err = fmt.Errorf("%s: not found (HTTP 404)", target)
	}
	if err != nil {
		cleanup()
		return nil, sources.Item{}, none, err
	}
	return loc, items[0], cleanup, nil
}

// CloseLocation closes a location that holds resources.
func CloseLocation(loc sources.Location) {
	if c, ok := loc.(sources.Closer); ok {
		_ = c.Close()
	}
}
