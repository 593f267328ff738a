// Package kbrepo reads and writes the knowledge repository's git objects
// directly: ingestion and approvals commit to the review branch while a
// person may have main checked out. When the branch that moves is the one
// checked out, only the paths the move changes are written to the working
// tree, and local work is never overwritten or removed (see MoveBranch).
// Every branch move is compare-and-swap.
//
// Trees are handled as flat maps from slash paths to blob entries; a commit
// is written from a parent's map plus changes. This keeps large knowledge
// bases (100,000 unit files) cheap to update: only the changed blobs and
// the trees above them are written.
package kbrepo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"os"
	"sort"
	"strings"
	"time"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/ProtonMail/go-crypto/openpgp"

	"github.com/kbops/kbops/sources/gitauth"
)

// Entry is one file of a tree.
type Entry struct {
	Hash plumbing.Hash
	Mode filemode.FileMode
}

// Tree is a flat view of a git tree: slash path → file.
type Tree map[string]Entry

// Repo is an open knowledge repository.
type Repo struct {
	Git *git.Repository
	Dir string
	// Locker takes the cross-process write lock (see WriteLock); nil
	// takes none.
	Locker Locker
	// PackFrom is the number of new objects from which a commit writes a
	// pack rather than loose objects: 0 means PackThreshold, a negative
	// value never (every object loose, as before packs were written).
	PackFrom int
}

// Init creates a repository in dir with main as its initial branch.
func Init(dir, main string) (*Repo, error) {
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName(main)},
	})
	if err != nil {
		return nil, fmt.Errorf("git init %s: %w", dir, err)
	}
	if r, err = openGit(dir); err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	}
	return &Repo{Git: r, Dir: dir}, nil
}

// Open opens the repository at dir.
func Open(dir string) (*Repo, error) {
	r, err := openGit(dir)
	if err != nil {
		return nil, fmt.Errorf("open git repository %s: %w", dir, err)
	}
	return &Repo{Git: r, Dir: dir}, nil
}

// Branch returns the commit a branch points to; ok is false when the
// branch does not exist.
func (r *Repo) Branch(name string) (h plumbing.Hash, ok bool, err error) {
	ref, err := r.Git.Reference(plumbing.NewBranchReferenceName(name), true)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("read branch %s: %w", name, err)
	}
	return ref.Hash(), true, nil
}

// Resolve turns a branch name, tag or commit hash into a commit hash.
func (r *Repo) Resolve(rev string) (plumbing.Hash, error) {
	h, err := r.Git.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("resolve %q: %w", rev, err)
	}
	return *h, nil
}

// Tree returns the flat tree of a commit; the zero hash gives an empty tree.
func (r *Repo) Tree(commit plumbing.Hash) (Tree, error) {
	out := Tree{}
	if commit.IsZero() {
		return out, nil
	}
	c, err := r.Git.CommitObject(commit)
	if err != nil {
		return nil, fmt.Errorf("read commit %s: %w", commit, err)
	}
	t, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("read tree of %s: %w", commit, err)
	}
	w := object.NewTreeWalker(t, true, nil)
	defer w.Close()
	for {
		name, e, err := w.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("walk tree of %s: %w", commit, err)
		}
		if e.Mode.IsFile() {
			out[name] = Entry{e.Hash, e.Mode}
		}
	}
	return out, nil
}

// Read returns a blob's bytes.
func (r *Repo) Read(h plumbing.Hash) ([]byte, error) {
	b, err := r.Git.BlobObject(h)
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	rd, err := b.Reader()
	if err != nil {
		return nil, fmt.Errorf("read blob %s: %w", h, err)
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// ReadPath returns the bytes of path in tree t; ok is false when absent.
func (r *Repo) ReadPath(t Tree, p string) ([]byte, bool, error) {
	e, ok := t[p]
	if !ok {
		return nil, false, nil
	}
	b, err := r.Read(e.Hash)
	return b, err == nil, err
}

// BlobHash is the git hash the bytes would have as a blob, without writing.
func BlobHash(b []byte) plumbing.Hash {
	return plumbing.ComputeHash(plumbing.BlobObject, b)
}

// Signature parses "Name <email>" into a git signature at time now.
func Signature(who string, now time.Time) (object.Signature, error) {
	a, err := mail.ParseAddress(who)
	if err != nil {
		return object.Signature{}, fmt.Errorf("%q is not \"Name <email>\": %w", who, err)
	}
	name := a.Name
	if name == "" {
		name = a.Address
	}
	return object.Signature{Name: name, Email: a.Address, When: now}, nil
}

// Change sets a path's content; nil Data deletes the path.
type Change struct {
	Path string
	Data []byte
}

// CommitOptions describe a commit.
type CommitOptions struct {
	// Branch to move to the new commit.
	Branch string
	// Parents of the commit; the first one's tree is the base for Changes.
	Parents []plumbing.Hash
	// Base overrides the tree the changes apply to (merges); nil means
	// the first parent's tree.
	Base    Tree
	Changes []Change
	Message string
	Author  object.Signature
	// AllowEmpty commits even when the tree does not change.
	AllowEmpty bool
	// SignKey, when set, signs the commit with this OpenPGP key (an
	// entity with a decrypted private key), as `git commit -S` would, so
	// that `git verify-commit` and (*object.Commit).Verify accept it.
	SignKey *openpgp.Entity
}

// ErrNothingToCommit is returned when the changes leave the tree as it was.
var ErrNothingToCommit = errors.New("nothing to commit")

// Commit writes blobs, trees and a commit, and moves the branch to it
// compare-and-swap: the branch must still point at the first parent (or
// not exist yet), else ErrBranchMoved and the branch stays. It returns
// ErrNothingToCommit, writing nothing, when the tree would not change. A
// checkout of the branch follows as MoveBranch describes.
func (r *Repo) Commit(ctx context.Context, o CommitOptions) (plumbing.Hash, error) {
	base := o.Base
	if base == nil {
		var err error
		var parent plumbing.Hash
		if len(o.Parents) > 0 {
			parent = o.Parents[0]
		}
		if base, err = r.Tree(parent); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	next := make(Tree, len(base)+len(o.Changes))
	for k, v := range base {
		next[k] = v
	}
	changed := o.Base != nil
	batch := newObjectBatch()
	for _, c := range o.Changes {
		if err := ctx.Err(); err != nil {
			return plumbing.ZeroHash, err
		}
		if c.Data == nil {
			if _, ok := next[c.Path]; ok {
				delete(next, c.Path)
				changed = true
			}
			continue
		}
		h := BlobHash(c.Data)
		if old, ok := next[c.Path]; ok && old.Hash == h {
			continue
		}
		if _, err := r.writeObject(batch, plumbing.BlobObject, c.Data); err != nil {
			return plumbing.ZeroHash, err
		}
		next[c.Path] = Entry{h, filemode.Regular}
		changed = true
	}
	treeHash, err := r.writeTree(batch, next)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if !changed && !o.AllowEmpty {
		return plumbing.ZeroHash, ErrNothingToCommit
	}
	if len(o.Parents) > 0 && !o.AllowEmpty {
		pc, err := r.Git.CommitObject(o.Parents[0])
		if err == nil && pc.TreeHash == treeHash && len(o.Parents) == 1 {
			return plumbing.ZeroHash, ErrNothingToCommit
		}
	}
	c := &object.Commit{
		Author: o.Author, Committer: o.Author, Message: o.Message,
		TreeHash: treeHash, ParentHashes: o.Parents,
	}
	if o.SignKey != nil {
		if err := signCommit(c, o.SignKey); err != nil {
			return plumbing.ZeroHash, err
		}
	}
	obj := r.Git.Storer.NewEncodedObject()
	if err := c.Encode(obj); err != nil {
		return plumbing.ZeroHash, fmt.Errorf("encode commit: %w", err)
	}
	h, err := batch.add(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write commit: %w", err)
	}
	if err := r.flushBatch(batch); err != nil {
		return plumbing.ZeroHash, err
	}
	// The branch must still be where the caller read it: at the first
	// parent, or absent when the commit creates it.
	old := plumbing.ZeroHash
	cur, ok, err := r.Branch(o.Branch)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if ok {
		if len(o.Parents) == 0 || cur != o.Parents[0] {
			return plumbing.ZeroHash, fmt.Errorf("commit to %s: %w (it is at %s, the commit was made on another); run the command again", o.Branch, ErrBranchMoved, short(cur))
		}
		old = cur
	}
	if err := r.MoveBranch(o.Branch, old, h); err != nil {
		return plumbing.ZeroHash, err
	}
	return h, nil
}

// DeleteBranch removes a branch; a missing branch is not an error.
func (r *Repo) DeleteBranch(name string) error {
	err := r.Git.Storer.RemoveReference(plumbing.NewBranchReferenceName(name))
	if err != nil && !errors.Is(err, plumbing.ErrReferenceNotFound) {
		return fmt.Errorf("delete branch %s: %w", name, err)
	}
	return nil
}

func (r *Repo) writeObject(b *objectBatch, t plumbing.ObjectType, data []byte) (plumbing.Hash, error) {
	obj := r.Git.Storer.NewEncodedObject()
	obj.SetType(t)
	obj.SetSize(int64(len(data)))
	w, err := obj.Writer()
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if _, err := w.Write(data); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := w.Close(); err != nil {
		return plumbing.ZeroHash, err
	}
	h, err := b.add(obj)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("write %s object: %w", t, err)
	}
	return h, nil
}

// writeTree writes the nested trees of a flat tree into b and returns the
// root. A tree the repository holds already is not written again: most
// folders of a large commit are unchanged.
func (r *Repo) writeTree(b *objectBatch, t Tree) (plumbing.Hash, error) {
	type dir struct {
		files map[string]Entry
		dirs  map[string]*dir
	}
	newDir := func() *dir { return &dir{files: map[string]Entry{}, dirs: map[string]*dir{}} }
	root := newDir()
	for p, e := range t {
		d := root
		parts := strings.Split(p, "/")
		for _, part := range parts[:len(parts)-1] {
			sub, ok := d.dirs[part]
			if !ok {
				sub = newDir()
				d.dirs[part] = sub
			}
			d = sub
		}
		d.files[parts[len(parts)-1]] = e
	}
	var write func(d *dir) (plumbing.Hash, error)
	write = func(d *dir) (plumbing.Hash, error) {
		var entries []object.TreeEntry
		for name, e := range d.files {
			entries = append(entries, object.TreeEntry{Name: name, Mode: e.Mode, Hash: e.Hash})
		}
		for name, sub := range d.dirs {
			h, err := write(sub)
			if err != nil {
				return plumbing.ZeroHash, err
			}
			entries = append(entries, object.TreeEntry{Name: name, Mode: filemode.Dir, Hash: h})
		}
		// git orders tree entries by name, directories as if they ended in "/".
		sort.Slice(entries, func(i, j int) bool {
			a, b := entries[i].Name, entries[j].Name
			if entries[i].Mode == filemode.Dir {
				a += "/"
			}
			if entries[j].Mode == filemode.Dir {
				b += "/"
			}
			return a < b
		})
		obj := r.Git.Storer.NewEncodedObject()
		if err := (&object.Tree{Entries: entries}).Encode(obj); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("encode tree: %w", err)
		}
		if h := obj.Hash(); b.has(h) || r.Git.Storer.HasEncodedObject(h) == nil {
			return h, nil
		}
		return b.add(obj)
	}
	return write(root)
}

// IsAncestor reports whether a is an ancestor of (or equal to) b.
func (r *Repo) IsAncestor(a, b plumbing.Hash) (bool, error) {
	if a == b {
		return true, nil
	}
	ca, err := r.Git.CommitObject(a)
	if err != nil {
		return false, err
	}
	cb, err := r.Git.CommitObject(b)
	if err != nil {
		return false, err
	}
	return ca.IsAncestor(cb)
}

// MergeBase returns the best common ancestor of a and b.
func (r *Repo) MergeBase(a, b plumbing.Hash) (plumbing.Hash, error) {
	ca, err := r.Git.CommitObject(a)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	cb, err := r.Git.CommitObject(b)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	bases, err := ca.MergeBase(cb)
	if err != nil {
		return plumbing.ZeroHash, err
	}
	if len(bases) == 0 {
		return plumbing.ZeroHash, nil
	}
	return bases[0].Hash, nil
}

// Merge3 merges file-level changes of ours and theirs relative to base.
// Unit files are small and independent, so a path changed on both sides in
// different ways is a conflict to resolve by hand, not a line merge.
func Merge3(base, ours, theirs Tree) (Tree, []string) {
	out := Tree{}
	var conflicts []string
	paths := map[string]bool{}
	for _, t := range []Tree{base, ours, theirs} {
		for p := range t {
			paths[p] = true
		}
	}
	for p := range paths {
		b, bok := base[p]
		o, ook := ours[p]
		t, tok := theirs[p]
		switch {
		case ook == tok && o == t: // same on both sides
			if ook {
				out[p] = o
			}
		case bok == ook && b == o: // only theirs changed
			if tok {
				out[p] = t
			}
		case bok == tok && b == t: // only ours changed
			if ook {
				out[p] = o
			}
		default:
			conflicts = append(conflicts, p)
			if ook {
				out[p] = o
			}
		}
	}
	sort.Strings(conflicts)
	return out, conflicts
}

// Changed lists the paths that differ between two trees, sorted.
func Changed(a, b Tree) []string {
	var out []string
	for p, e := range b {
		if a[p] != e {
			out = append(out, p)
		}
	}
	for p := range a {
		if _, ok := b[p]; !ok {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

// RemoteURL returns the URL a remote stands for: the first URL of the
// configured remote of that name, else remote itself (a URL or a path);
// "" for "". Callers compare its host with a source's to decide whether
// the workspace token belongs to that source.
func (r *Repo) RemoteURL(remote string) string {
	if remote == "" {
		return ""
	}
	if rem, err := r.Git.Remote(remote); err == nil {
		if urls := rem.Config().URLs; len(urls) > 0 {
			return urls[0]
		}
	}
	return remote
}

// remoteAuth returns the authentication to send with the token to the
// remote's URLs: basic auth for http(s) URLs, none for others (ssh has its
// own keys, paths need none) or without a token. A token due to a plain
// http URL of a host that is not loopback is refused before any traffic.
func remoteAuth(urls []string, token string) (transport.AuthMethod, error) {
	if token == "" {
		return nil, nil
	}
	send := false
	for _, u := range urls {
		if !gitauth.IsHTTP(u) {
			continue
		}
		if err := gitauth.CheckSend(u); err != nil {
			return nil, fmt.Errorf("the git token is not sent: %w", err)
		}
		send = true
	}
	if !send {
		return nil, nil
	}
	return &http.BasicAuth{Username: "kbops", Password: token}, nil
}

// Push pushes a branch to a remote (a configured remote name or a URL).
// The token, if any, comes from the caller (the environment), never from
// the repository's config; it is sent only to https URLs and to http URLs
// of loopback hosts (see remoteAuth).
func (r *Repo) Push(ctx context.Context, remote, branch, token string) error {
	return r.PushBranch(ctx, remote, branch, token, true)
}

// PushBranch is Push; without force the remote refuses a push that would
// drop commits it has (someone else pushed first: fetch and decide again).
func (r *Repo) PushBranch(ctx context.Context, remote, branch, token string, force bool) error {
	ref := plumbing.NewBranchReferenceName(branch)
	spec := ref.String() + ":" + ref.String()
	if force {
		spec = "+" + spec
	}
	opts := &git.PushOptions{
		RefSpecs: []gitconfig.RefSpec{gitconfig.RefSpec(spec)},
	}
	var rem *git.Remote
	if named, lookErr := r.Git.Remote(remote); lookErr == nil {
		opts.RemoteName, rem = remote, named
	} else if _, statErr := os.Stat(remote); statErr == nil || strings.Contains(remote, "://") {
		// A URL or path: push through an unnamed remote, so nothing is
		// added to the repository's config.
		opts.RemoteName = "kbops-push"
		rem = git.NewRemote(r.Git.Storer, &gitconfig.RemoteConfig{Name: opts.RemoteName, URLs: []string{remote}})
	} else {
		return fmt.Errorf("push: no remote %q; add it with `git remote add %s URL` or set git.remote to a URL", remote, remote)
	}
	auth, err := remoteAuth(rem.Config().URLs, token)
	if err != nil {
		return fmt.Errorf("push %s to %s: %w", branch, remote, err)
	}
	opts.Auth = auth
	err = rem.PushContext(ctx, opts)
	if errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("push %s to %s: %w", branch, remote, err)
	}
	return nil
}
