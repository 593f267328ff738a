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
	// loaded marks the approvals files a Load of this process took as a
	// snapshot's own: the history walk must not demote those (another
	// snapshot of the process, or the next command on that commit, needs
	// them parsed).
	loaded map[plumbing.Hash]bool
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
	c := &ParseCache{path: path, Units: map[plumbing.Hash]knowledge.Unit{}, Approvs: map[plumbing.Hash]ApprovalFile{}, RecIDs: map[plumbing.Hash]recordIDs{}, used: map[plumbing.Hash]bool{}, loaded: map[plumbing.Hash]bool{}, gen: 1, last: map[plumbing.Hash]uint32{}}
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
		c.used[h], c.loaded[h] = true, true
	}
	return f, ok
}

func (c *ParseCache) putApprovals(h plumbing.Hash, f ApprovalFile) {
	if c == nil {
		return
	}
	c.Approvs[h], c.used[h], c.loaded[h], c.dirty = f, true, true, true
}

// putWritten caches an approvals file a decision has just written, under
// the hash of the bytes it wrote: what a parse of those bytes gives (empty
// lists as none, as a parse leaves them; TestDecideCachesWhatAParseGives).
func (c *ParseCache) putWritten(h plumbing.Hash, f ApprovalFile) {
	if c == nil {
		return
	}
	recs := make([]Record, len(f.Records))
	for i, r := range f.Records {
		if len(r.Waived) == 0 {
			r.Waived = nil
		}
		if len(r.Pins) == 0 {
			r.Pins = nil
		}
		recs[i] = r
	}
	c.Approvs[h], c.used[h], c.dirty = ApprovalFile{Unit: f.Unit, Records: recs}, true, true
}

// olderRecordIDs returns the record ids of an approvals-file version the
// history walk reads as an older one. A version cached whole (it was a
// snapshot's own when an earlier command loaded it: each approval stage
// leaves the one before it) is demoted to its ids unless a Load of this
// process took it: kept whole, every stage of a review cycle stayed in
// the file, and every later command decoded all of them (120,000 parsed
// files at 40,000 units after three stages, where a verify needs 40,000).
// A later Load of a demoted version parses it again, which costs time
// only.
func (c *ParseCache) olderRecordIDs(h plumbing.Hash) (recordIDs, bool) {
	if c == nil {
		return nil, false
	}
	if ids, ok := c.RecIDs[h]; ok {
		c.used[h] = true
		return ids, true
	}
	f, ok := c.Approvs[h]
	if !ok {
		return nil, false
	}
	ids := newRecordIDs(f.Records)
	if c.loaded[h] {
		c.used[h] = true
		return ids, true
	}
	delete(c.Approvs, h)
	c.RecIDs[h], c.used[h], c.dirty = ids, true, true
	return ids, true
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
