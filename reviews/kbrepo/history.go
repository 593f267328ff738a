package kbrepo

import (
	"bytes"
	"container/heap"
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	git "github.com/go-git/go-git/v5"
	gitconfig "github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/ProtonMail/go-crypto/openpgp"
)

// PathChange is a file that one commit changed.
type PathChange struct {
	Path string
	// New is the file's blob after the commit; zero when it was deleted.
	New plumbing.Hash
	// Old holds the file's blob in each parent, in parent order; zero where
	// the parent did not have it. A root commit has one zero entry.
	Old []plumbing.Hash
}

// WalkChanges visits the commits reachable from head, newest first (by
// committer time), each once, and calls fn with the files under prefixes
// that the commit changed. A prefix ending in "/" selects a folder, any
// other prefix one file. A merge commit lists only the files that differ
// from every parent: the others came from a parent and are reported where
// that parent changed them. fn returns false to stop the walk.
//
// Only the subtrees that differ are read, so a commit touching a few files
// of a 100,000-file tree costs a few tree reads.
func (r *Repo) WalkChanges(ctx context.Context, head plumbing.Hash, prefixes []string, fn func(c *object.Commit, changes []PathChange) (bool, error)) error {
	if head.IsZero() {
		return nil
	}
	first, err := r.Git.CommitObject(head)
	if err != nil {
		return fmt.Errorf("read commit %s: %w", head, err)
	}
	q := &commitQueue{first}
	seen := map[plumbing.Hash]bool{head: true}
	for q.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		c := heap.Pop(q).(*object.Commit)
		changes, err := r.commitChanges(c, prefixes)
		if err != nil {
			return err
		}
		more, err := fn(c, changes)
		if err != nil || !more {
			return err
		}
		for _, p := range c.ParentHashes {
			if seen[p] {
				continue
			}
			seen[p] = true
			pc, err := r.Git.CommitObject(p)
			if err != nil {
				return fmt.Errorf("read commit %s (parent of %s): %w", p, c.Hash, err)
			}
			heap.Push(q, pc)
		}
	}
	return nil
}

// commitChanges lists what c changed relative to all its parents.
func (r *Repo) commitChanges(c *object.Commit, prefixes []string) ([]PathChange, error) {
	parents := c.ParentHashes
	if len(parents) == 0 {
		parents = []plumbing.Hash{plumbing.ZeroHash}
	}
	var diffs []map[string][2]plumbing.Hash
	for _, p := range parents {
		var pt plumbing.Hash
		if !p.IsZero() {
			pc, err := r.Git.CommitObject(p)
			if err != nil {
				return nil, fmt.Errorf("read commit %s: %w", p, err)
			}
			pt = pc.TreeHash
		}
		d := map[string][2]plumbing.Hash{}
		if err := r.diffTrees(pt, c.TreeHash, "", prefixes, d); err != nil {
			return nil, fmt.Errorf("compare commit %s with its parent %s: %w", c.Hash, p, err)
		}
		diffs = append(diffs, d)
	}
	var out []PathChange
	for path, ab := range diffs[0] {
		ch := PathChange{Path: path, New: ab[1], Old: []plumbing.Hash{ab[0]}}
		inAll := true
		for _, d := range diffs[1:] {
			o, ok := d[path]
			if !ok {
				inAll = false
				break
			}
			ch.Old = append(ch.Old, o[0])
		}
		if inAll {
			out = append(out, ch)
		}
	}
	return out, nil
}

func wanted(path string, dir bool, prefixes []string) bool {
	for _, p := range prefixes {
		if dir {
			if strings.HasPrefix(p, path+"/") || strings.HasPrefix(path+"/", p) {
				return true
			}
		} else if path == p || (strings.HasSuffix(p, "/") && strings.HasPrefix(path, p)) {
			return true
		}
	}
	return false
}

// diffTrees records in out, for each wanted file that differs between the
// trees a and b (zero: empty), its blob in a and in b.
func (r *Repo) diffTrees(a, b plumbing.Hash, dir string, prefixes []string, out map[string][2]plumbing.Hash) error {
	if a == b {
		return nil
	}
	entries := func(h plumbing.Hash) (map[string]object.TreeEntry, error) {
		m := map[string]object.TreeEntry{}
		if h.IsZero() {
			return m, nil
		}
		t, err := r.Git.TreeObject(h)
		if err != nil {
			return nil, fmt.Errorf("read tree %s: %w", h, err)
		}
		for _, e := range t.Entries {
			m[e.Name] = e
		}
		return m, nil
	}
	ea, err := entries(a)
	if err != nil {
		return err
	}
	eb, err := entries(b)
	if err != nil {
		return err
	}
	split := func(m map[string]object.TreeEntry, name string) (file, sub plumbing.Hash) {
		e, ok := m[name]
		if !ok {
			return
		}
		if e.Mode == filemode.Dir {
			return plumbing.ZeroHash, e.Hash
		}
		if e.Mode.IsFile() {
			return e.Hash, plumbing.ZeroHash
		}
		return
	}
	visit := func(name string) error {
		path := name
		if dir != "" {
			path = dir + "/" + name
		}
		fa, da := split(ea, name)
		fb, db := split(eb, name)
		if fa != fb && wanted(path, false, prefixes) {
			out[path] = [2]plumbing.Hash{fa, fb}
		}
		if da != db && wanted(path, true, prefixes) {
			return r.diffTrees(da, db, path, prefixes, out)
		}
		return nil
	}
	for name := range ea {
		if err := visit(name); err != nil {
			return err
		}
	}
	for name := range eb {
		if _, ok := ea[name]; !ok {
			if err := visit(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// commitQueue orders commits newest first.
type commitQueue []*object.Commit

func (q commitQueue) Len() int { return len(q) }
func (q commitQueue) Less(i, j int) bool {
	if !q[i].Committer.When.Equal(q[j].Committer.When) {
		return q[i].Committer.When.After(q[j].Committer.When)
	}
	return q[i].Hash.String() < q[j].Hash.String()
}
func (q commitQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *commitQueue) Push(x any)   { *q = append(*q, x.(*object.Commit)) }
func (q *commitQueue) Pop() any {
	old := *q
	c := old[len(old)-1]
	*q = old[:len(old)-1]
	return c
}

// signCommit adds an OpenPGP signature over the commit's encoding without
// signature, the bytes git signs and verifies.
func signCommit(c *object.Commit, key *openpgp.Entity) error {
	enc := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(enc); err != nil {
		return fmt.Errorf("encode commit for signing: %w", err)
	}
	rd, err := enc.Reader()
	if err != nil {
		return err
	}
	var sig bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&sig, key, rd, nil); err != nil {
		return fmt.Errorf("sign commit with key %X: %w", key.PrimaryKey.Fingerprint, err)
	}
	c.PGPSignature = sig.String()
	return nil
}

// ReadSignKey reads an armored OpenPGP private key (as exported by `gpg
// --export-secret-keys --armor`) for signing commits. An encrypted key is
// decrypted with passphrase.
func ReadSignKey(path string, passphrase []byte) (*openpgp.Entity, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("signing key: %w", err)
	}
	defer f.Close()
	ents, err := openpgp.ReadArmoredKeyRing(f)
	if err != nil {
		return nil, fmt.Errorf("signing key %s: not an armored OpenPGP key: %w", path, err)
	}
	if len(ents) == 0 || ents[0].PrivateKey == nil {
		return nil, fmt.Errorf("signing key %s: holds no private key; export it with `gpg --export-secret-keys --armor`", path)
	}
	e := ents[0]
	if e.PrivateKey.Encrypted {
		if len(passphrase) == 0 {
			return nil, fmt.Errorf("signing key %s is protected by a passphrase: set KBOPS_SIGNING_PASSPHRASE", path)
		}
		if err := e.DecryptPrivateKeys(passphrase); err != nil {
			return nil, fmt.Errorf("signing key %s: wrong passphrase: %w", path, err)
		}
	}
	return e, nil
}

// Fetch fetches a branch from a remote (a configured remote name or a
// URL) into refs/remotes/<remote name>/<branch> and returns its commit; ok
// is false when the remote has no such branch.
func (r *Repo) Fetch(ctx context.Context, remote, branch, token string) (h plumbing.Hash, ok bool, err error) {
	name := remote
	rem, lookErr := r.Git.Remote(remote)
	if lookErr != nil {
		name = "kbops-fetch"
		rem = git.NewRemote(r.Git.Storer, &gitconfig.RemoteConfig{Name: name, URLs: []string{remote}})
	}
	track := plumbing.NewRemoteReferenceName(name, branch)
	opts := &git.FetchOptions{RemoteName: name, RefSpecs: []gitconfig.RefSpec{
		gitconfig.RefSpec("+" + plumbing.NewBranchReferenceName(branch).String() + ":" + track.String()),
	}}
	if opts.Auth, err = remoteAuth(rem.Config().URLs, token); err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("fetch %s from %s: %w", branch, remote, err)
	}
	err = rem.FetchContext(ctx, opts)
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		var nm git.NoMatchingRefSpecError
		if errors.As(err, &nm) || strings.Contains(err.Error(), "couldn't find remote ref") {
			return plumbing.ZeroHash, false, nil
		}
		return plumbing.ZeroHash, false, fmt.Errorf("fetch %s from %s: %w", branch, remote, err)
	}
	ref, err := r.Git.Reference(track, true)
	if err != nil {
		return plumbing.ZeroHash, false, nil
	}
	return ref.Hash(), true, nil
}

// RemoteBranch returns the commit of refs/remotes/<remote>/<branch>, as a
// clone or the last fetch left it; ok is false when there is none.
func (r *Repo) RemoteBranch(remote, branch string) (plumbing.Hash, bool) {
	ref, err := r.Git.Reference(plumbing.NewRemoteReferenceName(remote, branch), true)
	if err != nil {
		return plumbing.ZeroHash, false
	}
	return ref.Hash(), true
}

// Roots returns the parentless commits reachable from head, sorted. A
// knowledge repository has one: its first commit. More mean an unrelated
// history was merged in (git merge --allow-unrelated-histories).
func (r *Repo) Roots(ctx context.Context, head plumbing.Hash) ([]plumbing.Hash, error) {
	if head.IsZero() {
		return nil, nil
	}
	seen := map[plumbing.Hash]bool{head: true}
	stack := []plumbing.Hash{head}
	var roots []plumbing.Hash
	for len(stack) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		c, err := r.Git.CommitObject(h)
		if err != nil {
			return nil, fmt.Errorf("read commit %s: %w", h, err)
		}
		if len(c.ParentHashes) == 0 {
			roots = append(roots, h)
		}
		for _, p := range c.ParentHashes {
			if !seen[p] {
				seen[p] = true
				stack = append(stack, p)
			}
		}
	}
	sort.Slice(roots, func(i, j int) bool { return roots[i].String() < roots[j].String() })
	return roots, nil
}

// trustRootKey is the git config key (section kbops, in .git/config, which
// is never pushed) that pins the repository's root commit.
const trustRootKey = "trustroot"

// TrustRoot returns the root commit pinned in the repository's local git
// config (`git config kbops.trustroot HASH`); ok is false when none is.
func (r *Repo) TrustRoot() (plumbing.Hash, bool, error) {
	cfg, err := r.Git.Config()
	if err != nil {
		return plumbing.ZeroHash, false, fmt.Errorf("read git config: %w", err)
	}
	v := strings.TrimSpace(cfg.Raw.Section("kbops").Option(trustRootKey))
	if v == "" {
		return plumbing.ZeroHash, false, nil
	}
	if !plumbing.IsHash(v) {
		return plumbing.ZeroHash, false, fmt.Errorf("git config kbops.trustroot: %q is not a commit hash; set it to the first commit of main (`git rev-list --max-parents=0 main`)", v)
	}
	return plumbing.NewHash(v), true, nil
}

// SetTrustRoot pins h as the repository's root commit in its local git
// config.
func (r *Repo) SetTrustRoot(h plumbing.Hash) error {
	cfg, err := r.Git.Config()
	if err != nil {
		return fmt.Errorf("read git config: %w", err)
	}
	cfg.Raw.Section("kbops").SetOption(trustRootKey, h.String())
	if err := r.Git.SetConfig(cfg); err != nil {
		return fmt.Errorf("write git config: %w", err)
	}
	return nil
}
