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
// an entry never goes stale; an entry no load used in the last keepSaves
// saves is dropped on Save, so that commands loading different commits
// (publish reads main, approve the review branch, a verify of an empty
// main nothing) do not throw out each other's entries. Losing or
// corrupting the file costs time only.
type ParseCache struct {
	path    string
	Units   map[plumbing.Hash]knowledge.Unit
	Approvs map[plumbing.Hash]ApprovalFile
	// RecIDs are the record ids of approvals-file versions the history
	// walk read (older than any snapshot's): it needs only which records
	// each version holds, and full parsed files of every version were
	// the largest part of the cache.
	RecIDs map[plumbing.Hash]recordIDs
	used   map[plumbing.Hash]bool
	dirty  bool
	// gen counts saves; last is the save that last kept each entry as used.
	gen  uint32
	last map[plumbing.Hash]uint32
}

// keepSaves is how many saves an unused entry survives.
const keepSaves = 4

// OpenParseCache reads the cache file at path; a missing or unreadable
// file gives an empty cache.
func OpenParseCache(path string) *ParseCache {
	c := &ParseCache{path: path, Units: map[plumbing.Hash]knowledge.Unit{}, Approvs: map[plumbing.Hash]ApprovalFile{}, RecIDs: map[plumbing.Hash]recordIDs{}, used: map[plumbing.Hash]bool{}, gen: 1, last: map[plumbing.Hash]uint32{}}
	f, err := os.Open(path)
	if err != nil {
		return c
	}
	defer f.Close()
	var disk struct {
		Units   map[plumbing.Hash]knowledge.Unit
		Approvs map[plumbing.Hash]ApprovalFile
		RecIDs  map[plumbing.Hash]recordIDs
		Gen     uint32
		Last    map[plumbing.Hash]uint32
	}
	if gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&disk) == nil {
		c.gen = disk.Gen + 1
		if disk.Last != nil {
			c.last = disk.Last
		}
		if disk.Units != nil {
			c.Units = disk.Units
		}
		if disk.Approvs != nil {
			c.Approvs = disk.Approvs
		}
		if disk.RecIDs != nil {
			c.RecIDs = disk.RecIDs
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

func (c *ParseCache) recordIDs(h plumbing.Hash) (recordIDs, bool) {
	if c == nil {
		return nil, false
	}
	ids, ok := c.RecIDs[h]
	if ok {
		c.used[h] = true
	}
	return ids, ok
}

func (c *ParseCache) putRecordIDs(h plumbing.Hash, ids recordIDs) {
	if c == nil {
		return
	}
	c.RecIDs[h], c.used[h], c.dirty = ids, true, true
}

// DropUnits frees the parsed units once a load is done and the cache
// saved: the snapshot holds its own copies, and a large base would
// otherwise be held twice. Later lookups of units parse again; the next
// Save writes only what was used since.
func (c *ParseCache) DropUnits() {
	if c == nil {
		return
	}
	for h := range c.Units {
		delete(c.used, h)
	}
	c.Units = map[plumbing.Hash]knowledge.Unit{}
}

// Save writes the cache when it changed, dropping the entries no load
// used in the last keepSaves saves; it replaces the file atomically.
func (c *ParseCache) Save() error {
	if c == nil || (!c.dirty && len(c.used) == len(c.Units)+len(c.Approvs)+len(c.RecIDs)) {
		return nil
	}
	keep := func(h plumbing.Hash) bool {
		last, ok := c.last[h]
		if c.used[h] || !ok { // used now, or from a file without generations
			c.last[h] = c.gen
			return true
		}
		return c.gen-last < keepSaves
	}
	for h := range c.Units {
		if !keep(h) {
			delete(c.Units, h)
		}
	}
	for h := range c.Approvs {
		if !keep(h) {
			delete(c.Approvs, h)
		}
	}
	for h := range c.RecIDs {
		if !keep(h) {
			delete(c.RecIDs, h)
		}
	}
	for h := range c.last {
		_, u := c.Units[h]
		_, a := c.Approvs[h]
		_, r := c.RecIDs[h]
		if !u && !a && !r {
			delete(c.last, h)
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
		RecIDs  map[plumbing.Hash]recordIDs
		Gen     uint32
		Last    map[plumbing.Hash]uint32
	}{c.Units, c.Approvs, c.RecIDs, c.gen, c.last})
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
