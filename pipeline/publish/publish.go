package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/text/stem"
)

// Op is a planned write.
type Op string

// Ops.
const (
	OpAdd    Op = "add"
	OpUpdate Op = "update"
	OpDelete Op = "delete"
)

// Action is one planned write.
type Action struct {
	Op      Op     `json:"op"`
	UnitID  string `json:"unit_id"`
	Object  string `json:"object_id"`
	Version int    `json:"version,omitempty"`
}

// Plan is what publishing would do.
type Plan struct {
	Collection string `json:"collection"`
	Desired    int    `json:"desired"`
	Actual     int    `json:"actual"`
	Unchanged  int    `json:"unchanged"`
	// Kept counts published objects left in place although main has no
	// approved unit for them: their files are unreadable or unapproved.
	Kept    int      `json:"kept"`
	Actions []Action `json:"actions"`
}

// keeping drops the deletions of objects whose unit is in keep.
func (p Plan) keeping(keep map[string]bool) Plan {
	if len(keep) == 0 {
		return p
	}
	acts := p.Actions[:0:0]
	for _, a := range p.Actions {
		if a.Op == OpDelete && keep[a.UnitID] {
			p.Kept++
			continue
		}
		acts = append(acts, a)
	}
	p.Actions = acts
	return p
}

// Count returns the number of actions of op.
func (p Plan) Count(op Op) int {
	n := 0
	for _, a := range p.Actions {
		if a.Op == op {
			n++
		}
	}
	return n
}

// Terms gives the cross-language terms to store with a unit (nil: none).
type Terms func(u *knowledge.Unit) []string

// Links gives the address a person can open a unit's source at ("":
// none); see sources.Spec.Link.
type Links func(u *knowledge.Unit) string

// Object is what is written for a unit.
type Object struct {
	ID    string
	Unit  *knowledge.Unit
	Props map[string]any
	Hash  string
	// build makes Props again for an object whose Props were dropped
	// once hashed (objects): the plan needs only hashes, and holding the
	// properties of every object at once was the largest part of a
	// publish's heap; only objects written are built twice.
	build func() map[string]any
}

// properties returns the object's properties, building them again when
// they were dropped.
func (o Object) properties() map[string]any {
	if o.Props == nil && o.build != nil {
		return o.build()
	}
	return o.Props
}

// BuildObject returns the Weaviate object for a unit, with its
// cross-language terms and the link to its source ("" for none).
func BuildObject(u *knowledge.Unit, terms []string, link string) Object {
	return buildObject(u, terms, link, derived{})
}

// derived are the properties publish derives from all the units at once
// rather than from one: absent when empty, so that objects without them
// keep the hashes they had before the property existed.
type derived struct {
	supersededBy   string
	siblings       []string
	duplicateGroup string
}

func buildObject(u *knowledge.Unit, terms []string, link string, d derived) Object {
	props := map[string]any{
		PropUnitID: u.ID, PropVersion: u.Version, PropContentHash: u.ContentHash,
		PropTitle: u.Title, PropBody: u.Body, PropLanguage: u.Language, PropProduct: u.Product,
		PropLayer: string(u.Layer), PropKind: u.Kind, PropTier: string(u.Tier), PropOwner: u.Owner,
		PropAccess: string(u.Access), PropSourceName: u.Source.Name, PropSourceURI: u.Source.URI,
		PropLocator: u.Source.Locator, PropOccurrences: u.Occurrences, PropLink: link,
		PropEffective: u.Effective.Format(time.RFC3339),
		PropMarkets:   nonNil(u.Markets), PropConcepts: nonNil(u.Concepts), PropTerms: nonNil(terms),
		PropNodeContent: NodeContent(u.ID),
	}
	// Context fields only when set, as superseded_by: other objects keep
	// their hashes.
	if len(u.Industries) > 0 {
		props[PropIndustries] = u.Industries
	}
	if len(u.Audiences) > 0 {
		props[PropAudiences] = u.Audiences
	}
	if u.Adapts != "" {
		props[PropAdapts] = u.Adapts
	}
	if d.supersededBy != "" {
		// Set only on losers: the hash of every other object stays as it
		// was before the property existed (HashProps skips empty values).
		props[PropSupersededBy] = d.supersededBy
	}
	if len(d.siblings) > 0 {
		props[PropSiblings] = d.siblings
	}
	if d.duplicateGroup != "" {
		props[PropDuplicateGroup] = d.duplicateGroup
	}
	if lang := knowledge.PrimaryLanguage(u.Language); stem.Has(lang) {
		// Absent when empty, as the CJK texts: units of other languages
		// keep their object hashes.
		if s := stem.Text(u.Title, lang); s != "" {
			props[PropTitleStems] = s
		}
		if s := stem.Text(u.Body, lang); s != "" {
			props[PropBodyStems] = s
		}
	}
	switch knowledge.PrimaryLanguage(u.Language) {
	case "zh":
		props[PropTextZH] = u.Title + "\n" + u.Body
	case "ja":
		props[PropTextJA] = u.Title + "\n" + u.Body
	}
	// The object hash covers everything written, so a change of owner,
	// locator, glossary terms or link is published although the content
	// hash stays the same.
	sum := HashProps(props)
	props[PropObjectHash] = sum
	return Object{ID: ObjectID(u.ID), Unit: u, Props: props, Hash: sum}
}

// HashProps hashes an object's properties (object_hash itself excluded) in
// a form that survives a round trip through Weaviate: empty values are
// skipped, numbers and lists are compared by their printed form. Publish
// --repair recomputes it from what Weaviate returns to find objects that
// were changed by hand.
func HashProps(props map[string]any) string {
	h := sha256.New()
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == PropObjectHash {
			continue
		}
		v := canonical(props[k])
		if v == "" {
			continue
		}
		fmt.Fprintf(h, "%s=%s\x00", k, v)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

func canonical(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []string:
		return strings.Join(x, "\x1f")
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = canonical(e)
		}
		return strings.Join(parts, "\x1f")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	}
	return fmt.Sprint(v)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// Existing is what the collection holds for one object.
type Existing struct {
	ID, UnitID, ObjectHash string
	// Actual is the hash recomputed from the stored properties; set only
	// when listing with full properties (repair).
	Actual string
}

// ListExisting pages through a physical collection's objects. With full,
// it also recomputes each object's hash from its stored properties, which
// means reading every body; without, it reads only ids and hashes.
func (t *Target) ListExisting(ctx context.Context, collection string, full bool) (map[string]Existing, error) {
	if !full {
		return t.listHashes(ctx, collection)
	}
	out := map[string]Existing{}
	after := ""
	for {
		g := t.Client.Data().ObjectsGetter().WithClassName(collection).WithLimit(1000)
		if t.Consistency != "" {
			g = g.WithConsistencyLevel(t.Consistency)
		}
		if after != "" {
			g = g.WithAfter(after)
		}
		objs, err := g.Do(ctx)
		if err != nil {
			return nil, fmt.Errorf("list objects of %s: %w", collection, err)
		}
		if len(objs) == 0 {
			return out, nil
		}
		for _, o := range objs {
			props, _ := o.Properties.(map[string]any)
			e := Existing{ID: o.ID.String()}
			e.UnitID, _ = props[PropUnitID].(string)
			e.ObjectHash, _ = props[PropObjectHash].(string)
			if full {
				e.Actual = HashProps(props)
			}
			out[e.ID] = e
			after = e.ID
		}
	}
}

// listHashes reads only the object ids, unit ids and object hashes, with
// a GraphQL cursor: a no-op publish of 100,000 units must not move every
// body over the wire.
func (t *Target) listHashes(ctx context.Context, collection string) (map[string]Existing, error) {
	out := map[string]Existing{}
	after := ""
	fields := []graphql.Field{{Name: PropUnitID}, {Name: PropObjectHash}, {Name: "_additional", Fields: []graphql.Field{{Name: "id"}}}}
	for {
		g := t.Client.GraphQL().Get().WithClassName(collection).WithFields(fields...).WithLimit(2000)
		if after != "" {
			g = g.WithAfter(after)
		}
		if t.Consistency != "" {
			g = g.WithConsistencyLevel(t.Consistency)
		}
		resp, err := g.Do(ctx)
		if err != nil {
			return nil, fmt.Errorf("list objects of %s: %w", collection, err)
		}
		if len(resp.Errors) > 0 {
			return nil, fmt.Errorf("list objects of %s: %s", collection, resp.Errors[0].Message)
		}
		get, _ := resp.Data["Get"].(map[string]any)
		rows, _ := get[collection].([]any)
		if len(rows) == 0 {
			return out, nil
		}
		for _, r := range rows {
			m, _ := r.(map[string]any)
			add, _ := m["_additional"].(map[string]any)
			e := Existing{ID: str(add["id"]), UnitID: str(m[PropUnitID]), ObjectHash: str(m[PropObjectHash])}
			out[e.ID] = e
			after = e.ID
		}
	}
}

// MakePlan compares desired objects with existing ones. An existing
// object whose recomputed hash (Actual, when known) differs from its
// recorded one was changed by hand and is updated.
func MakePlan(collection string, desired []Object, existing map[string]Existing) Plan {
	p := Plan{Collection: collection, Desired: len(desired), Actual: len(existing)}
	want := map[string]bool{}
	for _, o := range desired {
		want[o.ID] = true
		e, ok := existing[o.ID]
		switch {
		case !ok:
			p.Actions = append(p.Actions, Action{OpAdd, o.Unit.ID, o.ID, o.Unit.Version})
		case e.ObjectHash != o.Hash || (e.Actual != "" && e.Actual != o.Hash):
			p.Actions = append(p.Actions, Action{OpUpdate, o.Unit.ID, o.ID, o.Unit.Version})
		default:
			p.Unchanged++
		}
	}
	var stray []Existing
	for id, e := range existing {
		if !want[id] {
			stray = append(stray, e)
		}
	}
	sort.Slice(stray, func(i, j int) bool { return stray[i].UnitID < stray[j].UnitID })
	for _, e := range stray {
		p.Actions = append(p.Actions, Action{Op: OpDelete, UnitID: e.UnitID, Object: e.ID})
	}
	return p
}

// Options control Publish.
type Options struct {
	DryRun bool
	// Repair reads every object in full to find objects changed by hand
	// (slower: bodies are transferred); without it, recorded hashes are
	// trusted.
	Repair bool
	// BatchSize is the number of objects per batch request (default 200).
	BatchSize int
	// Workers is the number of batch requests in flight (default 2).
	Workers int
	// Terms adds cross-language terms; nil adds none.
	Terms Terms
	// Links gives each unit's link; nil publishes none.
	Links Links
	// SupersededBy maps the id of a unit that lost a conflict to the id of
	// the unit that wins (reviews.Supersede); its object is written with
	// PropSupersededBy.
	SupersededBy map[string]string
	// Siblings maps a unit id to its translation siblings (align.Siblings
	// over the approved units); its object is written with PropSiblings.
	Siblings map[string][]string
	// Progress, when set, is told how many writes are done of how many.
	Progress func(done, total int)
	// Keep names units whose published objects stay even though they are
	// not among the units to publish: their files on main cannot be read
	// or are not approved. What was approved stays served; a broken or
	// unreviewed file never becomes a deletion.
	Keep map[string]bool
	// Hold, when set, is asked about the units whose objects the plan
	// would delete (main has no file for them) and returns those whose
	// removal did not pass review; their objects stay too. See
	// reviews.Snapshot.HoldRemovals.
	Hold func(ctx context.Context, ids []string) (map[string]bool, error)
}

// Result says what Publish did.
type Result struct {
	Plan    Plan
	Written int // objects added or updated
	Deleted int
	// Failed lists objects Weaviate refused, with its reason.
	Failed []string
}

// Objects builds the objects of the active units, properties included;
// terms and links may be nil.
func Objects(units []*knowledge.Unit, terms Terms, links Links) []Object {
	out := objects(units, terms, links, Options{})
	for i := range out {
		out[i].Props = out[i].properties()
	}
	return out
}

// objects builds the objects of the active units with o's terms, links,
// supersessions and siblings, and the near-duplicates among them
// (NearDuplicates), keeping their hashes and dropping their
// properties (Object.build makes them again).
func objects(units []*knowledge.Unit, terms Terms, links Links, o Options) []Object {
	dups := NearDuplicates(units, o.SupersededBy)
	out := make([]Object, 0, len(units))
	for _, u := range units {
		if u.Status != knowledge.StatusActive {
			continue
		}
		var ts []string
		if terms != nil {
			ts = terms(u)
		}
		link := ""
		if links != nil {
			link = links(u)
		}
		d := derived{supersededBy: o.SupersededBy[u.ID], siblings: o.Siblings[u.ID], duplicateGroup: dups[u.ID]}
		obj := buildObject(u, ts, link, d)
		obj.Props = nil
		obj.build = func() map[string]any { return buildObject(u, ts, link, d).Props }
		out = append(out, obj)
	}
	return out
}

// Publish makes the live collection (the one the alias points to, created
// on first use) hold exactly the given units' objects — the caller passes
// approved units; retired ones are left out — and verifies it afterwards.
func Publish(ctx context.Context, t *Target, units []*knowledge.Unit, o Options) (Result, error) {
	var res Result
	collection, err := t.Resolve(ctx)
	if err != nil {
		return res, err
	}
	if collection == "" && !o.DryRun {
		if collection, err = t.Ensure(ctx); err != nil {
			return res, err
		}
	} else if collection != "" {
		class, v, err := t.readVectors(ctx, collection)
		if err != nil {
			return res, err
		}
		if err := t.checkVectors(collection, v); err != nil {
			return res, err
		}
		if !o.DryRun {
			if err := t.addMissingProperties(ctx, class); err != nil {
				return res, err
			}
		}
	}
	desired := objects(units, o.Terms, o.Links, o)
	existing := map[string]Existing{}
	if collection != "" {
		if existing, err = t.ListExisting(ctx, collection, o.Repair); err != nil {
			return res, err
		}
	}
	res.Plan = MakePlan(t.Alias, desired, existing).keeping(o.Keep)
	keep := o.Keep
	if o.Hold != nil {
		var gone []string
		for _, a := range res.Plan.Actions {
			if a.Op == OpDelete {
				gone = append(gone, a.UnitID)
			}
		}
		if len(gone) > 0 {
			held, err := o.Hold(ctx, gone)
			if err != nil {
				return res, fmt.Errorf("check the removals of %d unit(s): %w", len(gone), err)
			}
			res.Plan = res.Plan.keeping(held)
			keep = make(map[string]bool, len(o.Keep)+len(held))
			for id := range o.Keep {
				keep[id] = true
			}
			for id := range held {
				keep[id] = true
			}
		}
	}
	if o.DryRun {
		return res, nil
	}
	if len(res.Plan.Actions) == 0 {
		return res, nil
	}
	if err := t.apply(ctx, collection, desired, res.Plan, o, &res); err != nil {
		return res, err
	}
	return res, t.verify(ctx, collection, desired, keep)
}

// apply carries out a plan on a physical collection.
func (t *Target) apply(ctx context.Context, collection string, desired []Object, plan Plan, o Options, res *Result) error {
	if o.BatchSize <= 0 {
		o.BatchSize = 200
	}
	byID := make(map[string]Object, len(desired))
	for _, obj := range desired {
		byID[obj.ID] = obj
	}
	total := len(plan.Actions)
	// Batches go out from a few writers at once: while Weaviate indexes
	// one batch, the next is on the wire. Results are gathered in order
	// of completion; every object's result is still checked.
	workers := o.Workers
	if workers <= 0 {
		workers = 2
	}
	type outcome struct {
		n      int
		failed []string
		err    error
	}
	jobs := make(chan []*models.Object)
	results := make(chan outcome)
	// An embedding service that cannot be reached stops the rest: every
	// batch would wait out its retries, and none could be written.
	ctx, stop := context.WithCancelCause(ctx)
	defer stop(nil)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range jobs {
				var failed []string
				if t.Embedder != nil {
					var err error
					if b, failed, err = t.embedObjects(ctx, b); err != nil {
						stop(err)
						results <- outcome{0, failed, err}
						continue
					}
				}
				n, wfailed, err := 0, []string(nil), error(nil)
				if len(b) > 0 {
					n, wfailed, err = t.writeBatch(ctx, b)
				}
				results <- outcome{n, append(failed, wfailed...), err}
			}
		}()
	}
	go func() {
		var batch []*models.Object
		for _, a := range plan.Actions {
			if a.Op == OpDelete {
				continue
			}
			obj := byID[a.Object]
			batch = append(batch, &models.Object{Class: collection, ID: strfmt.UUID(obj.ID), Properties: obj.properties()})
			if len(batch) >= o.BatchSize {
				select {
				case jobs <- batch:
				case <-ctx.Done():
				}
				batch = nil
			}
		}
		if len(batch) > 0 {
			select {
			case jobs <- batch:
			case <-ctx.Done():
			}
		}
		close(jobs)
		wg.Wait()
		close(results)
	}()
	var firstErr error
	for r := range results {
		res.Written += r.n
		res.Failed = append(res.Failed, r.failed...)
		if r.err != nil && firstErr == nil {
			firstErr = r.err
		}
		if o.Progress != nil {
			o.Progress(res.Written+res.Deleted+len(res.Failed), total)
		}
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return fmt.Errorf("%w; Weaviate holds what was written before, run publish again when the service answers", cause)
	}
	if firstErr != nil {
		return firstErr
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	for _, a := range plan.Actions {
		if a.Op != OpDelete {
			continue
		}
		if err := retry(ctx, func() error {
			d := t.Client.Data().Deleter().WithClassName(collection).WithID(a.Object)
			if t.Consistency != "" {
				d = d.WithConsistencyLevel(t.Consistency)
			}
			return d.Do(ctx)
		}); err != nil && !isNotFound(err) {
			res.Failed = append(res.Failed, fmt.Sprintf("delete %s (%s): %v", a.UnitID, a.Object, err))
			continue
		}
		res.Deleted++
	}
	if len(res.Failed) > 0 {
		return fmt.Errorf("publish: %d object(s) failed; Weaviate holds the rest, run publish again to retry:\n  %s", len(res.Failed), strings.Join(res.Failed, "\n  "))
	}
	return nil
}

// writeBatch writes objects and checks each one's result: the client
// returns no error when single objects fail.
func (t *Target) writeBatch(ctx context.Context, objs []*models.Object) (written int, failed []string, err error) {
	var resp []models.ObjectsGetResponse
	err = retry(ctx, func() error {
		var e error
		b := t.Client.Batch().ObjectsBatcher().WithObjects(objs...)
		if t.Consistency != "" {
			b = b.WithConsistencyLevel(t.Consistency)
		}
		resp, e = b.Do(ctx)
		return e
	})
	if err != nil {
		return 0, nil, fmt.Errorf("batch write of %d objects: %w", len(objs), err)
	}
	for _, r := range resp {
		if r.Result != nil && r.Result.Errors != nil && len(r.Result.Errors.Error) > 0 {
			var msgs []string
			for _, e := range r.Result.Errors.Error {
				msgs = append(msgs, e.Message)
			}
			uid := ""
			if p, ok := r.Properties.(map[string]any); ok {
				uid, _ = p[PropUnitID].(string)
			}
			failed = append(failed, fmt.Sprintf("%s (%s): %s", uid, r.ID, strings.Join(msgs, "; ")))
			continue
		}
		written++
	}
	if len(resp) != len(objs) {
		return written, failed, fmt.Errorf("batch write: %d results for %d objects", len(resp), len(objs))
	}
	return written, failed, nil
}

// retry runs f up to 4 times with backoff (0.5 s, 1 s, 2 s) while ctx
// lives: Weaviate answers 5xx or drops connections briefly under load.
func retry(ctx context.Context, f func() error) error {
	var err error
	delay := 500 * time.Millisecond
	for i := 0; i < 4; i++ {
		if err = f(); err == nil || isNotFound(err) || isPermanent(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
	return err
}

func isNotFound(err error) bool {
	return err != nil && strings.Contains(err.Error(), "404")
}

// isPermanent reports errors that a retry cannot fix (bad request,
// unauthorised, unprocessable).
func isPermanent(err error) bool {
	s := err.Error()
	for _, code := range []string{"status code: 400", "status code: 401", "status code: 403", "status code: 422", "Unauthenticated", "PermissionDenied", "InvalidArgument"} {
		if strings.Contains(s, code) {
			return true
		}
	}
	return false
}

// Verify checks that a physical collection holds exactly the desired
// objects with their object hashes.
func (t *Target) Verify(ctx context.Context, collection string, desired []Object) error {
	return t.verify(ctx, collection, desired, nil)
}

// verify is Verify allowing the objects of the units in keep to stay.
// On a replicated cluster a write acknowledged by a quorum can take a
// moment to show in a listing served by another replica, so a difference
// is looked at again a few times (about 3 s in all) before it counts.
func (t *Target) verify(ctx context.Context, collection string, desired []Object, keep map[string]bool) error {
	var p Plan
	for attempt, wait := 0, 100*time.Millisecond; ; attempt, wait = attempt+1, wait*2 {
		existing, err := t.ListExisting(ctx, collection, false)
		if err != nil {
			return fmt.Errorf("verify: %w", err)
		}
		p = MakePlan(collection, desired, existing).keeping(keep)
		if len(p.Actions) == 0 || attempt == 4 {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	if len(p.Actions) > 0 {
		var lines []string
		for i, a := range p.Actions {
			if i == 10 {
				lines = append(lines, fmt.Sprintf("… and %d more", len(p.Actions)-10))
				break
			}
			lines = append(lines, fmt.Sprintf("%s still needs %s", a.UnitID, a.Op))
		}
		return fmt.Errorf("verify: %s differs from the approved set in %d object(s): %s; run publish again", collection, len(p.Actions), strings.Join(lines, "; "))
	}
	return nil
}
