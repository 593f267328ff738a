package gitloc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/gitauth"
)

func init() {
	sources.Default.RegisterScheme(sources.Scheme{Name: "git", New: New, Claims: Claims})
}

// Claims is the git location's claim on a `location:` value: a URL or
// path ending in .git, or an ssh, git@ or git:// address. It outbids the
// http location, which claims every http(s) URL.
func Claims(loc string) int {
	switch {
	case strings.HasSuffix(loc, ".git"), strings.HasPrefix(loc, "git@"), strings.HasPrefix(loc, "ssh://"), strings.HasPrefix(loc, "git://"):
		return 3
	}
	return 0
}

// TokenEnv is the environment variable holding the workspace's git token.
// It was issued for the knowledge repository's remote, so it is sent only
// to sources on the same host as git.remote; a source elsewhere names its
// own variable in options.token_env.
const TokenEnv = "KBOPS_GIT_TOKEN"

// envName is what an environment variable name looks like. Upper case
// only, so that a token pasted into token_env by mistake (tokens mix
// cases) is refused rather than taken for a name.
var envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)

// Options are the git location's settings under a source's `options:`.
type Options struct {
	// Branch to read (default: the branch the remote's HEAD points to).
	Branch string `yaml:"branch"`
	// Path is the folder inside the repository to read (default: all).
	Path string `yaml:"path"`
	// MaxFileSize reports files larger than this many bytes instead of
	// reading them (default 256 MiB).
	MaxFileSize int64 `yaml:"max_file_size"`
	// TokenEnv names the environment variable holding this source's token
	// (example: VENDOR_GIT_TOKEN), for a repository that needs one and is
	// not on git.remote's host. Default none: the source gets
	// KBOPS_GIT_TOKEN if it is on git.remote's host, else no token.
	TokenEnv string `yaml:"token_env"`
}

// Location reads one branch of a git repository.
type Location struct {
	url     string
	dir     string
	opts    Options
	include []string
	exclude []string
	auth    transport.AuthMethod
	repo    *git.Repository
	// caBundle is extra PEM certificates to trust; tests set it for their
	// TLS server.
	caBundle []byte
}

// New makes a Location from a source spec. env.Cache is the folder the
// clone lives in; it is required. A token (see Token) is attached to
// https URLs and to http URLs of loopback hosts; a token due to a plain
// http URL elsewhere fails the source instead of being sent.
func New(_ context.Context, spec sources.Spec, env sources.Env) (sources.Location, error) {
	base, cache := env.Base, env.Cache
	opts := Options{MaxFileSize: 256 << 20}
	if err := spec.DecodeOptions(&opts); err != nil {
		return nil, err
	}
	if len(spec.Location) != 1 {
		return nil, fmt.Errorf("source %q: a git location is one repository URL, got %d", spec.Name, len(spec.Location))
	}
	if cache == "" {
		return nil, fmt.Errorf("source %q: the git location needs a cache folder for its clone", spec.Name)
	}
	u := spec.Location[0]
	if gitauth.HasCredentials(u) {
		// Not echoed: the URL holds a secret.
		return nil, fmt.Errorf("source %q: the location URL holds a user name or password; remove it and put the token in an environment variable (options.token_env, or KBOPS_GIT_TOKEN for git.remote's host)", spec.Name)
	}
	if !strings.Contains(u, "://") && !strings.HasPrefix(u, "git@") && !filepath.IsAbs(u) {
		u = filepath.Join(base, u) // a repository on disk, relative to the workspace
	}
	sum := sha256.Sum256([]byte(u))
	l := &Location{
		url: u, dir: filepath.Join(cache, "git-"+hex.EncodeToString(sum[:8])),
		opts: opts, include: spec.Include, exclude: spec.Exclude,
	}
	l.opts.Path = strings.Trim(path.Clean("/"+opts.Path), "/")
	tok, err := Token(spec.Name, u, opts.TokenEnv, env.GitRemote, os.Getenv)
	if err != nil {
		return nil, err
	}
	if tok != "" {
		l.auth = &githttp.BasicAuth{Username: "kbops", Password: tok}
	}
	return l, nil
}

// Token returns the token to send to the repository at rawURL for the
// source named source, "" for none. tokenEnv is the source's
// options.token_env, gitRemote the URL of git.remote ("" when none), and
// getenv reads the environment. The rules:
//
//   - only http(s) URLs get a token (ssh has its own keys, paths need none);
//   - with tokenEnv, the token is that variable's, which must be set;
//   - otherwise KBOPS_GIT_TOKEN, and only when rawURL's host:port is
//     git.remote's;
//   - a token is never sent over plain http unless the host is loopback:
//     the source fails, telling the user to use https.
func Token(source, rawURL, tokenEnv, gitRemote string, getenv func(string) string) (string, error) {
	if tokenEnv != "" && !envName.MatchString(tokenEnv) {
		// The value is not echoed: it may be the token itself.
		return "", fmt.Errorf("source %q: options.token_env is the name of an environment variable in capitals (such as VENDOR_GIT_TOKEN), not the token; put the token in that variable", source)
	}
	if !gitauth.IsHTTP(rawURL) {
		return "", nil
	}
	var tok, from string
	switch {
	case tokenEnv != "":
		tok, from = getenv(tokenEnv), tokenEnv
		if tok == "" {
			return "", fmt.Errorf("source %q: options.token_env names %s, which is not set; set it in the environment, or remove token_env if the repository needs no token", source, tokenEnv)
		}
	case gitauth.Host(rawURL) == gitauth.Host(gitRemote) && gitauth.Host(gitRemote) != "":
		tok, from = getenv(TokenEnv), TokenEnv
	}
	if tok == "" {
		return "", nil
	}
	if err := gitauth.CheckSend(rawURL); err != nil {
		return "", fmt.Errorf("source %q: the token from %s is not sent: %w", source, from, err)
	}
	return tok, nil
}

// sync clones the repository or fetches into the existing clone.
func (l *Location) sync(ctx context.Context) error {
	if l.repo == nil {
		r, err := git.PlainOpen(l.dir)
		if err == nil {
			l.repo = r
		} else {
			if err := os.MkdirAll(filepath.Dir(l.dir), 0o755); err != nil {
				return err
			}
			tmp := l.dir + ".tmp"
			os.RemoveAll(tmp)
			if _, err := git.PlainCloneContext(ctx, tmp, true, &git.CloneOptions{URL: l.url, Auth: l.auth, Tags: git.NoTags, CABundle: l.caBundle}); err != nil {
				os.RemoveAll(tmp)
				return fmt.Errorf("clone %s: %w", l.url, err)
			}
			// A clone interrupted half way must not look like a clone.
			if err := os.Rename(tmp, l.dir); err != nil {
				return err
			}
			if l.repo, err = git.PlainOpen(l.dir); err != nil {
				return err
			}
			return nil // just cloned: nothing to fetch
		}
	}
	// Ask the remote for its branches first: when nothing moved, a run
	// costs one round trip and no fetch.
	remote, err := l.repo.Remote("origin")
	if err != nil {
		return fmt.Errorf("clone of %s: %w", l.url, err)
	}
	refs, err := remote.ListContext(ctx, &git.ListOptions{Auth: l.auth, CABundle: l.caBundle})
	if err != nil {
		return fmt.Errorf("list %s: %w", l.url, err)
	}
	moved := false
	for _, r := range refs {
		if r.Name().IsBranch() && r.Type() == plumbing.HashReference {
			cur, err := l.repo.Reference(plumbing.NewRemoteReferenceName("origin", r.Name().Short()), true)
			if err != nil || cur.Hash() != r.Hash() {
				moved = true
			}
		}
	}
	if !moved {
		return nil
	}
	err = l.repo.FetchContext(ctx, &git.FetchOptions{
		RemoteName: "origin", Auth: l.auth, Tags: git.NoTags, Force: true, CABundle: l.caBundle,
		RefSpecs: []config.RefSpec{"+refs/heads/*:refs/remotes/origin/*"},
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("fetch %s: %w", l.url, err)
	}
	// Make sure each tracking ref is at the commit the remote listed, so
	// that List reads exactly what the remote had when asked.
	for _, r := range refs {
		if !r.Name().IsBranch() || r.Type() != plumbing.HashReference {
			continue
		}
		name := plumbing.NewRemoteReferenceName("origin", r.Name().Short())
		cur, err := l.repo.Reference(name, true)
		if err == nil && cur.Hash() == r.Hash() {
			continue
		}
		if _, err := l.repo.CommitObject(r.Hash()); err != nil {
			return fmt.Errorf("fetch %s: commit %s of %s missing after fetch", l.url, r.Hash().String()[:12], r.Name().Short())
		}
		if err := l.repo.Storer.SetReference(plumbing.NewHashReference(name, r.Hash())); err != nil {
			return fmt.Errorf("update %s: %w", name, err)
		}
	}
	return nil
}

// tip returns the commit to read: the fetched remote-tracking branch, or
// the clone's own branch right after cloning.
func (l *Location) tip() (*object.Commit, error) {
	branch := l.opts.Branch
	if branch == "" {
		head, err := l.repo.Reference(plumbing.HEAD, false)
		if err != nil || head.Type() != plumbing.SymbolicReference {
			return nil, fmt.Errorf("%s has no default branch; set options.branch", l.url)
		}
		branch = head.Target().Short()
	}
	for _, n := range []plumbing.ReferenceName{plumbing.NewRemoteReferenceName("origin", branch), plumbing.NewBranchReferenceName(branch)} {
		if ref, err := l.repo.Reference(n, true); err == nil {
			return l.repo.CommitObject(ref.Hash())
		}
	}
	return nil, fmt.Errorf("branch %q not found in %s; check options.branch", branch, l.url)
}

// List fetches and lists the files of the branch below Path.
func (l *Location) List(ctx context.Context) ([]sources.Item, []error, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	if err := l.sync(ctx); err != nil {
		if ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		return nil, nil, err
	}
	c, err := l.tip()
	if err != nil {
		return nil, nil, err
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, nil, fmt.Errorf("%s@%s: %w", l.url, c.Hash, err)
	}
	if l.opts.Path != "" {
		if tree, err = tree.Tree(l.opts.Path); err != nil {
			return nil, nil, fmt.Errorf("%s@%s: path %q: %w; check options.path", l.url, c.Hash.String()[:12], l.opts.Path, err)
		}
	}
	var items []sources.Item
	var errs []error
	walker := object.NewTreeWalker(tree, true, nil)
	defer walker.Close()
	for {
		if err := ctx.Err(); err != nil {
			return nil, errs, err
		}
		name, entry, err := walker.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, errs, fmt.Errorf("%s@%s: %w", l.url, c.Hash, err)
		}
		if hidden(name) || !entry.Mode.IsFile() && entry.Mode != filemode.Symlink {
			continue
		}
		if !l.wanted(name) {
			continue
		}
		if entry.Mode == filemode.Symlink {
			errs = append(errs, &sources.ItemError{Key: name, Err: errors.New("symbolic link in the repository; kbops reads regular files only")})
			continue
		}
		size, err := tree.Size(name)
		if err != nil {
			errs = append(errs, &sources.ItemError{Key: name, Err: err})
			continue
		}
		if l.opts.MaxFileSize > 0 && size > l.opts.MaxFileSize {
			errs = append(errs, &sources.ItemError{Key: name, Err: fmt.Errorf("%w (%d bytes > max_file_size %d)", sources.ErrTooLarge, size, l.opts.MaxFileSize)})
			continue
		}
		p := name
		if l.opts.Path != "" {
			p = l.opts.Path + "/" + name
		}
		items = append(items, sources.Item{
			Key: name, URI: l.url + "#" + c.Hash.String()[:12] + ":" + p,
			Version: "git:" + entry.Hash.String(), Size: size, ModTime: c.Committer.When.UTC(),
			DateSource: knowledge.EffectiveFromGit,
		})
	}
	sort.Slice(items, func(i, j int) bool { return items[i].Key < items[j].Key })
	l.fileDates(ctx, c, items)
	return items, errs, nil
}

// maxDateWalk bounds the history read for the files' dates.
const maxDateWalk = 2000

// fileDates sets each item's ModTime to the committer date of the last
// commit that changed the file (first-parent history from c), the date its
// current text was published on the branch. Files older than the commits
// read (maxDateWalk), or a history cut short (a shallow clone), keep the
// date of c: later than the file's own, never earlier.
func (l *Location) fileDates(ctx context.Context, c *object.Commit, items []sources.Item) {
	want := make(map[string]int, len(items))
	for i, it := range items {
		p := it.Key
		if l.opts.Path != "" {
			p = l.opts.Path + "/" + it.Key
		}
		want[p] = i
	}
	cur := c
	for n := 0; len(want) > 0 && n < maxDateWalk && ctx.Err() == nil; n++ {
		curTree, err := cur.Tree()
		if err != nil {
			return
		}
		if cur.NumParents() == 0 {
			for p, i := range want {
				items[i].ModTime = cur.Committer.When.UTC()
				delete(want, p)
			}
			return
		}
		parent, err := cur.Parent(0)
		if err != nil {
			return
		}
		pTree, err := parent.Tree()
		if err != nil {
			return
		}
		changes, err := object.DiffTreeWithOptions(ctx, pTree, curTree, nil)
		if err != nil {
			return
		}
		for _, ch := range changes {
			if i, ok := want[ch.To.Name]; ok {
				items[i].ModTime = cur.Committer.When.UTC()
				delete(want, ch.To.Name)
			}
		}
		cur = parent
	}
}

func hidden(name string) bool {
	for _, p := range strings.Split(name, "/") {
		if strings.HasPrefix(p, ".") {
			return true
		}
	}
	return false
}

func (l *Location) wanted(key string) bool {
	return sources.Wanted(l.include, l.exclude, key)
}

// Open reads the blob the item's version names.
func (l *Location) Open(ctx context.Context, it sources.Item) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if l.repo == nil {
		return nil, &sources.ItemError{Key: it.Key, Err: errors.New("not listed yet")}
	}
	h, ok := strings.CutPrefix(it.Version, "git:")
	if !ok || !plumbing.IsHash(h) {
		return nil, &sources.ItemError{Key: it.Key, Err: fmt.Errorf("version %q is not a git blob hash", it.Version)}
	}
	b, err := l.repo.BlobObject(plumbing.NewHash(h))
	if err != nil {
		return nil, &sources.ItemError{Key: it.Key, Err: fmt.Errorf("blob %s: %w", h[:12], err)}
	}
	r, err := b.Reader()
	if err != nil {
		return nil, &sources.ItemError{Key: it.Key, Err: err}
	}
	return r, nil
}
