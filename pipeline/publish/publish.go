package publish

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/kbops/kbops/knowledge"
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
	Collection string   `json:"collection"`
	Desired    int      `json:"desired"`
	Actual     int      `json:"actual"`
	Unchanged  int      `json:"unchanged"`
	Actions    []Action `json:"actions"`
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

// Object is what is written for a unit.
type Object struct {
	ID    string
	Unit  *knowledge.Unit
	Props map[string]any
	Hash  string
}

// BuildObject returns the Weaviate object for a unit.
func BuildObject(u *knowledge.Unit, terms []string) Object {
	props := map[string]any{
		PropUnitID: u.ID, PropVersion: u.Version, PropContentHash: u.ContentHash,
		PropTitle: u.Title, PropBody: u.Body, PropLanguage: u.Language, PropProduct: u.Product,
		PropLayer: string(u.Layer), PropKind: u.Kind, PropTier: string(u.Tier), PropOwner: u.Owner,
		PropAccess: string(u.Access), PropSourceName: u.Source.Name, PropSourceURI: u.Source.URI,
		PropLocator: u.Source.Locator, PropOccurrences: u.Occurrences,
		PropEffective: u.Effective.Format(time.RFC3339),
		PropMarkets:   nonNil(u.Markets), PropConcepts: nonNil(u.Concepts), PropTerms: nonNil(terms),
	}
	switch knowledge.PrimaryLanguage(u.Language) {
	case "zh":
		props[PropTextZH] = u.Title + "\n" + u.Body
	case "ja":
		props[PropTextJA] = u.Title + "\n" + u.Body
	}
	// The object hash covers everything written, so a change of owner,
	// locator or glossary terms is published although the content hash
	// stays the same.
	h := sha256.New()
	keys := make([]string, 0, len(props))
	for k := range props {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(h, "%s=%v\x00", k, props[k])
	}
	sum := "sha256:" + hex.EncodeToString(h.Sum(nil))
	props[PropObjectHash] = sum
	return Object{ID: ObjectID(u.ID), Unit: u, Props: props, Hash: sum}
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
}

// ListExisting pages through the collection's objects (id, unit id,
// object hash).
func ListExisting(ctx context.Context, c *weaviate.Client, collection string) (map[string]Existing, error) {
	out := map[string]Existing{}
	after := ""
	for {
		g := c.Data().ObjectsGetter().WithClassName(collection).WithLimit(1000)
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
			out[e.ID] = e
			after = e.ID
		}
	}
}

// MakePlan compares desired objects with existing ones.
func MakePlan(collection string, desired []Object, existing map[string]Existing) Plan {
	p := Plan{Collection: collection, Desired: len(desired), Actual: len(existing)}
	want := map[string]bool{}
	for _, o := range desired {
		want[o.ID] = true
		e, ok := existing[o.ID]
		switch {
		case !ok:
			p.Actions = append(p.Actions, Action{OpAdd, o.Unit.ID, o.ID, o.Unit.Version})
		case e.ObjectHash != o.Hash:
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
	Collection string
	DryRun     bool
	// BatchSize is the number of objects per batch request (default 200).
	BatchSize int
	// Terms adds cross-language terms; nil adds none.
	Terms Terms
	// Progress, when set, is told how many writes are done of how many.
	Progress func(done, total int)
}

// Result says what Publish did.
type Result struct {
	Plan    Plan
	Written int // objects added or updated
	Deleted int
	// Failed lists objects Weaviate refused, with its reason.
	Failed []string
}

// Publish makes the collection hold exactly the given units (approved,
// active units; the caller decides which) and verifies it afterwards.
func Publish(ctx context.Context, c *weaviate.Client, units []*knowledge.Unit, o Options) (Result, error) {
	var res Result
	if o.BatchSize <= 0 {
		o.BatchSize = 200
	}
	if !o.DryRun {
		if _, err := EnsureCollection(ctx, c, o.Collection); err != nil {
			return res, err
		}
	}
	desired := make([]Object, 0, len(units))
	byID := map[string]Object{}
	for _, u := range units {
		if u.Status != knowledge.StatusActive {
			continue
		}
		var terms []string
		if o.Terms != nil {
			terms = o.Terms(u)
		}
		obj := BuildObject(u, terms)
		desired = append(desired, obj)
		byID[obj.ID] = obj
	}
	existing := map[string]Existing{}
	ok, err := c.Schema().ClassExistenceChecker().WithClassName(o.Collection).Do(ctx)
	if err != nil {
		return res, fmt.Errorf("check collection %s: %w", o.Collection, err)
	}
	if ok {
		if existing, err = ListExisting(ctx, c, o.Collection); err != nil {
			return res, err
		}
	}
	res.Plan = MakePlan(o.Collection, desired, existing)
	if o.DryRun || len(res.Plan.Actions) == 0 {
		return res, nil
	}
	total := len(res.Plan.Actions)
	var batch []*models.Object
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, failed, err := writeBatch(ctx, c, batch)
		res.Written += n
		res.Failed = append(res.Failed, failed...)
		batch = batch[:0]
		if o.Progress != nil {
			o.Progress(res.Written+res.Deleted+len(res.Failed), total)
		}
		return err
	}
	for _, a := range res.Plan.Actions {
		if a.Op == OpDelete {
			continue
		}
		obj := byID[a.Object]
		batch = append(batch, &models.Object{Class: o.Collection, ID: strfmt.UUID(obj.ID), Properties: obj.Props})
		if len(batch) >= o.BatchSize {
			if err := flush(); err != nil {
				return res, err
			}
		}
	}
	if err := flush(); err != nil {
		return res, err
	}
	for _, a := range res.Plan.Actions {
		if a.Op != OpDelete {
			continue
		}
		if err := retry(ctx, func() error {
			return c.Data().Deleter().WithClassName(o.Collection).WithID(a.Object).Do(ctx)
		}); err != nil && !isNotFound(err) {
			res.Failed = append(res.Failed, fmt.Sprintf("delete %s (%s): %v", a.UnitID, a.Object, err))
			continue
		}
		res.Deleted++
	}
	if len(res.Failed) > 0 {
		return res, fmt.Errorf("publish: %d object(s) failed; Weaviate holds the rest, run publish again to retry:\n  %s", len(res.Failed), strings.Join(res.Failed, "\n  "))
	}
	return res, Verify(ctx, c, o.Collection, desired)
}

// writeBatch writes objects and checks each one's result: the client
// returns no error when single objects fail.
func writeBatch(ctx context.Context, c *weaviate.Client, objs []*models.Object) (written int, failed []string, err error) {
	var resp []models.ObjectsGetResponse
	err = retry(ctx, func() error {
		var e error
		resp, e = c.Batch().ObjectsBatcher().WithObjects(objs...).Do(ctx)
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
		if err = f(); err == nil || isNotFound(err) {
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

// Verify checks that the collection holds exactly the desired objects with
// their object hashes.
func Verify(ctx context.Context, c *weaviate.Client, collection string, desired []Object) error {
	existing, err := ListExisting(ctx, c, collection)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	p := MakePlan(collection, desired, existing)
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
