package forget

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// Erased replaces the erased values. It is valid inside YAML plain
// scalars, JSON strings and Markdown.
const Erased = "(erased)"

// ErasedOwner is the owner of a unit whose owner was erased: the owner
// field must stay a plain e-mail address, and the .invalid domain can
// never be anyone's.
const ErasedOwner = "erased@erased.invalid"

// Subject is whom to forget; set at least one field.
type Subject struct {
	Emails  []string
	Names   []string
	Tickets []string
}

// Options control Run.
type Options struct {
	Subject Subject
	// Now commits to main directly instead of the review branch.
	Now bool
	// Author of the erasure commit ("Name <email>"); default git.author.
	Author string
	// Time of the commit; zero means time.Now.
	Time time.Time
	// Connect opens the Weaviate target; nil skips Weaviate (reported).
	Connect func(ctx context.Context) (*publish.Target, func(), error)
}

// Place is where something was removed, with how much.
type Place struct {
	Place  string `json:"place"`
	Action string `json:"action"`
	Count  int    `json:"count"`
}

// Result says what was removed where. It holds no erased value.
type Result struct {
	Branch string  `json:"branch"`
	Commit string  `json:"commit,omitempty"`
	Places []Place `json:"places"`
	// Remaining lists files in the workspace folder, outside kbops's
	// control (source documents, uncommitted edits), that still hold a
	// value: paths only.
	Remaining []string `json:"remaining,omitempty"`
	// WeaviateSkipped says why Weaviate was not searched, when it was not.
	WeaviateSkipped string `json:"weaviate_skipped,omitempty"`
	// WeaviateSearched lists the Weaviate collections searched: every
	// collection of the configured alias and of its access-level aliases
	// (see publish.Target.Family), whatever the current configuration
	// reads.
	WeaviateSearched []string `json:"weaviate_searched,omitempty"`
}

// Total counts everything removed.
func (r Result) Total() int {
	n := 0
	for _, p := range r.Places {
		n += p.Count
	}
	return n
}

// Summary describes the erasure for run reports.
func (r Result) Summary() string {
	if r.Total() == 0 {
		return "forget: nothing found; nothing changed"
	}
	var parts []string
	for _, p := range r.Places {
		if p.Count > 0 {
			parts = append(parts, fmt.Sprintf("%s: %d %s", p.Place, p.Count, p.Action))
		}
	}
	s := "forget: " + strings.Join(parts, "; ")
	if r.Commit != "" {
		s += fmt.Sprintf("; committed %.12s to %s", r.Commit, r.Branch)
	}
	return s
}

func (r *Result) add(place, action string, n int) {
	if n == 0 {
		return
	}
	for i := range r.Places {
		if r.Places[i].Place == place && r.Places[i].Action == action {
			r.Places[i].Count += n
			return
		}
	}
	r.Places = append(r.Places, Place{place, action, n})
}

// matcher finds the subject's values.
type matcher struct {
	res     []*regexp.Regexp
	tickets map[string]bool
}

func isWord(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// bounded wraps a pattern with word boundaries where its ends are word
// characters of a spaced script, so "Ana" does not match "Anamaria" and
// ticket 104 does not match 1042; CJK names have no word boundaries.
func bounded(value, pattern string) string {
	first, _ := utf8.DecodeRuneInString(value)
	last, _ := utf8.DecodeLastRuneInString(value)
	spaced := func(r rune) bool {
		return isWord(r) && !unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul)
	}
	if spaced(first) {
		pattern = `(?:^|[^\pL\pN_])` + "(" + pattern
	} else {
		pattern = "()(" + pattern
	}
	if spaced(last) {
		pattern += `)(?:$|[^\pL\pN_])`
	} else {
		pattern += ")()"
	}
	return pattern
}

func newMatcher(s Subject) (*matcher, error) {
	m := &matcher{tickets: map[string]bool{}}
	add := func(value, pattern string) error {
		re, err := regexp.Compile("(?i)" + bounded(value, pattern))
		if err != nil {
			return fmt.Errorf("cannot search for this value: %w", err)
		}
		m.res = append(m.res, re)
		return nil
	}
	for _, e := range s.Emails {
		e = strings.TrimSpace(e)
		if !strings.Contains(e, "@") || len(e) < 3 {
			return nil, errors.New("--email: want an e-mail address like jane@example.com")
		}
		if err := add(e, regexp.QuoteMeta(e)); err != nil {
			return nil, err
		}
	}
	for _, n := range s.Names {
		parts := strings.FieldsFunc(n, func(r rune) bool { return unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' })
		if len(parts) == 0 || len([]rune(strings.Join(parts, ""))) < 2 {
			return nil, errors.New("--name: want a person's name of at least two letters")
		}
		q := make([]string, len(parts))
		for i, p := range parts {
			q[i] = regexp.QuoteMeta(p)
		}
		// Spaces, hyphens, dots and underscores between the parts, so the
		// slug of a file name (jane-doe) matches too.
		if err := add(n, strings.Join(q, `[\s\-_.]+`)); err != nil {
			return nil, err
		}
	}
	for _, t := range s.Tickets {
		t = strings.TrimSpace(t)
		if t == "" {
			return nil, errors.New("--ticket: want a ticket id")
		}
		m.tickets[strings.ToLower(t)] = true
		if err := add(t, regexp.QuoteMeta(t)); err != nil {
			return nil, err
		}
	}
	if len(m.res) == 0 {
		return nil, errors.New("nothing to forget: give --email, --name or --ticket")
	}
	return m, nil
}

func (m *matcher) match(b []byte) bool {
	for _, re := range m.res {
		if re.Match(b) {
			return true
		}
	}
	return false
}

func (m *matcher) matchString(s string) bool { return m.match([]byte(s)) }

// replace replaces every value, keeping the characters around it.
func (m *matcher) replace(s string) (string, int) {
	n := 0
	for _, re := range m.res {
		// Repeat: a boundary character consumed by one match can hide the
		// next occurrence ("a@x.io a@x.io"); Erased itself never matches.
		for re.MatchString(s) {
			s = re.ReplaceAllStringFunc(s, func(x string) string {
				n++
				sm := re.FindStringSubmatchIndex(x)
				if sm == nil || len(sm) < 4 {
					return Erased
				}
				return x[:sm[2]] + Erased + x[sm[3]:]
			})
		}
	}
	return s, n
}

func (m *matcher) replaceBytes(b []byte) ([]byte, int) {
	s, n := m.replace(string(b))
	return []byte(s), n
}

// Run erases the subject. Callers hold the lock.Repo lock.
func Run(ctx context.Context, ws *workspace.Workspace, o Options) (Result, error) {
	ctx, unlock, err := ws.Repo.WriteLock(ctx, "kbops forget", true)
	if err != nil {
		return Result{}, err
	}
	defer unlock()
	var res Result
	m, err := newMatcher(o.Subject)
	if err != nil {
		return res, err
	}
	if o.Time.IsZero() {
		o.Time = time.Now()
	}
	if err := eraseRepo(ctx, ws, m, o, &res); err != nil {
		return res, err
	}
	if err := eraseLocal(ws, m, &res); err != nil {
		return res, err
	}
	if o.Connect == nil {
		res.WeaviateSkipped = "no Weaviate connection given"
	} else if err := eraseWeaviate(ctx, m, o, &res); err != nil {
		return res, fmt.Errorf("the repository and local files are erased, but Weaviate is not: %w; run `kbops forget` again when Weaviate is reachable", err)
	}
	res.Remaining = remaining(ws, m)
	sort.Slice(res.Places, func(i, j int) bool { return res.Places[i].Place < res.Places[j].Place })
	return res, nil
}

func eraseRepo(ctx context.Context, ws *workspace.Workspace, m *matcher, o Options, res *Result) error {
	cfg := ws.Config
	branch := cfg.Review.Branch
	if o.Now {
		branch = cfg.Review.Main
	}
	res.Branch = branch
	base, ok, err := ws.Repo.Branch(branch)
	if err != nil {
		return err
	}
	if !ok {
		if base, ok, err = ws.Repo.Branch(cfg.Review.Main); err != nil {
			return err
		} else if !ok {
			return fmt.Errorf("branch %s does not exist in %s: nothing to erase in the repository", cfg.Review.Main, ws.Root)
		}
	}
	snap, err := reviews.Load(ctx, ws.Repo, base)
	if err != nil {
		return err
	}
	var changes []kbrepo.Change
	deleted := map[string]bool{}
	// Units first: their ids decide which approval and due files go.
	for _, id := range snap.IDs() {
		u := snap.Units[id]
		if m.matchString(id) || onlyErasedTickets(u, m) {
			deleted[id] = true
			changes = append(changes, kbrepo.Change{Path: knowledge.FilePath(id)})
			res.add("knowledge repository: units", "deleted (the unit's id or its only ticket holds the data)", 1)
			continue
		}
		next, n := redactUnit(*u, m)
		if n == 0 {
			continue
		}
		r, ch := knowledge.Revise(u, next)
		if ch == knowledge.Unchanged {
			continue
		}
		b, err := knowledge.Marshal(r)
		if err != nil {
			return fmt.Errorf("unit %s after erasure: %w", id, err)
		}
		changes = append(changes, kbrepo.Change{Path: knowledge.FilePath(id), Data: b})
		res.add("knowledge repository: units", "rewritten", 1)
	}
	paths := make([]string, 0, len(snap.Tree))
	for p := range snap.Tree {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if _, ok := knowledge.IDFromPath(p); ok {
			continue
		}
		if id, ok := reviews.UnitIDFromApprovalPath(p); ok && deleted[id] {
			changes = append(changes, kbrepo.Change{Path: p})
			res.add("knowledge repository: approval records", "deleted with their unit", 1)
			continue
		}
		if strings.HasPrefix(p, "due/") && deleted[strings.TrimSuffix(strings.TrimPrefix(p, "due/"), ".yaml")] {
			changes = append(changes, kbrepo.Change{Path: p})
			res.add("knowledge repository: due files", "deleted with their unit", 1)
			continue
		}
		b, err := ws.Repo.Read(snap.Tree[p].Hash)
		if err != nil {
			return err
		}
		if !m.match(b) {
			continue
		}
		nb, _ := m.replaceBytes(b)
		if id, ok := reviews.UnitIDFromApprovalPath(p); ok {
			if f, err := reviews.ParseApprovals(p, b); err == nil {
				for i := range f.Records {
					f.Records[i].Reviewer, _ = m.replace(f.Records[i].Reviewer)
					f.Records[i].Comment, _ = m.replace(f.Records[i].Comment)
				}
				f.Unit = id
				if out, err := reviews.MarshalApprovals(f); err == nil {
					nb = out
				}
			}
		}
		changes = append(changes, kbrepo.Change{Path: p, Data: nb})
		res.add("knowledge repository: other files ("+topDir(p)+")", "rewritten", 1)
	}
	if len(changes) == 0 {
		return nil
	}
	author := o.Author
	if author == "" {
		author = cfg.Git.Author
	}
	sig, err := kbrepo.Signature(author, o.Time)
	if err != nil {
		return fmt.Errorf("author: %w", err)
	}
	msg := fmt.Sprintf("forget: erase a person's data from %d file(s)\n\nValues are replaced by %q; units whose id holds the data are deleted.\nRequested with `kbops forget`; the values are not named here.\n", len(changes), Erased)
	h, err := ws.Repo.Commit(ctx, kbrepo.CommitOptions{Branch: branch, Parents: []plumbing.Hash{base}, Changes: changes, Message: msg, Author: sig})
	if errors.Is(err, kbrepo.ErrNothingToCommit) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("commit the erasure to %s: %w", branch, err)
	}
	res.Commit = h.String()
	return nil
}

func topDir(p string) string {
	if i := strings.IndexByte(p, '/'); i > 0 {
		return p[:i]
	}
	return p
}

// onlyErasedTickets reports whether u is drawn from tickets only, all of
// them erased. Ticket locators read "ticket T-1", "tickets T-1, T-2" or
// "tickets T-1, T-2 and 7 more"; with "more", other tickets stand behind
// the unit and it is redacted, not deleted.
func onlyErasedTickets(u *knowledge.Unit, m *matcher) bool {
	loc := strings.ToLower(strings.TrimSpace(u.Source.Locator))
	if len(m.tickets) == 0 || u.Source.Kind != "tickets" || strings.HasSuffix(loc, " more") {
		return false
	}
	for _, p := range []string{"tickets ", "ticket "} {
		loc = strings.TrimPrefix(loc, p)
	}
	found := 0
	for _, id := range strings.Split(loc, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			continue
		}
		if !m.tickets[id] {
			return false
		}
		found++
	}
	return found > 0
}

// redactUnit replaces values in every text field of a unit.
func redactUnit(u knowledge.Unit, m *matcher) (knowledge.Unit, int) {
	total := 0
	r := func(s *string) {
		var n int
		*s, n = m.replace(*s)
		total += n
	}
	r(&u.Title)
	r(&u.Body)
	r(&u.Owner)
	if knowledge.ValidateEmail(u.Owner) != nil {
		u.Owner = ErasedOwner
	}
	r(&u.Product)
	r(&u.Source.URI)
	r(&u.Source.Document)
	r(&u.Source.Locator)
	for i := range u.Markets {
		r(&u.Markets[i])
	}
	for i := range u.Concepts {
		r(&u.Concepts[i])
	}
	return u, total
}

// eraseLocal cleans .kbops: cache files holding a value are deleted (a
// cache is refilled from the source), git object stores in the cache
// (compressed, so not searchable) are deleted, and other text files
// (document state, run reports, feedback, health snapshots) are rewritten.
// The embedded Weaviate's data folder is left to Weaviate (eraseWeaviate).
func eraseLocal(ws *workspace.Workspace, m *matcher, res *Result) error {
	root := filepath.Join(ws.Root, workspace.StateDir)
	cache := filepath.Join(root, "cache")
	var clones []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() {
			if rel == "weaviate" || rel == "locks" {
				return filepath.SkipDir
			}
			if strings.HasPrefix(p, cache+string(filepath.Separator)) && isGitDir(p) {
				clones = append(clones, p)
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		if !m.match(b) {
			return nil
		}
		place := ".kbops/" + topDir(filepath.ToSlash(rel))
		if strings.HasPrefix(p, cache+string(filepath.Separator)) {
			if err := os.Remove(p); err != nil {
				return fmt.Errorf("delete cache file %s: %w", p, err)
			}
			res.add(place, "files deleted", 1)
			return nil
		}
		nb, _ := m.replaceBytes(b)
		info, _ := d.Info()
		mode := os.FileMode(0o644)
		if info != nil {
			mode = info.Mode().Perm()
		}
		tmp := p + ".forget"
		if err := os.WriteFile(tmp, nb, mode); err != nil {
			return fmt.Errorf("rewrite %s: %w", p, err)
		}
		if err := os.Rename(tmp, p); err != nil {
			return fmt.Errorf("rewrite %s: %w", p, err)
		}
		res.add(place, "files rewritten", 1)
		return nil
	})
	if err != nil {
		return fmt.Errorf("erase local state in %s: %w", root, err)
	}
	for _, c := range clones {
		if err := os.RemoveAll(c); err != nil {
			return fmt.Errorf("delete git clone %s: %w", c, err)
		}
		res.add(".kbops/cache", "git clones deleted (compressed, not searchable; cloned again by the next ingest)", 1)
	}
	return nil
}

func isGitDir(p string) bool {
	for _, f := range []string{"HEAD", "objects", "refs"} {
		if _, err := os.Stat(filepath.Join(p, f)); err != nil {
			return false
		}
	}
	return true
}

// remaining lists workspace files outside .git and .kbops that still hold
// a value: source documents kept in the workspace, or uncommitted edits.
func remaining(ws *workspace.Workspace, m *matcher) []string {
	var out []string
	_ = filepath.WalkDir(ws.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if d.Name() == ".git" || d.Name() == workspace.StateDir {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		b, err := os.ReadFile(p)
		if err == nil && m.match(b) {
			rel, _ := filepath.Rel(ws.Root, p)
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	return out
}

// eraseWeaviate deletes every object holding a value from every
// collection kbops wrote under the alias: its own, those of the
// access-level aliases and legacy plain collections (publish.Target.Family).
// Only the current configuration's collections would miss a combined
// alias left behind by turning weaviate.split_by_access on, or the
// access-level ones left by turning it off.
func eraseWeaviate(ctx context.Context, m *matcher, o Options, res *Result) error {
	t, done, err := o.Connect(ctx)
	if err != nil {
		return err
	}
	defer done()
	cols, err := t.Family(ctx)
	if err != nil {
		return err
	}
	res.WeaviateSearched = cols
	for _, col := range cols {
		ids, err := matchingObjects(ctx, t, col, m)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := t.Client.Data().Deleter().WithClassName(col).WithID(id).Do(ctx); err != nil {
				return fmt.Errorf("delete object %s from %s: %w", id, col, err)
			}
		}
		res.add("weaviate: "+col, "objects deleted", len(ids))
	}
	return nil
}

func matchingObjects(ctx context.Context, t *publish.Target, col string, m *matcher) ([]string, error) {
	var ids []string
	after := ""
	for {
		g := t.Client.Data().ObjectsGetter().WithClassName(col).WithLimit(500)
		if after != "" {
			g = g.WithAfter(after)
		}
		objs, err := g.Do(ctx)
		if err != nil {
			return nil, fmt.Errorf("read objects of %s: %w", col, err)
		}
		if len(objs) == 0 {
			return ids, nil
		}
		for _, ob := range objs {
			after = ob.ID.String()
			var buf bytes.Buffer
			if props, ok := ob.Properties.(map[string]any); ok {
				for _, v := range props {
					switch x := v.(type) {
					case string:
						buf.WriteString(x + "\n")
					case []any:
						for _, e := range x {
							if s, ok := e.(string); ok {
								buf.WriteString(s + "\n")
							}
						}
					case []string:
						buf.WriteString(strings.Join(x, "\n") + "\n")
					}
				}
			}
			if m.match(buf.Bytes()) {
				ids = append(ids, ob.ID.String())
			}
		}
	}
}
