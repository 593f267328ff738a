package kbrepo

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/format/index"
	"github.com/go-git/go-git/v5/storage"
)

// ErrBranchMoved is returned when a branch no longer points where the
// caller read it: another writer moved it first. Read it again and redo
// the change; nothing was written to the branch.
var ErrBranchMoved = errors.New("branch moved since it was read")

// DirtyError refuses a branch move that would overwrite local work: the
// listed tracked paths differ from the commit the checkout is on (edited,
// staged or deleted), or an untracked file stands where the new commit
// puts a tracked one. Nothing was changed.
type DirtyError struct {
	Branch string
	Paths  []string
}

func (e *DirtyError) Error() string {
	shown := e.Paths
	more := ""
	if len(shown) > 5 {
		shown, more = shown[:5], fmt.Sprintf(" and %d more", len(e.Paths)-5)
	}
	return fmt.Sprintf("the checkout of %s has local changes in the way: %s%s; commit or stash them (git stash -u), then run the command again",
		e.Branch, strings.Join(shown, ", "), more)
}

// MoveBranch moves a branch from old to h, compare-and-swap: when the
// branch no longer points at old (the zero hash: when it exists at all)
// it returns ErrBranchMoved and changes nothing.
//
// When the branch is checked out, the working tree and index follow the
// move the way `git checkout` carries local state: only the tracked paths
// that differ between the old and the new tree are written or removed,
// untracked and ignored files are never touched, and a local change to one
// of those paths refuses the whole move with a *DirtyError naming it.
func (r *Repo) MoveBranch(name string, old, h plumbing.Hash) error {
	unlock, err := r.lockRefs()
	if err != nil {
		return err
	}
	defer unlock()
	refName := plumbing.NewBranchReferenceName(name)
	cur, ok, err := r.Branch(name)
	if err != nil {
		return err
	}
	if (ok && cur != old) || (!ok && !old.IsZero()) {
		return fmt.Errorf("move %s: %w (expected %s, found %s); run the command again", name, ErrBranchMoved, short(old), short(cur))
	}
	var sync *worktreeSync
	if r.checkedOut(refName) {
		if sync, err = r.planSync(name, cur, h); err != nil {
			return err
		}
	}
	newRef := plumbing.NewHashReference(refName, h)
	if ok {
		err = r.Git.Storer.CheckAndSetReference(newRef, plumbing.NewHashReference(refName, cur))
	} else {
		err = r.Git.Storer.SetReference(newRef)
	}
	if errors.Is(err, storage.ErrReferenceHasChanged) {
		return fmt.Errorf("move %s: %w; run the command again", name, ErrBranchMoved)
	}
	if err != nil {
		return fmt.Errorf("move branch %s: %w", name, err)
	}
	if sync != nil {
		if err := sync.apply(); err != nil {
			return fmt.Errorf("update checkout of %s: %w", name, err)
		}
	}
	return nil
}

// SetBranch points a branch at h, compare-and-swap against the value it
// has now; see MoveBranch for what happens to a checkout of it.
func (r *Repo) SetBranch(name string, h plumbing.Hash) error {
	cur, _, err := r.Branch(name)
	if err != nil {
		return err
	}
	if cur == h {
		return nil
	}
	return r.MoveBranch(name, cur, h)
}

// Checkout makes HEAD the branch name, bringing the working tree from the
// commit HEAD is on to the branch's commit with the same care as
// MoveBranch: only paths that differ are touched, local changes in the
// way refuse it. A bare repository only moves HEAD.
func (r *Repo) Checkout(name string) error {
	unlock, err := r.lockRefs()
	if err != nil {
		return err
	}
	defer unlock()
	to, ok, err := r.Branch(name)
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("checkout %s: no such branch", name)
	}
	var from plumbing.Hash
	if head, err := r.Git.Reference(plumbing.HEAD, true); err == nil {
		from = head.Hash()
	}
	sync, err := r.planSync(name, from, to)
	if err != nil {
		return err
	}
	if err := r.Git.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName(name))); err != nil {
		return fmt.Errorf("checkout %s: %w", name, err)
	}
	if sync != nil {
		return sync.apply()
	}
	return nil
}

// HeadBranch returns the branch HEAD names, or "" when HEAD is detached.
func (r *Repo) HeadBranch() string {
	head, err := r.Git.Reference(plumbing.HEAD, false)
	if err != nil || head.Type() != plumbing.SymbolicReference || !head.Target().IsBranch() {
		return ""
	}
	return head.Target().Short()
}

func (r *Repo) checkedOut(ref plumbing.ReferenceName) bool {
	head, err := r.Git.Reference(plumbing.HEAD, false)
	return err == nil && head.Type() == plumbing.SymbolicReference && head.Target() == ref
}

// lockRefs serialises kbops's own ref moves in this repository, so that
// "read, compare, set" is atomic also where go-git cannot express "the
// branch must not exist yet"; git's own ref locking still guards against
// other git programs through CheckAndSetReference.
func (r *Repo) lockRefs() (func(), error) {
	gitDir := filepath.Join(r.Dir, ".git")
	if st, err := os.Stat(gitDir); err != nil || !st.IsDir() {
		gitDir = r.Dir // bare repository
	}
	f, err := os.OpenFile(filepath.Join(gitDir, "kbops-refs.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock refs: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock refs: %w", err)
	}
	return func() {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}

func short(h plumbing.Hash) string {
	if h.IsZero() {
		return "no branch"
	}
	return h.String()[:12]
}

// worktreeSync is a planned update of a checkout: the paths to write and
// remove, checked against local changes before anything moved.
type worktreeSync struct {
	r    *Repo
	root string
	idx  *index.Index
	// entries indexes idx.Entries by path; read once by planSync.
	entries map[string]*index.Entry
	write   []string
	remove  []string
	prev    Tree
	next    Tree
}

// planSync compares the trees of from and to and checks every path that
// differs: its working file and index entry must match from's tree.
func (r *Repo) planSync(branch string, from, to plumbing.Hash) (*worktreeSync, error) {
	wt, err := r.Git.Worktree()
	if err != nil {
		return nil, nil // bare repository: nothing to update
	}
	root := wt.Filesystem.Root()
	oldT, err := r.Tree(from)
	if err != nil {
		return nil, err
	}
	newT, err := r.Tree(to)
	if err != nil {
		return nil, err
	}
	idx, err := r.Git.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("read the index: %w", err)
	}
	entries := make(map[string]*index.Entry, len(idx.Entries))
	for _, e := range idx.Entries {
		entries[e.Name] = e
	}
	s := &worktreeSync{r: r, root: root, idx: idx, entries: entries, prev: oldT, next: newT}
	var dirty []string
	for _, p := range Changed(oldT, newT) {
		if !s.matches(p, oldT, entries[p]) && !s.alreadyThere(p, oldT, newT, entries[p]) {
			dirty = append(dirty, p)
			continue
		}
		if _, ok := newT[p]; ok {
			s.write = append(s.write, p)
		} else {
			s.remove = append(s.remove, p)
		}
	}
	if len(dirty) > 0 {
		return nil, &DirtyError{Branch: branch, Paths: dirty}
	}
	return s, nil
}

// matches reports whether path p is, in the index and on disk, what the
// old tree says (absent where the old tree has no such path).
func (s *worktreeSync) matches(p string, oldT Tree, ie *index.Entry) bool {
	oe, inOld := oldT[p]
	if inOld != (ie != nil) || (ie != nil && ie.Hash != oe.Hash) {
		return false // staged change
	}
	full := filepath.Join(s.root, filepath.FromSlash(p))
	st, err := os.Lstat(full)
	if !inOld {
		return errors.Is(err, os.ErrNotExist)
	}
	if err != nil {
		return false // deleted locally
	}
	if st.Mode().IsRegular() && uint32(st.Size()) == ie.Size && st.ModTime().Equal(ie.ModifiedAt) {
		return true // unchanged since the index recorded it
	}
	var b []byte
	if st.Mode()&os.ModeSymlink != 0 {
		t, err := os.Readlink(full)
		if err != nil {
			return false
		}
		b = []byte(t)
	} else if b, err = os.ReadFile(full); err != nil {
		return false
	}
	return BlobHash(b) == oe.Hash
}

// alreadyThere reports whether an untracked file where the new tree puts
// p already holds exactly the new content: nothing is lost by tracking it.
func (s *worktreeSync) alreadyThere(p string, oldT, newT Tree, ie *index.Entry) bool {
	ne, inNew := newT[p]
	if _, inOld := oldT[p]; inOld || !inNew || ie != nil {
		return false
	}
	b, err := os.ReadFile(filepath.Join(s.root, filepath.FromSlash(p)))
	return err == nil && BlobHash(b) == ne.Hash
}

// apply writes and removes the planned paths and records them in the
// index, keeping every other index entry (and its stat data) as it was.
func (s *worktreeSync) apply() error {
	entries := s.entries
	var firstErr error
	for _, p := range s.remove {
		full := filepath.Join(s.root, filepath.FromSlash(p))
		if err := os.Remove(full); err != nil && !errors.Is(err, os.ErrNotExist) {
			firstErr = errors.Join(firstErr, err)
			continue
		}
		delete(entries, p)
		removeEmptyParents(s.root, filepath.Dir(full))
	}
	for i, ie := range s.writeAll() {
		if ie.err != nil {
			firstErr = errors.Join(firstErr, ie.err)
			continue
		}
		entries[s.write[i]] = ie.entry
	}
	s.idx.Entries = s.idx.Entries[:0]
	for _, e := range entries {
		s.idx.Entries = append(s.idx.Entries, e)
	}
	sort.Slice(s.idx.Entries, func(i, j int) bool { return s.idx.Entries[i].Name < s.idx.Entries[j].Name })
	s.idx.Cache = nil // the tree cache describes the old tree
	if err := s.r.Git.Storer.SetIndex(s.idx); err != nil {
		firstErr = errors.Join(firstErr, fmt.Errorf("write the index: %w", err))
	}
	return firstErr
}

type written struct {
	entry *index.Entry
	err   error
}

// writeAll writes the planned paths, in the order of s.write, making each
// folder once. Files are written one after another: creating files in one
// folder from several goroutines only queues them on the folder's lock.
func (s *worktreeSync) writeAll() []written {
	out := make([]written, len(s.write))
	made := map[string]bool{}
	for i, p := range s.write {
		e := s.next[p]
		data, err := s.r.Read(e.Hash)
		if err != nil {
			out[i].err = err
			continue
		}
		if dir := filepath.Dir(filepath.Join(s.root, filepath.FromSlash(p))); !made[dir] {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				out[i].err = fmt.Errorf("write %s: %w", p, err)
				continue
			}
			made[dir] = true
		}
		out[i].entry, out[i].err = s.writeFile(p, e, data)
	}
	return out
}

// writeFile writes data, the blob of e, at p, whose folder exists.
func (s *worktreeSync) writeFile(p string, e Entry, data []byte) (*index.Entry, error) {
	full := filepath.Join(s.root, filepath.FromSlash(p))
	switch e.Mode {
	case filemode.Symlink:
		_ = os.Remove(full)
		if err := os.Symlink(string(data), full); err != nil {
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
	default:
		perm := os.FileMode(0o644)
		if e.Mode == filemode.Executable {
			perm = 0o755
		}
		if _, tracked := s.prev[p]; !tracked {
			// A path new to the checkout has no old content to keep
			// whole: write it in place, one call to the folder instead
			// of two, unless a file stands there already.
			st, err := writeNew(full, data, perm)
			if err == nil {
				return &index.Entry{Hash: e.Hash, Name: p, Mode: e.Mode, ModifiedAt: st.ModTime(), CreatedAt: st.ModTime(), Size: uint32(st.Size())}, nil
			}
			if !errors.Is(err, os.ErrExist) {
				return nil, fmt.Errorf("write %s: %w", p, err)
			}
		}
		// Write beside and rename, so a crash leaves the old or the new file.
		tmp := full + ".kbops-tmp"
		if err := os.WriteFile(tmp, data, perm); err != nil {
			_ = os.Remove(tmp)
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
		if err := os.Rename(tmp, full); err != nil {
			_ = os.Remove(tmp)
			return nil, fmt.Errorf("write %s: %w", p, err)
		}
	}
	st, err := os.Lstat(full)
	if err != nil {
		return nil, fmt.Errorf("write %s: %w", p, err)
	}
	return &index.Entry{Hash: e.Hash, Name: p, Mode: e.Mode, ModifiedAt: st.ModTime(), CreatedAt: st.ModTime(), Size: uint32(st.Size())}, nil
}

// writeNew creates the file full with data, failing with os.ErrExist when
// something is there, and returns its stat after the write.
func writeNew(full string, data []byte, perm os.FileMode) (os.FileInfo, error) {
	f, err := os.OpenFile(full, os.O_WRONLY|os.O_CREATE|os.O_EXCL, perm)
	if err != nil {
		return nil, err
	}
	_, err = f.Write(data)
	var st os.FileInfo
	if err == nil {
		st, err = f.Stat()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(full)
		return nil, err
	}
	return st, nil
}

// removeEmptyParents removes dir and its parents up to root while they
// are empty, as git does when the last file of a folder goes.
func removeEmptyParents(root, dir string) {
	for dir != root && strings.HasPrefix(dir, root) {
		if err := os.Remove(dir); err != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}
