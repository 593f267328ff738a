package reviews

import (
	"bufio"
	"encoding/gob"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
)

// ParseCache keeps parsed unit and approval files by git blob hash, in a
// local file (.kbops/cache/parsed.gob). A blob hash names exact bytes, so
// an entry never goes stale; entries of blobs no longer in the loaded tree
// are dropped on Save. Losing or corrupting the file costs time only.
type ParseCache struct {
	path    string
	Units   map[plumbing.Hash]knowledge.Unit
	Approvs map[plumbing.Hash]ApprovalFile
	used    map[plumbing.Hash]bool
	dirty   bool
}

// OpenParseCache reads the cache file at path; a missing or unreadable
// file gives an empty cache.
func OpenParseCache(path string) *ParseCache {
	c := &ParseCache{path: path, Units: map[plumbing.Hash]knowledge.Unit{}, Approvs: map[plumbing.Hash]ApprovalFile{}, used: map[plumbing.Hash]bool{}}
	f, err := os.Open(path)
	if err != nil {
		return c
	}
	defer f.Close()
	var disk struct {
		Units   map[plumbing.Hash]knowledge.Unit
		Approvs map[plumbing.Hash]ApprovalFile
	}
	if gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&disk) == nil {
		if disk.Units != nil {
			c.Units = disk.Units
		}
		if disk.Approvs != nil {
			c.Approvs = disk.Approvs
		}
	}
	return c
}

func (c *ParseCache) unit(h plumbing.Hash) (*knowledge.Unit, bool) {
	if c == nil {
		return nil, false
	}
	u, ok := c.Units[h]
	if ok {
		c.used[h] = true
	}
	return &u, ok
}

func (c *ParseCache) putUnit(h plumbing.Hash, u *knowledge.Unit) {
	if c == nil {
		return
	}
	c.Units[h], c.used[h], c.dirty = *u, true, true
}

func (c *ParseCache) approvals(h plumbing.Hash) (ApprovalFile, bool) {
	if c == nil {
		return ApprovalFile{}, false
	}
	f, ok := c.Approvs[h]
	if ok {
		c.used[h] = true
	}
	return f, ok
}

func (c *ParseCache) putApprovals(h plumbing.Hash, f ApprovalFile) {
	if c == nil {
		return
	}
	c.Approvs[h], c.used[h], c.dirty = f, true, true
}

// Save writes the cache when it changed, keeping only the entries the last
// load used; it replaces the file atomically.
func (c *ParseCache) Save() error {
	if c == nil || (!c.dirty && len(c.used) == len(c.Units)+len(c.Approvs)) {
		return nil
	}
	for h := range c.Units {
		if !c.used[h] {
			delete(c.Units, h)
		}
	}
	for h := range c.Approvs {
		if !c.used[h] {
			delete(c.Approvs, h)
		}
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".parsed-*")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 1<<20)
	err = gob.NewEncoder(w).Encode(struct {
		Units   map[plumbing.Hash]knowledge.Unit
		Approvs map[plumbing.Hash]ApprovalFile
	}{c.Units, c.Approvs})
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write parse cache: %w", err)
	}
	return os.Rename(tmp.Name(), c.path)
}
