package kbrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/go-git/go-billy/v5/osfs"
	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/format/packfile"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/storage/filesystem"
	"github.com/go-git/go-git/v5/storage/memory"
)

// PackThreshold is the number of new objects from which a commit writes
// them as one pack instead of one loose file each. An ingest or an
// approval of many units writes as many blobs as units; as loose objects
// they cost a file creation, a rename and a directory entry each, and
// reading them back later costs an open per object (docs/performance.md).
// Below it, loose objects are what git itself writes for small commits.
const PackThreshold = 256

// packWindow is how many objects before it, in go-git's order (by type,
// then size), each object of a pack is tried against as a delta base.
// Each approval stage writes every approvals file again with one record
// more, and files of one stage share most of their lines, so a near
// neighbour is as good a base as any: at 40,000 units git's own default
// (pack.window 10) made the consistency stage's pack 4% smaller than 4
// does, for 15.8 s against 12.4 s of the stage (docs/performance.md).
// Bases are only other objects of the same pack, so every pack stands
// alone.
const packWindow = 4

// openPacks is how many pack files an open repository keeps open.
const openPacks = 16

// objectCache bounds go-git's cache of decoded objects. Its default, 96
// MiB, filled with unit and approvals blobs that kbops reads once each
// and keeps parsed itself; trees and delta bases, which are read again,
// fit in much less.
const objectCache = 16 * cache.MiByte

// objectBatch holds the objects of one commit until the commit is sure to
// happen, so that a commit that turns out empty writes nothing and a large
// one is written as one pack.
type objectBatch struct {
	mem    *memory.Storage
	hashes []plumbing.Hash
	seen   map[plumbing.Hash]bool
}

func newObjectBatch() *objectBatch {
	return &objectBatch{mem: memory.NewStorage(), seen: map[plumbing.Hash]bool{}}
}

// add keeps an encoded object; the same object twice is kept once.
func (b *objectBatch) add(o plumbing.EncodedObject) (plumbing.Hash, error) {
	h := o.Hash()
	if b.seen[h] {
		return h, nil
	}
	if _, err := b.mem.SetEncodedObject(o); err != nil {
		return plumbing.ZeroHash, err
	}
	b.seen[h] = true
	b.hashes = append(b.hashes, h)
	return h, nil
}

// has reports whether the batch holds h already.
func (b *objectBatch) has(h plumbing.Hash) bool { return b.seen[h] }

// flushBatch writes the batch into the repository: one pack, with deltas
// between its own objects, from PackThreshold objects on; loose objects
// below, or when the storage cannot take packs.
func (r *Repo) flushBatch(b *objectBatch) error {
	if len(b.hashes) == 0 {
		return nil
	}
	from := r.PackFrom
	if from == 0 {
		from = PackThreshold
	}
	pw, ok := r.Git.Storer.(storer.PackfileWriter)
	if ok && from > 0 && len(b.hashes) >= from {
		w, err := pw.PackfileWriter()
		if err != nil {
			return fmt.Errorf("write pack of %d objects: %w", len(b.hashes), err)
		}
		if _, err := packfile.NewEncoder(w, b.mem, false).Encode(b.hashes, packWindow); err != nil {
			return errors.Join(fmt.Errorf("write pack of %d objects: %w", len(b.hashes), err), w.Close())
		}
		// Close indexes the pack and moves it into objects/pack; only then
		// can the objects be read, so a branch moves after it.
		if err := w.Close(); err != nil {
			return fmt.Errorf("write pack of %d objects: %w", len(b.hashes), err)
		}
		return nil
	}
	for _, h := range b.hashes {
		o, err := b.mem.EncodedObject(plumbing.AnyObject, h)
		if err != nil {
			return err
		}
		if _, err := r.Git.Storer.SetEncodedObject(o); err != nil {
			return fmt.Errorf("write %s object %s: %w", o.Type(), h, err)
		}
	}
	return nil
}

// packAware is the repository's object storage, which looks for the packs
// of other processes when an object is not found. go-git lists the packs
// once per open repository; a pack another process (or another Repo in
// this one) wrote afterwards would stay unseen, and its objects missing,
// for as long as this Repo lives. HasEncodedObject is left as it is: a
// commit asks it of every tree it writes, most are new, and a miss there
// only writes the tree again.
type packAware struct {
	*filesystem.Storage
}

func (s packAware) EncodedObject(t plumbing.ObjectType, h plumbing.Hash) (plumbing.EncodedObject, error) {
	o, err := s.Storage.EncodedObject(t, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		s.Reindex()
		o, err = s.Storage.EncodedObject(t, h)
	}
	return o, err
}

func (s packAware) EncodedObjectSize(h plumbing.Hash) (int64, error) {
	n, err := s.Storage.EncodedObjectSize(h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		s.Reindex()
		n, err = s.Storage.EncodedObjectSize(h)
	}
	return n, err
}

// openGit opens the repository whose working tree is dir with the
// pack-aware storage; a bare repository or a .git file (a linked worktree)
// is opened as go-git opens it.
func openGit(dir string) (*git.Repository, error) {
	if fi, err := os.Stat(filepath.Join(dir, git.GitDirName)); err != nil || !fi.IsDir() {
		return git.PlainOpen(dir)
	}
	wt := osfs.New(dir)
	dot, err := wt.Chroot(git.GitDirName)
	if err != nil {
		return nil, err
	}
	// Without open descriptors go-git opens and indexes a pack for every
	// object it reads from it; a few kept open make reading a pack as
	// cheap as reading loose objects. They close with the process, or
	// when the Repo is garbage.
	st := filesystem.NewStorageWithOptions(dot, cache.NewObjectLRU(objectCache), filesystem.Options{MaxOpenDescriptors: openPacks})
	return git.Open(packAware{st}, wt)
}
