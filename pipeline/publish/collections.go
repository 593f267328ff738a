package publish

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/alias"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/kbops/kbops/knowledge"
)

// Target is where knowledge is published: an alias (the name agents
// query, default KnowledgeUnit) pointing at one physical collection
// <alias>_<UTC timestamp>. Reindex builds a new physical collection and
// moves the alias in one step; rollback moves it back.
type Target struct {
	Client *weaviate.Client
	// Alias is the configured collection name.
	Alias string
	// Consistency is ONE, QUORUM or ALL for writes and reads ("" = server
	// default).
	Consistency string
	// Replication is the replication factor of new collections (0/1: none).
	Replication int
	// Vectorizer is a module name ("" or "none": keyword search only);
	// ModuleConfig are its settings.
	Vectorizer   string
	ModuleConfig map[string]any
	// Embedder, when set, computes a vector for every object written
	// (the named vector VectorName) and for the questions searched; the
	// model's name is recorded on the collections it creates. Set it or
	// Vectorizer, not both.
	Embedder Embedder
	// Now stamps new physical collections; nil means time.Now.
	Now func() time.Time
}

var physicalName = regexp.MustCompile(`^(.+)_(\d{14})$`)

// Resolve returns the physical collection the alias points to, or "" when
// nothing was published yet. A plain collection named like the alias (not
// an alias) is an error: run reindex to move it under an alias.
func (t *Target) Resolve(ctx context.Context) (string, error) {
	a, err := t.Client.Alias().AliasGetter().WithAliasName(t.Alias).Do(ctx)
	if err == nil && a != nil && a.Class != "" {
		return a.Class, nil
	}
	if err != nil && !isNotFound(err) {
		return "", fmt.Errorf("read alias %s: %w", t.Alias, err)
	}
	ok, err := t.Client.Schema().ClassExistenceChecker().WithClassName(t.Alias).Do(ctx)
	if err != nil {
		return "", fmt.Errorf("check collection %s: %w", t.Alias, err)
	}
	if ok {
		return "", fmt.Errorf("%s is a collection, not an alias: run `kbops reindex` once to move it under an alias", t.Alias)
	}
	return "", nil
}

// Collections lists the physical collections of the alias, oldest first.
func (t *Target) Collections(ctx context.Context) ([]string, error) {
	dump, err := t.Client.Schema().Getter().Do(ctx)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	var out []string
	for _, c := range dump.Classes {
		if m := physicalName.FindStringSubmatch(c.Class); m != nil && m[1] == t.Alias {
			out = append(out, c.Class)
		}
	}
	sort.Strings(out) // the timestamp suffix sorts by time
	return out, nil
}

// Family lists every collection kbops may have written under the base
// alias t.Alias, sorted: the physical collections of the alias and of
// each access-level alias (AccessAlias; weaviate.split_by_access), and
// plain collections named like any of those aliases (written before
// aliases). Whichever of them the current configuration reads, erasure
// must reach all: a combined alias is left behind when split_by_access is
// turned on, access-level ones when it is turned off.
func (t *Target) Family(ctx context.Context) ([]string, error) {
	names := map[string]bool{t.Alias: true}
	for _, a := range knowledge.AccessLevels {
		names[AccessAlias(t.Alias, a)] = true
	}
	dump, err := t.Client.Schema().Getter().Do(ctx)
	if err != nil {
		return nil, fmt.Errorf("read schema: %w", err)
	}
	var out []string
	for _, c := range dump.Classes {
		if m := physicalName.FindStringSubmatch(c.Class); names[c.Class] || m != nil && names[m[1]] {
			out = append(out, c.Class)
		}
	}
	sort.Strings(out)
	return out, nil
}

// create makes a new, empty physical collection.
func (t *Target) create(ctx context.Context) (string, error) {
	now := time.Now
	if t.Now != nil {
		now = t.Now
	}
	existing, err := t.Collections(ctx)
	if err != nil {
		return "", err
	}
	ts := now().UTC()
	name := t.Alias + "_" + ts.Format("20060102150405")
	// Two reindexes in one second must not collide.
	for containsName(existing, name) {
		ts = ts.Add(time.Second)
		name = t.Alias + "_" + ts.Format("20060102150405")
	}
	if err := t.Client.Schema().ClassCreator().WithClass(t.Class(name)).Do(ctx); err != nil {
		return "", fmt.Errorf("create collection %s: %w", name, err)
	}
	t.warnBlockMax(ctx, name)
	return name, nil
}

func containsName(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// Ensure returns the live physical collection, creating it and the alias
// on first use.
func (t *Target) Ensure(ctx context.Context) (string, error) {
	if c, err := t.Resolve(ctx); err != nil || c != "" {
		return c, err
	}
	name, err := t.create(ctx)
	if err != nil {
		return "", err
	}
	if err := t.Client.Alias().AliasCreator().WithAlias(&alias.Alias{Alias: t.Alias, Class: name}).Do(ctx); err != nil {
		return "", fmt.Errorf("create alias %s → %s: %w", t.Alias, name, err)
	}
	return name, nil
}

// addMissingProperties adds to an existing collection the properties of
// the current schema it lacks (such as link, added after collections were
// first published), so that a collection published by an older kbops
// answers searches for them after the next publish, without a reindex.
// Writing alone is not enough: a cluster may run without auto-schema,
// and auto-schema would guess a word-tokenized, searchable text.
func (t *Target) addMissingProperties(ctx context.Context, c *models.Class) error {
	collection := c.Class
	have := map[string]bool{}
	for _, p := range c.Properties {
		have[strings.ToLower(p.Name)] = true
	}
	for _, p := range t.Class(collection).Properties {
		if have[strings.ToLower(p.Name)] {
			continue
		}
		if err := t.Client.Schema().PropertyCreator().WithClassName(collection).WithProperty(p).Do(ctx); err != nil {
			return fmt.Errorf("add property %s to %s: %w", p.Name, collection, err)
		}
	}
	return nil
}

// point moves the alias (creating it if needed) in one step.
func (t *Target) point(ctx context.Context, class string) error {
	a := &alias.Alias{Alias: t.Alias, Class: class}
	cur, err := t.Client.Alias().AliasGetter().WithAliasName(t.Alias).Do(ctx)
	if err == nil && cur != nil && cur.Class != "" {
		if err := t.Client.Alias().AliasUpdater().WithAlias(a).Do(ctx); err != nil {
			return fmt.Errorf("move alias %s → %s: %w", t.Alias, class, err)
		}
		return nil
	}
	if err := t.Client.Alias().AliasCreator().WithAlias(a).Do(ctx); err != nil {
		return fmt.Errorf("create alias %s → %s: %w", t.Alias, class, err)
	}
	return nil
}

// ReindexResult says what Reindex did.
type ReindexResult struct {
	Previous, Current string
	Objects           int
	Dropped           []string
}

// Reindex builds a new physical collection with every object, verifies it,
// switches the alias to it in one step, and drops all but the newest keep
// collections (keep < 2 is raised to 2, so a rollback target remains).
// Searches keep answering from the old collection until the switch.
func Reindex(ctx context.Context, t *Target, units []*knowledge.Unit, o Options, keep int) (ReindexResult, error) {
	var res ReindexResult
	prev, err := t.Resolve(ctx)
	legacy := false
	if err != nil {
		// A plain collection with the alias's name: migrate it.
		ok, cerr := t.Client.Schema().ClassExistenceChecker().WithClassName(t.Alias).Do(ctx)
		if cerr != nil || !ok {
			return res, err
		}
		legacy = true
	}
	res.Previous = prev
	name, err := t.create(ctx)
	if err != nil {
		return res, err
	}
	desired := objects(units, o.Terms, o.Links, o)
	plan := MakePlan(name, desired, nil)
	var pr Result
	if err := t.apply(ctx, name, desired, plan, o, &pr); err != nil {
		return res, fmt.Errorf("reindex into %s (the alias still points to %s): %w", name, orNone(prev), err)
	}
	if err := t.Verify(ctx, name, desired); err != nil {
		return res, fmt.Errorf("reindex into %s (the alias still points to %s): %w", name, orNone(prev), err)
	}
	if legacy {
		// An alias cannot take the name of an existing collection.
		if err := t.Client.Schema().ClassDeleter().WithClassName(t.Alias).Do(ctx); err != nil {
			return res, fmt.Errorf("drop legacy collection %s: %w", t.Alias, err)
		}
		res.Dropped = append(res.Dropped, t.Alias)
	}
	if err := t.point(ctx, name); err != nil {
		return res, err
	}
	res.Current, res.Objects = name, pr.Written
	if keep < 2 {
		keep = 2
	}
	all, err := t.Collections(ctx)
	if err != nil {
		return res, err
	}
	for i := 0; i < len(all)-keep; i++ {
		if all[i] == name {
			continue
		}
		if err := t.Client.Schema().ClassDeleter().WithClassName(all[i]).Do(ctx); err != nil {
			return res, fmt.Errorf("drop old collection %s: %w", all[i], err)
		}
		res.Dropped = append(res.Dropped, all[i])
	}
	return res, nil
}

func orNone(s string) string {
	if s == "" {
		return "nothing"
	}
	return s
}

// ErrNoRollback is returned when there is no older collection.
var ErrNoRollback = errors.New("no older collection to roll back to")

// Rollback points the alias at the collection before the live one (or at
// to, when given) and returns (from, to).
func Rollback(ctx context.Context, t *Target, to string) (string, string, error) {
	cur, err := t.Resolve(ctx)
	if err != nil {
		return "", "", err
	}
	all, err := t.Collections(ctx)
	if err != nil {
		return "", "", err
	}
	if to == "" {
		for i := len(all) - 1; i >= 0; i-- {
			if all[i] < cur {
				to = all[i]
				break
			}
		}
		if to == "" {
			return cur, "", fmt.Errorf("%w (collections: %s)", ErrNoRollback, strings.Join(all, ", "))
		}
	} else if !containsName(all, to) {
		return cur, "", fmt.Errorf("no collection %s (collections: %s)", to, strings.Join(all, ", "))
	}
	if err := t.point(ctx, to); err != nil {
		return cur, to, err
	}
	return cur, to, nil
}

// AccessAlias is the alias of one access level's collection when knowledge
// is split by access: base + "Public", "Customer", "Partner", "Internal".
func AccessAlias(base string, a knowledge.Access) string {
	s := string(a)
	if s == "" {
		return base
	}
	return base + strings.ToUpper(s[:1]) + s[1:]
}

// ByAccess splits units by access level.
func ByAccess(units []*knowledge.Unit) map[knowledge.Access][]*knowledge.Unit {
	out := map[knowledge.Access][]*knowledge.Unit{}
	for _, a := range knowledge.AccessLevels {
		out[a] = nil
	}
	for _, u := range units {
		out[u.Access] = append(out[u.Access], u)
	}
	return out
}
