package mcpserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/apikeys"
	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/workspace"
)

// Tool names.
const (
	ToolSearch  = "search_knowledge"
	ToolGetUnit = "get_unit"
)

// URIPrefix starts the URI of a unit resource: kbops://unit/<unit id>,
// each path segment of the id percent-encoded (see UnitURI).
const URIPrefix = "kbops://unit/"

// DefaultLimit and MaxLimit bound search_knowledge's limit.
const (
	DefaultLimit = 5
	MaxLimit     = 50
)

// Options configure a server.
type Options struct {
	Workspace *workspace.Workspace
	// Keys resolve the API keys of HTTP requests.
	Keys *apikeys.Keys
	// Caller is who a stdio session answers (resolved from the key given
	// when `kbops mcp` starts); HTTP requests without a header are
	// answered as public whatever it says.
	Caller apikeys.Caller
	// Version is kbops's version, told to clients.
	Version string
	// Log receives a line per refused key; nil discards.
	Log *slog.Logger
}

// server holds what the handlers need.
type server struct {
	ws     *workspace.Workspace
	keys   *apikeys.Keys
	caller apikeys.Caller
}

// New returns the MCP server with its tools and unit resources.
func New(o Options) *mcp.Server {
	s := &server{ws: o.Workspace, keys: o.Keys, caller: o.Caller}
	if s.keys == nil {
		s.keys = &apikeys.Keys{}
	}
	if s.caller.Access == "" {
		s.caller.Access = knowledge.AccessPublic
	}
	v := o.Version
	if v == "" {
		v = "dev"
	}
	srv := mcp.NewServer(&mcp.Implementation{Name: "kbops", Title: "kbops knowledge base", Version: v}, &mcp.ServerOptions{
		Instructions: "Approved product knowledge, with provenance. Search with search_knowledge in any language " +
			"(glossary terms carry a question across languages), cite the link or source of the hits you use, " +
			"and read a whole unit with get_unit or the resource kbops://unit/<unit id>.",
		Logger: o.Log,
	})
	mcp.AddTool(srv, &mcp.Tool{
		Name:  ToolSearch,
		Title: "Search the knowledge base",
		Description: "Keyword search over the approved knowledge units, across languages through the glossary. " +
			"Returns the best hits with title, the passage that matched, unit id, version, language, tier, effective date, owner and a link to the source. " +
			"Only knowledge your API key may see is searched.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: boolp(false)},
	}, s.search)
	mcp.AddTool(srv, &mcp.Tool{
		Name:        ToolGetUnit,
		Title:       "Read a knowledge unit",
		Description: "The whole unit with the id (from a search hit): body and provenance. A unit your API key may not see is not found.",
		Annotations: &mcp.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: boolp(false)},
	}, s.getUnit)
	srv.AddResourceTemplate(&mcp.ResourceTemplate{
		Name: "unit", Title: "Knowledge unit", URITemplate: URIPrefix + "{+id}", MIMEType: "application/json",
		Description: "A published knowledge unit as JSON: body, version, tier, owner, access, source and link.",
	}, s.readUnit)
	return srv
}

func boolp(b bool) *bool { return &b }

// UnitURI returns the resource URI of a unit.
func UnitURI(id string) string {
	parts := strings.Split(id, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return URIPrefix + strings.Join(parts, "/")
}

// unitID reads the unit id from a resource URI.
func unitID(uri string) (string, bool) {
	rest, ok := strings.CutPrefix(uri, URIPrefix)
	if !ok || rest == "" {
		return "", false
	}
	id, err := url.PathUnescape(rest)
	if err != nil {
		return "", false
	}
	return id, true
}

// callerOf returns who a request comes from: over HTTP the key of this
// very request (a session opened with one key cannot be used with
// another, nor without one, to see more), else the stdio caller.
func (s *server) callerOf(extra *mcp.RequestExtra) (apikeys.Caller, error) {
	if extra != nil && extra.Header != nil {
		key, err := BearerKey(extra.Header)
		if err != nil {
			return apikeys.Caller{}, err
		}
		return s.keys.Resolve(key)
	}
	return s.caller, nil
}

// BearerKey returns the key of an Authorization: Bearer header, "" when
// there is no header, and an error for any other form of the header.
func BearerKey(h http.Header) (string, error) {
	v := h.Get("Authorization")
	if v == "" {
		return "", nil
	}
	scheme, key, ok := strings.Cut(strings.TrimSpace(v), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(key) == "" {
		return "", fmt.Errorf("%w: the Authorization header must be `Bearer <key>`", apikeys.ErrUnknownKey)
	}
	return strings.TrimSpace(key), nil
}

// ErrNoWeaviate is returned when the workspace's embedded Weaviate is not
// running. The server does not start it: every request would start and
// stop a server of its own, and two at once would share a data folder.
var ErrNoWeaviate = errors.New("the embedded Weaviate is not running")

// Ready reports whether requests can be answered: weaviate.url is set,
// or the workspace's embedded server runs (`kbops weaviate start`).
func Ready(ws *workspace.Workspace) error {
	if ws.Config.Weaviate.URL != "" {
		return nil
	}
	if _, ok := embedded.Running(release.WeaviateDir(ws)); !ok {
		return fmt.Errorf("%w: start it with `kbops weaviate start`, or set weaviate.url", ErrNoWeaviate)
	}
	return nil
}

// SearchInput are search_knowledge's arguments.
type SearchInput struct {
	Query          string `json:"query" jsonschema:"the question or keywords, in any language"`
	Language       string `json:"language,omitempty" jsonschema:"only units in this language (BCP 47: en, de, zh-CN; zh matches zh-CN and zh-TW)"`
	TargetLanguage string `json:"target_language,omitempty" jsonschema:"the language the answer will be written in: each hit then carries the approved glossary terms of its concepts in that language (target_terms)"`
	Product        string `json:"product,omitempty" jsonschema:"only units of this product, such as vf-200"`
	Market         string `json:"market,omitempty" jsonschema:"only units for this market (such as MX) and units that name no market"`
	Layer          string `json:"layer,omitempty" jsonschema:"only core (product facts), scenario (symptom, cause, resolution) or context units"`
	Access         string `json:"access,omitempty" jsonschema:"narrow to this access level (public, customer, partner, internal); never more than your API key allows"`
	Limit          int    `json:"limit,omitempty" jsonschema:"number of hits, 1 to 50 (default 5)"`
}

// Hit is one search_knowledge hit.
type Hit struct {
	UnitID    string   `json:"unit_id"`
	URI       string   `json:"uri" jsonschema:"the unit's resource URI"`
	Title     string   `json:"title"`
	Text      string   `json:"text" jsonschema:"the passage of the unit that matched"`
	Version   int      `json:"version"`
	Language  string   `json:"language"`
	Product   string   `json:"product,omitempty"`
	Tier      string   `json:"tier" jsonschema:"official, internal, support or feedback: when hits disagree the higher tier wins, then the newer"`
	Access    string   `json:"access"`
	Effective string   `json:"effective,omitempty" jsonschema:"date the knowledge is valid from"`
	Owner     string   `json:"owner"`
	Link      string   `json:"link,omitempty" jsonschema:"where a person can open the source (page or anchor included); absent when the source is not public"`
	Source    string   `json:"source_uri"`
	Locator   string   `json:"source_locator,omitempty"`
	Score     float64  `json:"score"`
	Terms     []string `json:"target_terms,omitempty" jsonschema:"approved glossary terms of the unit's concepts in target_language"`
}

// SearchOutput is search_knowledge's result.
type SearchOutput struct {
	Hits []Hit `json:"hits"`
	// Access is the level the search ran at.
	Access string `json:"access"`
}

func (s *server) search(ctx context.Context, req *mcp.CallToolRequest, in SearchInput) (*mcp.CallToolResult, SearchOutput, error) {
	c, err := s.callerOf(req.Extra)
	if err != nil {
		return nil, SearchOutput{}, err
	}
	q, err := Query(in, c.Access)
	if err != nil {
		return nil, SearchOutput{}, err
	}
	if err := Ready(s.ws); err != nil {
		return nil, SearchOutput{}, err
	}
	hits, err := release.Search(ctx, s.ws, q)
	if err != nil {
		return nil, SearchOutput{}, err
	}
	out := SearchOutput{Hits: make([]Hit, 0, len(hits)), Access: q.Access}
	var terms func([]string) []string
	if in.TargetLanguage != "" {
		if m := release.MainMatcher(ctx, s.ws); m != nil {
			terms = func(ids []string) []string { return m.CrossLanguageTerms(ids, []string{in.TargetLanguage}) }
		}
	}
	for _, h := range hits {
		x := Hit{
			UnitID: h.UnitID, URI: UnitURI(h.UnitID), Title: h.Title, Text: h.Snippet, Version: h.Version, Language: h.Language,
			Product: h.Product, Tier: h.Tier, Access: h.Access, Effective: h.Effective, Owner: h.Owner, Link: h.Link,
			Source: h.Source, Locator: h.Locator, Score: h.Score,
		}
		if terms != nil {
			x.Terms = terms(h.Concepts)
		}
		out.Hits = append(out.Hits, x)
	}
	return nil, out, nil
}

// Query turns search_knowledge's arguments into the query release.Search
// runs for a caller at level caller: the access level is the caller's,
// or the one asked for when that is more open (apikeys.Clamp).
func Query(in SearchInput, caller knowledge.Access) (publish.Query, error) {
	if strings.TrimSpace(in.Query) == "" {
		return publish.Query{}, errors.New("query is empty: give a question or keywords")
	}
	if in.Layer != "" && !slices.Contains(knowledge.Layers, knowledge.Layer(in.Layer)) {
		return publish.Query{}, fmt.Errorf("layer %q is not one of core, scenario, context", in.Layer)
	}
	if in.Access != "" && !knowledge.Access(in.Access).Valid() {
		return publish.Query{}, fmt.Errorf("access %q is not one of public, customer, partner, internal", in.Access)
	}
	limit := in.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	limit = min(limit, MaxLimit)
	return publish.Query{
		Text: in.Query, Language: in.Language, Product: in.Product, Market: in.Market, Layer: in.Layer,
		Access: string(apikeys.Clamp(in.Access, caller)), Limit: limit,
	}, nil
}

// GetUnitInput are get_unit's arguments.
type GetUnitInput struct {
	UnitID string `json:"unit_id" jsonschema:"the unit id, as search_knowledge returns it"`
}

// ErrNotFound is returned for a unit that does not exist or that the
// caller may not see: the two are not told apart.
var ErrNotFound = errors.New("no such unit")

func (s *server) unit(ctx context.Context, extra *mcp.RequestExtra, id string) (*publish.Published, error) {
	c, err := s.callerOf(extra)
	if err != nil {
		return nil, err
	}
	if err := Ready(s.ws); err != nil {
		return nil, err
	}
	u, err := release.Get(ctx, s.ws, id, c.Access)
	if err != nil {
		return nil, err
	}
	if u == nil {
		return nil, fmt.Errorf("%w: %q is not published at your access level (%s); search_knowledge gives the ids", ErrNotFound, id, c.Access)
	}
	return u, nil
}

func (s *server) getUnit(ctx context.Context, req *mcp.CallToolRequest, in GetUnitInput) (*mcp.CallToolResult, *publish.Published, error) {
	u, err := s.unit(ctx, req.Extra, in.UnitID)
	if err != nil {
		return nil, nil, err
	}
	return nil, u, nil
}

func (s *server) readUnit(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
	id, ok := unitID(req.Params.URI)
	if !ok {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	u, err := s.unit(ctx, req.Extra, id)
	if errors.Is(err, ErrNotFound) {
		return nil, mcp.ResourceNotFoundError(req.Params.URI)
	}
	if err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(u, "", "  ")
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: req.Params.URI, MIMEType: "application/json", Text: string(b)}}}, nil
}
