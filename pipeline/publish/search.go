package publish

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/weaviate/weaviate-go-client/v5/weaviate"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/auth"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/filters"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	wgrpc "github.com/weaviate/weaviate-go-client/v5/weaviate/grpc"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/text/stem"
)

// Connect returns a client for Weaviate at httpURL (http://host:port) with
// gRPC at grpcHost (host:port; "" means the HTTP host with port 50051).
// apiKey, when set, comes from the environment.
func Connect(ctx context.Context, httpURL, grpcHost, apiKey string) (*weaviate.Client, error) {
	u, err := url.Parse(httpURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("weaviate url %q: want http://host:port", httpURL)
	}
	if grpcHost == "" {
		grpcHost = u.Hostname() + ":50051"
	}
	cfg := weaviate.Config{
		Host: u.Host, Scheme: u.Scheme, StartupTimeout: 5 * time.Second, Timeout: 60 * time.Second,
		GrpcConfig: &wgrpc.Config{Host: grpcHost, Secured: u.Scheme == "https"},
	}
	if apiKey != "" {
		cfg.AuthConfig = auth.ApiKey{Value: apiKey}
	}
	c, err := weaviate.NewClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to Weaviate at %s: %w; is it running? (`kbops weaviate status`)", httpURL, err)
	}
	return c, nil
}

// ErrNothingPublished is returned by Search when the alias points at no
// collection: nothing was published under it yet.
var ErrNothingPublished = errors.New("nothing published yet")

// ErrUnknownCollection is returned by Search when Weaviate does not know
// the collection or the fields it is asked for: it was deleted, or
// published with an older schema.
var ErrUnknownCollection = errors.New("the collection or its fields are unknown to Weaviate")

// unknownCollection tells whether a Weaviate error message means that the
// class or a field does not exist. Weaviate gives only text; it is read
// here so that callers can use errors.Is.
// A class dropped while a query runs gives yet another text ("explorer:
// get class: extend: class \"X\" not found in schema", seen in 1 of 59
// searches during a reindex).
func unknownCollection(msg string) bool {
	return strings.Contains(msg, "Cannot query field") || strings.Contains(msg, "does not exist") || strings.Contains(msg, "not found in schema")
}

// Query is a keyword search.
type Query struct {
	Text string
	// Language, Product, Layer filter exactly when set ("zh" matches
	// zh-CN and zh-TW).
	Language, Product, Layer string
	// Access is the caller's access level: units at that level and more
	// open ones are returned. Empty: no filter.
	Access string
	Limit  int
	// Expansions are extra query words (glossary terms in other languages).
	Expansions []string
	// Market, Industry and Audience select the units written for that
	// context and the generic ones (without the field). With a market,
	// a unit adapted for it ranks before the unit it adapts.
	Market, Industry, Audience string
	// IncludeSuperseded returns units that lost a conflict too (marked
	// with Hit.SupersededBy); by default they are left out, so an agent
	// never quotes the losing value.
	IncludeSuperseded bool
}

// Hit is one search result.
type Hit struct {
	UnitID   string `json:"unit_id"`
	Title    string `json:"title"`
	Version  int    `json:"version"`
	Language string `json:"language"`
	Product  string `json:"product,omitempty"`
	Tier     string `json:"tier"`
	Access   string `json:"access"`
	Source   string `json:"source_uri"`
	Locator  string `json:"source_locator,omitempty"`
	// Link is where a person can open the source (page or anchor
	// included); empty when only a local file exists.
	Link string `json:"link,omitempty"`
	// Effective is the date the knowledge is valid from, YYYY-MM-DD.
	Effective string   `json:"effective,omitempty"`
	Owner     string   `json:"owner,omitempty"`
	Markets   []string `json:"markets,omitempty"`
	// Concepts are the glossary concept ids of the unit.
	Concepts []string `json:"concepts,omitempty"`
	Score    float64  `json:"score"`
	Snippet  string   `json:"snippet"`
	// SupersededBy is the unit that wins a conflict with this one; set
	// only with Query.IncludeSuperseded.
	SupersededBy string `json:"superseded_by,omitempty"`
	// Adapts is the unit this one adapts for its Markets, if it is a
	// context unit.
	Adapts string `json:"adapts,omitempty"`
	// Siblings are the unit's translation siblings (PropSiblings).
	Siblings []string `json:"siblings,omitempty"`
	// SiblingOf is set when the hit was found, or ranked higher, through
	// a translation sibling in another language that matched the query:
	// that sibling's unit id. Its score includes the sibling's.
	SiblingOf string `json:"sibling_of,omitempty"`
	// Why lists the searches that matched the unit and what each added
	// to Score, in the order they ran; their scores sum to Score.
	Why []Reason `json:"why"`
	// Duplicates are lower hits with nearly the same text in the same
	// language (a chapter kept as PDF and as HTML, a manual ingested
	// twice), left out of the list so they do not fill it; see
	// collapseDuplicates.
	Duplicates []string `json:"duplicates,omitempty"`
	// duplicateGroup is the object's PropDuplicateGroup.
	duplicateGroup string
}

// Reason is one way a hit matched: Kind is "bm25" (the question's words
// in title, body and terms), "stems" (their stems), "terms" (glossary
// terms of the concepts the question names, in other languages),
// "cjk" (its Han, Kana or Hangul text in the Chinese and Japanese
// fields), "vector" (the vector halves of those searches, when the
// collection holds vectors and they run hybrid: what the question's
// embedding added, read from Weaviate's explainScore) or "sibling" (a
// translation sibling, Via, matched). In a hybrid search the keyword
// kinds carry the keyword half of the fused score.
type Reason struct {
	Kind  string  `json:"kind"`
	Score float64 `json:"score"`
	Via   string  `json:"via,omitempty"`
}

// Search queries the alias as an agent front-end would: BM25 keyword
// search, or hybrid search (BM25 fused with vectors) when the collection
// has a vectorizer. The query text searches WordProperties; the
// expansions search the glossary terms only, so that the small words of
// a multi-word term in another language ("de" in "reducción de
// potencia") do not match every body in that language; the Han, Kana and
// Hangul runs of both search CJKProperties, and a query without any does
// not search them at all; the stems of the query search StemProperties.
// A unit's score is the sum of its scores in these searches. Translation
// siblings (PropSiblings) of units that matched in another language join
// the hits, marked Hit.SiblingOf: with a language filter they take the
// matching unit's score (addSiblings), without one they follow their hit
// (siblingsFollow). Hits come best first with the passage of the body
// that matched as the snippet; no hits is an empty, non-nil slice.
func Search(ctx context.Context, t *Target, q Query) ([]Hit, error) {
	// Weaviate 1.35 answers unfiltered GraphQL queries through an alias but
	// rejects where-filters on one ("class does not exist"), so the alias
	// is resolved first; the lookup is one small request.
	collection, err := t.Resolve(ctx)
	if err != nil {
		return nil, err
	}
	if collection == "" {
		return nil, fmt.Errorf("%w under %s: run `kbops publish`", ErrNothingPublished, t.Alias)
	}
	if strings.TrimSpace(q.Text) == "" {
		return nil, fmt.Errorf("empty query")
	}
	if q.Limit <= 0 {
		q.Limit = 10
	}
	hits, err := searchIn(ctx, t, collection, q)
	if errors.Is(err, ErrUnknownCollection) {
		// A reindex may have moved the alias and dropped the collection
		// this search resolved to between its requests: ask the new one.
		if now, rerr := t.Resolve(ctx); rerr == nil && now != "" && now != collection {
			return searchIn(ctx, t, now, q)
		}
	}
	return hits, err
}

// searchIn is Search in one physical collection.
func searchIn(ctx context.Context, t *Target, collection string, q Query) ([]Hit, error) {
	subs := subQueries(q)
	if err := t.searchVectors(ctx, collection, subs); err != nil {
		return nil, err
	}
	limit := q.Limit
	if len(subs) > 1 {
		// A unit found by two searches may rank below the limit in each.
		limit = max(2*q.Limit, 20)
	}
	found, err := runSearches(ctx, t, collection, q, subs, limit)
	if err != nil {
		return nil, err
	}
	if q.Language != "" {
		if err := addSiblings(ctx, t, collection, q, subs, limit, found); err != nil {
			return nil, err
		}
	}
	hits := make([]Hit, 0, len(found.order))
	for _, id := range found.order {
		f := found.byID[id]
		f.hit.Snippet = Snippet(f.body, q.Text)
		hits = append(hits, f.hit)
	}
	sort.SliceStable(hits, func(i, j int) bool { return hits[i].Score > hits[j].Score })
	hits = collapseDuplicates(hits)
	hits = AdaptedFirst(hits, q.Market)
	if q.Language == "" {
		if hits, err = siblingsFollow(ctx, t, collection, q, hits); err != nil {
			return nil, err
		}
	}
	if len(hits) > q.Limit {
		hits = hits[:q.Limit]
	}
	return hits, nil
}

// collapseDuplicates keeps, of hits (best first) in one duplicate group
// (PropDuplicateGroup, derived at publish by NearDuplicates: nearly the
// same text in one language, access level and market set), the best one, listing the others in its Duplicates: a
// front-end's five places go to five answers. A hit that lost a conflict
// is never merged (it was not paired at publish either).
func collapseDuplicates(hits []Hit) []Hit {
	out := hits[:0:0]
	for _, h := range hits {
		dup := -1
		if h.SupersededBy == "" {
			for i, o := range out {
				if o.SupersededBy == "" && h.duplicateGroup != "" && o.duplicateGroup == h.duplicateGroup {
					dup = i
					break
				}
			}
		}
		if dup >= 0 {
			out[dup].Duplicates = append(out[dup].Duplicates, h.UnitID)
			continue
		}
		out = append(out, h)
	}
	return out
}

// siblingsFollow places, without a language filter, each hit's
// translation siblings right after it (fetched with q's filters when no
// search found them, moved up when one did), marked SiblingOf and with
// the hit's score: the question's language need not be the customer's,
// and the agent gets the answer in every edition. Only the hits within
// the limit bring siblings.
func siblingsFollow(ctx context.Context, t *Target, collection string, q Query, hits []Hit) ([]Hit, error) {
	at := map[string]int{}
	for i, h := range hits {
		at[h.UnitID] = i
	}
	var missing []string
	wanted := map[string]bool{}
	for _, h := range hits[:min(len(hits), q.Limit)] {
		for _, s := range h.Siblings {
			if _, ok := at[s]; !ok && !wanted[s] {
				wanted[s] = true
				missing = append(missing, s)
			}
		}
	}
	if !anySiblings(hits, q.Limit) {
		return hits, nil
	}
	fetched := map[string]Hit{}
	if len(missing) > 0 {
		rows, err := searchRows(ctx, t, collection, q, subQuery{}, len(missing), missing)
		if err != nil {
			return nil, err
		}
		for _, m := range rows {
			h := hitOf(m)
			h.Snippet = Snippet(str(m[PropBody]), q.Text)
			fetched[h.UnitID] = h
		}
	}
	placed := map[string]bool{}
	out := make([]Hit, 0, len(hits)+len(fetched))
	for i, h := range hits {
		if placed[h.UnitID] {
			continue
		}
		placed[h.UnitID] = true
		out = append(out, h)
		if i >= q.Limit {
			continue
		}
		for _, s := range h.Siblings {
			if placed[s] {
				continue
			}
			sh, ok := fetched[s]
			if j, found := at[s]; found {
				sh, ok = hits[j], true
			}
			if !ok {
				continue // filtered out, or not published here
			}
			// It follows its sibling: it takes that score, and why.
			sh.Score, sh.SiblingOf = h.Score, h.UnitID
			sh.Why = []Reason{{Kind: "sibling", Score: h.Score, Via: h.UnitID}}
			placed[s] = true
			out = append(out, sh)
		}
	}
	return out, nil
}

func anySiblings(hits []Hit, limit int) bool {
	for _, h := range hits[:min(len(hits), limit)] {
		if len(h.Siblings) > 0 {
			return true
		}
	}
	return false
}

// foundUnit is a unit found by one or more searches of a query.
type foundUnit struct {
	hit      Hit
	body     string
	siblings []string
}

// foundSet is the units found by the searches of a query, in the order
// first found, with their scores summed.
type foundSet struct {
	order []string
	byID  map[string]*foundUnit
}

func (fs *foundSet) add(m map[string]any, kind string) {
	h := hitOf(m)
	why := []Reason{{Kind: kind, Score: h.Score}}
	if add, ok := m["_additional"].(map[string]any); ok {
		// A hybrid result: what its vector search gave is said apart.
		if v := vectorPart(str(add["explainScore"])); v > 0 {
			why = []Reason{{Kind: kind, Score: h.Score - v}, {Kind: "vector", Score: v}}
			if h.Score-v <= 1e-9 {
				why = why[1:]
			}
		}
	}
	if f, ok := fs.byID[h.UnitID]; ok {
		f.hit.Score += h.Score
		f.hit.Why = addReasons(f.hit.Why, why)
		return
	}
	h.Why = why
	fs.byID[h.UnitID] = &foundUnit{hit: h, body: str(m[PropBody]), siblings: strs(m[PropSiblings])}
	fs.order = append(fs.order, h.UnitID)
}

// addReasons appends reasons to why, adding a "vector" reason to the one
// already there: the vector halves of a question's searches are one
// reason to a reader, whichever keyword search they were fused with.
func addReasons(why, more []Reason) []Reason {
	for _, r := range more {
		if r.Kind == "vector" {
			if i := slices.IndexFunc(why, func(w Reason) bool { return w.Kind == "vector" }); i >= 0 {
				why[i].Score += r.Score
				continue
			}
		}
		why = append(why, r)
	}
	return why
}

// runSearches runs the searches of q with its filters.
func runSearches(ctx context.Context, t *Target, collection string, q Query, subs []subQuery, limit int) (*foundSet, error) {
	fs := &foundSet{byID: map[string]*foundUnit{}}
	for _, sq := range subs {
		rows, err := searchRows(ctx, t, collection, q, sq, limit, nil)
		if err != nil {
			return nil, err
		}
		for _, m := range rows {
			fs.add(m, sq.kind)
		}
	}
	return fs, nil
}

// addSiblings runs the searches of q again in every language and gives
// each translation sibling in q's language of a unit found there that
// unit's score (the best, when several bring it), fetching the siblings
// not found yet with q's filters — so a German question about a manual
// with an English edition finds the English section the German one
// translates. A sibling that does not pass q's filters (access,
// superseded, market) stays out.
func addSiblings(ctx context.Context, t *Target, collection string, q Query, subs []subQuery, limit int, found *foundSet) error {
	anyLang := q
	anyLang.Language = ""
	other, err := runSearches(ctx, t, collection, anyLang, subs, limit)
	if err != nil {
		return err
	}
	credit := map[string]float64{}
	via := map[string]string{}
	var missing []string
	for _, id := range other.order {
		f := other.byID[id]
		if languageMatches(f.hit.Language, q.Language) {
			continue
		}
		for _, s := range f.siblings {
			if _, ok := credit[s]; !ok && found.byID[s] == nil {
				missing = append(missing, s)
			}
			if f.hit.Score > credit[s] {
				credit[s], via[s] = f.hit.Score, id
			}
		}
	}
	if len(credit) == 0 {
		return nil
	}
	if len(missing) > 0 {
		rows, err := searchRows(ctx, t, collection, q, subQuery{}, len(missing), missing)
		if err != nil {
			return err
		}
		for _, m := range rows {
			h := hitOf(m)
			h.Score = 0
			found.byID[h.UnitID] = &foundUnit{hit: h, body: str(m[PropBody]), siblings: strs(m[PropSiblings])}
			found.order = append(found.order, h.UnitID)
		}
	}
	for s, c := range credit {
		if f := found.byID[s]; f != nil {
			f.hit.Score += c
			f.hit.SiblingOf = via[s]
			f.hit.Why = append(f.hit.Why, Reason{Kind: "sibling", Score: c, Via: via[s]})
		}
	}
	return nil
}

// languageMatches reports whether a unit's language tag passes a language
// filter as where() applies it: a full tag exactly, a primary subtag as a
// prefix.
func languageMatches(tag, filter string) bool {
	if strings.Contains(filter, "-") {
		return tag == filter
	}
	return knowledge.PrimaryLanguage(tag) == strings.ToLower(filter)
}

func hitOf(m map[string]any) Hit {
	h := Hit{
		UnitID: str(m[PropUnitID]), Title: str(m[PropTitle]), Language: str(m[PropLanguage]),
		Product: str(m[PropProduct]), Tier: str(m[PropTier]), Access: str(m[PropAccess]),
		Source: str(m[PropSourceURI]), Locator: str(m[PropLocator]), Link: str(m[PropLink]),
		Effective: dateOnly(str(m[PropEffective])), Owner: str(m[PropOwner]), Markets: strs(m[PropMarkets]),
		Concepts: strs(m[PropConcepts]), SupersededBy: str(m[PropSupersededBy]), Adapts: str(m[PropAdapts]),
		Siblings: strs(m[PropSiblings]), duplicateGroup: str(m[PropDuplicateGroup]),
	}
	if v, ok := m[PropVersion].(float64); ok {
		h.Version = int(v)
	}
	if add, ok := m["_additional"].(map[string]any); ok {
		h.Score, _ = strconv.ParseFloat(str(add["score"]), 64)
	}
	return h
}

// AdaptedFirst moves each hit that adapts another hit for market right
// before it, when it ranked below: the market's answer comes first and
// the generic one stays in the list. Other hits keep their order; an
// empty market changes nothing.
func AdaptedFirst(hits []Hit, market string) []Hit {
	if market == "" {
		return hits
	}
	out := make([]Hit, 0, len(hits))
	moved := map[string]bool{}
	for i, h := range hits {
		if moved[h.UnitID] {
			continue
		}
		for _, a := range hits[i+1:] {
			if a.Adapts == h.UnitID && slices.Contains(a.Markets, market) && !moved[a.UnitID] {
				out = append(out, a)
				moved[a.UnitID] = true
			}
		}
		out = append(out, h)
	}
	return out
}

// subQuery is one search of a query: text against properties, fused
// with vectors when hybrid (searchVectors decides): the server's
// vectorizer embeds text when vector is nil.
type subQuery struct {
	text   string
	props  []string
	kind   string // Reason.Kind of its matches
	hybrid bool
	vector []float32
}

// HybridAlpha is the weight of the vector half of a hybrid search (the
// keyword half has 1 − HybridAlpha).
const HybridAlpha = 0.5

func subQueries(q Query) []subQuery {
	subs := []subQuery{{text: q.Text, props: WordProperties, kind: "bm25"}}
	if st := stem.Query(q.Text); st != "" {
		subs = append(subs, subQuery{text: st, props: StemProperties, kind: "stems"})
	}
	exp := strings.Join(q.Expansions, " ")
	if strings.TrimSpace(exp) != "" {
		subs = append(subs, subQuery{text: exp, props: []string{PropTerms}, kind: "terms"})
	}
	if cjk := CJKText(q.Text + " " + exp); cjk != "" {
		subs = append(subs, subQuery{text: cjk, props: CJKProperties, kind: "cjk"})
	}
	return subs
}

// CJKText returns the Han, Kana and Hangul runs of s separated by spaces,
// or "" when s has none: what may be sent to a Chinese or Japanese
// tokenized property, which would cut any Latin text into letters.
func CJKText(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		if isCJK(r) {
			if !in && b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteRune(r)
			in = true
		} else {
			in = false
		}
	}
	return b.String()
}

func isCJK(r rune) bool {
	return unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) || r == 'ー'
}

// searchRows runs one search and returns its result rows. Without a
// query text it searches nothing and returns the units named in only
// that pass q's filters.
func searchRows(ctx context.Context, t *Target, collection string, q Query, sq subQuery, limit int, only []string) ([]map[string]any, error) {
	additional := []graphql.Field{{Name: "score"}}
	if sq.hybrid {
		additional = append(additional, graphql.Field{Name: "explainScore"})
	}
	fields := []graphql.Field{
		{Name: PropUnitID}, {Name: PropTitle}, {Name: PropVersion}, {Name: PropLanguage},
		{Name: PropProduct}, {Name: PropTier}, {Name: PropAccess}, {Name: PropSourceURI},
		{Name: PropLocator}, {Name: PropBody}, {Name: PropLink}, {Name: PropEffective}, {Name: PropOwner},
		{Name: PropMarkets}, {Name: PropConcepts}, {Name: PropSupersededBy}, {Name: PropAdapts},
		{Name: PropSiblings}, {Name: PropDuplicateGroup},
		{Name: "_additional", Fields: additional},
	}
	g := t.Client.GraphQL().Get().WithClassName(collection).WithFields(fields...).WithLimit(limit)
	switch {
	case sq.text == "":
	case sq.hybrid:
		h := (&graphql.HybridArgumentBuilder{}).WithQuery(sq.text).WithProperties(sq.props).WithAlpha(HybridAlpha)
		if sq.vector != nil {
			h = h.WithVector(sq.vector).WithTargetVectors(VectorName)
		}
		g = g.WithHybrid(h)
	default:
		g = g.WithBM25((&graphql.BM25ArgumentBuilder{}).WithQuery(sq.text).WithProperties(sq.props...))
	}
	if t.Consistency != "" {
		g = g.WithConsistencyLevel(t.Consistency)
	}
	w := where(q)
	if len(only) > 0 {
		in := filters.Where().WithPath([]string{PropUnitID}).WithOperator(filters.ContainsAny).WithValueText(only...)
		if w == nil {
			w = in
		} else {
			w = filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{w, in})
		}
	}
	if w != nil {
		g = g.WithWhere(w)
	}
	resp, err := g.Do(ctx)
	if err != nil {
		if unknownCollection(err.Error()) {
			return nil, fmt.Errorf("search %s: %w: %w; has anything been published? run `kbops publish`", collection, ErrUnknownCollection, err)
		}
		return nil, fmt.Errorf("search %s: %w", collection, err)
	}
	if len(resp.Errors) > 0 {
		var msgs []string
		for _, e := range resp.Errors {
			msgs = append(msgs, e.Message)
		}
		msg := strings.Join(msgs, "; ")
		if unknownCollection(msg) {
			return nil, fmt.Errorf("search %s: %w: %s; has anything been published? run `kbops publish`", collection, ErrUnknownCollection, msg)
		}
		return nil, fmt.Errorf("search %s: %s", collection, msg)
	}
	get, _ := resp.Data["Get"].(map[string]any)
	rows, _ := get[collection].([]any)
	if rows == nil && len(get) == 1 {
		for _, v := range get { // answered under the physical name
			rows, _ = v.([]any)
		}
	}
	out := make([]map[string]any, 0, len(rows))
	for _, r := range rows {
		if m, ok := r.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out, nil
}

func where(q Query) *filters.WhereBuilder {
	var ops []*filters.WhereBuilder
	eq := func(prop, v string) *filters.WhereBuilder {
		return filters.Where().WithPath([]string{prop}).WithOperator(filters.Equal).WithValueText(v)
	}
	if q.Language != "" {
		if strings.Contains(q.Language, "-") {
			ops = append(ops, eq(PropLanguage, q.Language))
		} else {
			ops = append(ops, filters.Where().WithPath([]string{PropLanguage}).WithOperator(filters.Like).WithValueText(q.Language+"*"))
		}
	}
	if q.Product != "" {
		ops = append(ops, eq(PropProduct, q.Product))
	}
	if q.Layer != "" {
		ops = append(ops, eq(PropLayer, q.Layer))
	}
	if q.Access != "" {
		i := slices.Index(knowledge.AccessLevels, knowledge.Access(q.Access))
		var levels []string
		for _, a := range knowledge.AccessLevels[:i+1] {
			levels = append(levels, string(a))
		}
		ops = append(ops, filters.Where().WithPath([]string{PropAccess}).WithOperator(filters.ContainsAny).WithValueText(levels...))
	}
	for _, f := range []struct{ prop, v string }{{PropMarkets, q.Market}, {PropIndustries, q.Industry}, {PropAudiences, q.Audience}} {
		if f.v == "" {
			continue
		}
		// Written for this context, or for every one (no such field).
		ops = append(ops, filters.Where().WithOperator(filters.Or).WithOperands([]*filters.WhereBuilder{
			filters.Where().WithPath([]string{f.prop}).WithOperator(filters.ContainsAny).WithValueText(f.v),
			filters.Where().WithOperator(filters.Not).WithOperands([]*filters.WhereBuilder{
				filters.Where().WithPath([]string{f.prop}).WithOperator(filters.Like).WithValueText("*"),
			}),
		}))
	}
	if !q.IncludeSuperseded {
		// Objects without the property (no conflict lost) match.
		ops = append(ops, filters.Where().WithOperator(filters.Not).WithOperands([]*filters.WhereBuilder{
			filters.Where().WithPath([]string{PropSupersededBy}).WithOperator(filters.Like).WithValueText("*"),
		}))
	}
	switch len(ops) {
	case 0:
		return nil
	case 1:
		return ops[0]
	}
	return filters.Where().WithOperator(filters.And).WithOperands(ops)
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func strs(v any) []string {
	xs, _ := v.([]any)
	var out []string
	for _, x := range xs {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// dateOnly cuts an RFC 3339 time to its date.
func dateOnly(s string) string {
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}

// snippetWidth is the length of a snippet in characters, and
// snippetLead how much of it comes before the first matching word.
const (
	snippetWidth = 200
	snippetLead  = 40
)

// Snippet returns the passage of body to show for a hit of query: about
// 200 characters around the place where most of the query's words occur
// closest together (Latin words whole and in any case, Chinese and Japanese
// words also as pairs of characters, since the index segments them), cut
// at word boundaries, with … where the body was cut. A body in which no
// query word occurs gives its beginning.
func Snippet(body, query string) string {
	r := []rune(strings.Join(strings.Fields(body), " "))
	if len(r) <= snippetWidth {
		return string(r)
	}
	low := make([]rune, len(r))
	for i, c := range r {
		low[i] = unicode.ToLower(c)
	}
	terms := snippetTerms(query)
	var occ [][2]int // position, term index
	for ti, term := range terms {
		for _, p := range occurrences(low, term) {
			occ = append(occ, [2]int{p, ti})
		}
	}
	sort.Slice(occ, func(i, j int) bool { return occ[i][0] < occ[j][0] })
	// The window with the most distinct query words wins; among those, the
	// one where they stand closest together, then the first.
	at, best, span := 0, 0, 0
	for i, o := range occ {
		seen := map[int]bool{}
		last := o[0]
		for _, o2 := range occ[i:] {
			if o2[0] >= o[0]+snippetWidth-snippetLead {
				break
			}
			if !seen[o2[1]] {
				seen[o2[1]] = true
				last = o2[0]
			}
		}
		if len(seen) > best || (len(seen) == best && last-o[0] < span) {
			at, best, span = o[0], len(seen), last-o[0]
		}
	}
	start := max(at-snippetLead, 0)
	if start > 0 {
		// Begin at a word: after the first space between start and the match.
		for i := start; i < at; i++ {
			if r[i] == ' ' {
				start = i + 1
				break
			}
		}
	}
	end := min(start+snippetWidth, len(r))
	if end < len(r) {
		// End at a word: before the last space after the match.
		for i := end; i > at; i-- {
			if r[i] == ' ' {
				end = i
				break
			}
		}
	}
	out := strings.TrimSpace(string(r[start:end]))
	if start > 0 {
		out = "…" + out
	}
	if end < len(r) {
		out += "…"
	}
	return out
}

// snippetTerms returns the lowercased words of a query: Latin words, and
// each Han/Kana/Hangul run with its character pairs.
func snippetTerms(query string) [][]rune {
	var terms [][]rune
	seen := map[string]bool{}
	add := func(t []rune) {
		if len(t) > 0 && !seen[string(t)] {
			seen[string(t)] = true
			terms = append(terms, t)
		}
	}
	for _, w := range strings.FieldsFunc(strings.ToLower(query), func(c rune) bool {
		return !unicode.IsLetter(c) && !unicode.IsDigit(c)
	}) {
		rw := []rune(w)
		if !isCJK(rw[0]) && len(rw) >= 2 {
			add(rw)
		}
	}
	for _, run := range strings.Fields(CJKText(query)) {
		rr := []rune(run)
		add(rr)
		for i := 0; i+2 <= len(rr) && len(rr) > 2; i++ {
			add(rr[i : i+2])
		}
	}
	return terms
}

// occurrences returns where term occurs in text; a Latin term only as a
// whole word.
func occurrences(text, term []rune) []int {
	var out []int
	word := !isCJK(term[0])
	isWord := func(c rune) bool { return (unicode.IsLetter(c) || unicode.IsDigit(c)) && !isCJK(c) }
	for i := 0; i+len(term) <= len(text); i++ {
		if text[i] != term[0] || !slices.Equal(text[i:i+len(term)], term) {
			continue
		}
		if word && ((i > 0 && isWord(text[i-1])) || (i+len(term) < len(text) && isWord(text[i+len(term)]))) {
			continue
		}
		out = append(out, i)
	}
	return out
}

// Published is a unit as the collection holds it: what a front-end may
// show of it.
type Published struct {
	UnitID      string   `json:"unit_id"`
	Version     int      `json:"version"`
	ContentHash string   `json:"content_hash"`
	Title       string   `json:"title"`
	Language    string   `json:"language"`
	Product     string   `json:"product,omitempty"`
	Markets     []string `json:"markets,omitempty"`
	Layer       string   `json:"layer"`
	Kind        string   `json:"kind"`
	Tier        string   `json:"tier"`
	Owner       string   `json:"owner"`
	Access      string   `json:"access"`
	Concepts    []string `json:"concepts,omitempty"`
	Effective   string   `json:"effective,omitempty"`
	SourceName  string   `json:"source_name"`
	Source      string   `json:"source_uri"`
	Locator     string   `json:"source_locator,omitempty"`
	Link        string   `json:"link,omitempty"`
	Body        string   `json:"body"`
}

// Get returns the published unit with the id, or nil when the collection
// holds none that a caller at access level access may see (empty: no
// filter): an unknown id and one above the caller's level look the same,
// so a caller learns nothing about units it may not read. Errors wrap
// ErrNothingPublished and ErrUnknownCollection as Search's do.
func Get(ctx context.Context, t *Target, unitID, access string) (*Published, error) {
	collection, err := t.Resolve(ctx)
	if err != nil {
		return nil, err
	}
	if collection == "" {
		return nil, fmt.Errorf("%w under %s: run `kbops publish`", ErrNothingPublished, t.Alias)
	}
	names := []string{PropUnitID, PropVersion, PropContentHash, PropTitle, PropLanguage, PropProduct, PropMarkets, PropLayer,
		PropKind, PropTier, PropOwner, PropAccess, PropConcepts, PropEffective, PropSourceName, PropSourceURI, PropLocator, PropLink, PropBody}
	fields := make([]graphql.Field, len(names))
	for i, n := range names {
		fields[i] = graphql.Field{Name: n}
	}
	w := where(Query{Access: access})
	byID := filters.Where().WithPath([]string{PropUnitID}).WithOperator(filters.Equal).WithValueText(unitID)
	if w == nil {
		w = byID
	} else {
		w = filters.Where().WithOperator(filters.And).WithOperands([]*filters.WhereBuilder{byID, w})
	}
	g := t.Client.GraphQL().Get().WithClassName(collection).WithFields(fields...).WithLimit(1).WithWhere(w)
	if t.Consistency != "" {
		g = g.WithConsistencyLevel(t.Consistency)
	}
	resp, err := g.Do(ctx)
	if err != nil {
		return nil, fmt.Errorf("get %s from %s: %w", unitID, collection, err)
	}
	if len(resp.Errors) > 0 {
		var msgs []string
		for _, e := range resp.Errors {
			msgs = append(msgs, e.Message)
		}
		msg := strings.Join(msgs, "; ")
		if unknownCollection(msg) {
			return nil, fmt.Errorf("get %s from %s: %w: %s; run `kbops publish`", unitID, collection, ErrUnknownCollection, msg)
		}
		return nil, fmt.Errorf("get %s from %s: %s", unitID, collection, msg)
	}
	get, _ := resp.Data["Get"].(map[string]any)
	var rows []any
	for _, v := range get {
		rows, _ = v.([]any)
	}
	if len(rows) == 0 {
		return nil, nil
	}
	m, _ := rows[0].(map[string]any)
	p := &Published{
		UnitID: str(m[PropUnitID]), ContentHash: str(m[PropContentHash]), Title: str(m[PropTitle]), Language: str(m[PropLanguage]),
		Product: str(m[PropProduct]), Markets: strs(m[PropMarkets]), Layer: str(m[PropLayer]), Kind: str(m[PropKind]),
		Tier: str(m[PropTier]), Owner: str(m[PropOwner]), Access: str(m[PropAccess]), Concepts: strs(m[PropConcepts]),
		Effective: dateOnly(str(m[PropEffective])), SourceName: str(m[PropSourceName]), Source: str(m[PropSourceURI]),
		Locator: str(m[PropLocator]), Link: str(m[PropLink]), Body: str(m[PropBody]),
	}
	if v, ok := m[PropVersion].(float64); ok {
		p.Version = int(v)
	}
	if p.UnitID != unitID {
		return nil, nil // unit_id is field-tokenized: Equal is exact, but never trust a near match
	}
	return p, nil
}
