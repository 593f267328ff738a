package mcpserver_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/apikeys"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/mcpserver"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/serve"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

const (
	customerKey = "cust-7f3a9c1e5b2d4086"
	internalKey = "intl-0b8e6d2c4a1f3957"
	publicURL   = "https://docs.example.com/notes/"
)

// internalNote is knowledge a customer must never see, with words no
// customer unit has, so that a leak cannot hide behind another hit.
const internalNote = `---
title: VF-200 service menu
product: vf-200
language: en
access: internal
---

# Service menu

Hold STOP and the down key for five seconds to open the service menu.
Only field engineers may change the factory calibration there.
`

// fixture is the demo workspace with an internal note, approved, merged
// and published to a throwaway Weaviate (split: one alias per access
// level), expert-notes with a public_url, and the keys of a customer and
// an internal front-end in a key file outside the repository. It returns
// the workspace, its keys and the id of the internal unit.
func fixture(t testing.TB, split bool) (*workspace.Workspace, *apikeys.Keys, string) {
	t.Helper()
	srv := weaviatetest.Start(t)
	b, err := os.ReadFile(filepath.Join(trackstest.Root(), "examples", "demo", "workspace", "kbops.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	w := "  collection: KnowledgeUnit\n  url: http://" + srv.Host() + "\n  grpc: " + srv.GRPCHost() + "\n"
	if split {
		w += "  split_by_access: true\n"
	}
	cfg := strings.Replace(string(b), "  collection: KnowledgeUnit\n", w, 1)
	cfg = strings.Replace(cfg, "    access: customer\n", "    access: customer\n    public_url: "+publicURL+"\n", 1)
	if !strings.Contains(cfg, "public_url") || !strings.Contains(cfg, srv.Host()) {
		t.Fatal("demo kbops.yaml changed: cannot add the weaviate url and public_url")
	}
	ws, _ := trackstest.Workspace(t, trackstest.Options{Config: cfg, Notes: map[string]string{"en/service.md": internalNote}})
	ctx := context.Background()
	if _, err := release.Publish(ctx, ws, release.Options{}); err != nil {
		t.Fatal(err)
	}
	snap, _, err := reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Main)
	if err != nil {
		t.Fatal(err)
	}
	internal := ""
	for id, u := range snap.Units {
		if u.Access == knowledge.AccessInternal {
			internal = id
		}
	}
	if internal == "" {
		t.Fatal("fixture: no internal unit on main")
	}
	keyFile := filepath.Join(t.TempDir(), "access-keys.yaml")
	text := "keys:\n  - name: support-bot\n    access: customer\n    key: " + customerKey + "\n  - name: field-engineers\n    access: internal\n    key: " + internalKey + "\n"
	if err := os.WriteFile(keyFile, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.EnvAccessKeys, "")
	t.Setenv(config.EnvAccessKeysFile, "")
	keys, err := apikeys.Load(ws.Root, config.Frontends{KeysFile: keyFile})
	if err != nil {
		t.Fatal(err)
	}
	return ws, keys, internal
}

// keyTransport sends the key it holds now, so a test can change the key
// in the middle of a session, as an attacker holding a session id would.
type keyTransport struct {
	mu  sync.Mutex
	key string
}

func (k *keyTransport) set(key string) { k.mu.Lock(); k.key = key; k.mu.Unlock() }

func (k *keyTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	k.mu.Lock()
	key := k.key
	k.mu.Unlock()
	r = r.Clone(r.Context())
	if key != "" {
		r.Header.Set("Authorization", "Bearer "+key)
	}
	return http.DefaultTransport.RoundTrip(r)
}

// serveHTTP runs `kbops serve`'s HTTP server (serve.Run, with a job that
// never comes due) with the /mcp handler mounted, as the command mounts
// it, and returns the MCP endpoint.
func serveHTTP(t testing.TB, ws *workspace.Workspace, keys *apikeys.Keys) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	done := make(chan error, 1)
	idle := serve.Job{Name: "idle", Kind: "test", Schedule: "@yearly", Run: func(context.Context) (any, error) { return nil, nil }}
	cfg := serve.DefaultConfig()
	cfg.Missed = "skip"
	go func() {
		done <- serve.Run(ctx, serve.Options{Workspace: ws, Config: cfg, Jobs: []serve.Job{idle}, Listen: "127.0.0.1:0",
			Ready: func(a string) { ready <- a }, Handlers: map[string]http.Handler{mcpserver.Path: mcpserver.Handler(mcpserver.Options{Workspace: ws, Keys: keys})}})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	select {
	case addr := <-ready:
		return "http://" + addr + mcpserver.Path
	case err := <-done:
		t.Fatalf("serve did not start: %v", err)
	}
	return ""
}

func connect(t testing.TB, endpoint string, kt *keyTransport) *mcp.ClientSession {
	t.Helper()
	c := mcp.NewClient(&mcp.Implementation{Name: "kbops-test", Version: "1"}, nil)
	cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{Transport: kt}, MaxRetries: -1}, nil)
	if err != nil {
		t.Fatalf("connect to %s: %v", endpoint, err)
	}
	t.Cleanup(func() { _ = cs.Close() })
	return cs
}

func search(t testing.TB, cs *mcp.ClientSession, args map[string]any) mcpserver.SearchOutput {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: mcpserver.ToolSearch, Arguments: args})
	if err != nil {
		t.Fatalf("search_knowledge %v: %v", args, err)
	}
	if res.IsError {
		t.Fatalf("search_knowledge %v: tool error %s", args, text(res.Content))
	}
	b, _ := json.Marshal(res.StructuredContent)
	var out mcpserver.SearchOutput
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("search_knowledge result %s: %v", b, err)
	}
	return out
}

func text(cs []mcp.Content) string {
	var b strings.Builder
	for _, c := range cs {
		if tc, ok := c.(*mcp.TextContent); ok {
			b.WriteString(tc.Text)
		}
	}
	return b.String()
}

// getUnit returns the unit's JSON, or "" with the tool's error text.
func getUnit(t *testing.T, cs *mcp.ClientSession, id string) (string, string) {
	t.Helper()
	res, err := cs.CallTool(context.Background(), &mcp.CallToolParams{Name: mcpserver.ToolGetUnit, Arguments: map[string]any{"unit_id": id}})
	if err != nil {
		t.Fatalf("get_unit %s: %v", id, err)
	}
	if res.IsError {
		return "", text(res.Content)
	}
	b, _ := json.Marshal(res.StructuredContent)
	return string(b), ""
}

// readUnit returns the resource's text, or the error.
func readUnit(cs *mcp.ClientSession, id string) (string, error) {
	res, err := cs.ReadResource(context.Background(), &mcp.ReadResourceParams{URI: mcpserver.UnitURI(id)})
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range res.Contents {
		b.WriteString(c.Text)
	}
	return b.String(), nil
}

// A customer key never sees an internal unit: not by searching for its
// words, not when it asks for access=internal, not by its id through
// get_unit, not by reading its resource, and not by dropping the key in
// the middle of a session opened with an internal key. The internal key
// sees it by every one of these ways, so the test would notice a server
// that hides everything. Both publishing layouts are checked: one
// collection filtered on access, and one alias per level.
func TestCustomerKeyNeverSeesInternal(t *testing.T) {
	for _, split := range []bool{false, true} {
		name := "one collection"
		if split {
			name = "split by access"
		}
		t.Run(name, func(t *testing.T) {
			ws, keys, internal := fixture(t, split)
			endpoint := serveHTTP(t, ws, keys)
			ask := map[string]any{"query": "service menu factory calibration", "access": "internal", "limit": 20}

			in := &keyTransport{key: internalKey}
			ics := connect(t, endpoint, in)
			if out := search(t, ics, ask); !hasUnit(out, internal) || out.Access != "internal" {
				t.Fatalf("internal key does not find the internal unit %s: %+v", internal, out)
			}
			if u, msg := getUnit(t, ics, internal); !strings.Contains(u, "factory calibration") {
				t.Fatalf("internal key: get_unit %s: %s", internal, msg)
			}
			if r, err := readUnit(ics, internal); err != nil || !strings.Contains(r, "factory calibration") {
				t.Fatalf("internal key: read %s: %v", internal, err)
			}

			cs := connect(t, endpoint, &keyTransport{key: customerKey})
			out := search(t, cs, ask)
			if out.Access != "customer" {
				t.Errorf("search asked for internal ran at %q with a customer key", out.Access)
			}
			for _, h := range out.Hits {
				if h.UnitID == internal || h.Access == "internal" || h.Access == "partner" {
					t.Errorf("customer key got %s (%s)", h.UnitID, h.Access)
				}
			}
			if out := search(t, cs, map[string]any{"query": "grounding", "access": "internal"}); len(out.Hits) == 0 {
				t.Errorf("customer key finds no customer unit either: the test proves nothing")
			}
			if u, msg := getUnit(t, cs, internal); u != "" || !strings.Contains(msg, "no such unit") {
				t.Errorf("customer key: get_unit %s = %s %s", internal, u, msg)
			}
			if r, err := readUnit(cs, internal); err == nil || strings.Contains(r, "calibration") {
				t.Errorf("customer key: read %s = %q, %v", internal, r, err)
			}

			// The internal session, its key dropped: answered as public.
			in.set("")
			for _, h := range search(t, ics, ask).Hits {
				if h.Access != "public" {
					t.Errorf("session opened with the internal key, then no key: got %s (%s)", h.UnitID, h.Access)
				}
			}
			if u, _ := getUnit(t, ics, internal); u != "" {
				t.Errorf("session without its key still reads %s", internal)
			}
		})
	}
}

func hasUnit(out mcpserver.SearchOutput, id string) bool {
	for _, h := range out.Hits {
		if h.UnitID == id {
			return true
		}
	}
	return false
}

// A wrong key is refused with 401 before MCP answers anything, and so is
// an Authorization header that is not a bearer key; no key is public.
func TestUnknownKeyRefused(t *testing.T) {
	ws, keys, _ := fixture(t, false)
	endpoint := serveHTTP(t, ws, keys)
	initialize := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`
	for _, auth := range []string{"Bearer " + customerKey + "x", "Bearer " + strings.ToUpper(customerKey), "Basic " + customerKey, "Bearer"} {
		req, _ := http.NewRequest(http.MethodPost, endpoint, strings.NewReader(initialize))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept", "application/json, text/event-stream")
		req.Header.Set("Authorization", auth)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.Header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("Authorization %q: %s, WWW-Authenticate %q; want 401 invalid_token", auth, resp.Status, resp.Header.Get("WWW-Authenticate"))
		}
	}
	c := mcp.NewClient(&mcp.Implementation{Name: "kbops-test", Version: "1"}, nil)
	if cs, err := c.Connect(context.Background(), &mcp.StreamableClientTransport{Endpoint: endpoint, HTTPClient: &http.Client{Transport: &keyTransport{key: "not-a-key-0000000000"}}, MaxRetries: -1}, nil); err == nil {
		cs.Close()
		t.Error("the SDK client connected with an unknown key")
	}
	cs := connect(t, endpoint, &keyTransport{})
	if out := search(t, cs, map[string]any{"query": "grounding", "access": "customer"}); out.Access != "public" {
		t.Errorf("no key ran at %q, want public", out.Access)
	}
}

// Over stdio the level is the key's given at start, whatever the caller
// asks; hits carry the unit's provenance and a link built from the
// source's public_url with the heading's anchor.
func TestStdioAndHits(t *testing.T) {
	ws, keys, internal := fixture(t, false)
	caller, err := keys.Resolve(customerKey)
	if err != nil {
		t.Fatal(err)
	}
	st, ct := mcp.NewInMemoryTransports()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() { _ = mcpserver.New(mcpserver.Options{Workspace: ws, Caller: caller}).Run(ctx, st) }()
	cs, err := mcp.NewClient(&mcp.Implementation{Name: "kbops-test", Version: "1"}, nil).Connect(ctx, ct, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer cs.Close()
	tools, err := cs.ListTools(ctx, nil)
	if err != nil || len(tools.Tools) != 2 {
		t.Fatalf("tools: %+v %v", tools, err)
	}
	if u, _ := getUnit(t, cs, internal); u != "" {
		t.Errorf("stdio with a customer key reads %s", internal)
	}
	out := search(t, cs, map[string]any{"query": "grounding", "language": "en", "target_language": "de", "access": "internal", "market": "CN"})
	if out.Access != "customer" || len(out.Hits) == 0 {
		t.Fatalf("search: %+v", out)
	}
	h := out.Hits[0]
	if h.UnitID != "expert-notes/en/installation/grounding" {
		t.Fatalf("top hit %s, want the English grounding note", h.UnitID)
	}
	if want := publicURL + "en/installation.md#grounding"; h.Link != want {
		t.Errorf("link %q, want %q", h.Link, want)
	}
	if h.Version != 1 || h.Tier != "internal" || h.Owner == "" || h.Effective == "" || h.Language != "en" || !strings.Contains(h.Text, "grounding") {
		t.Errorf("hit lacks provenance: %+v", h)
	}
	if !contains(h.Terms, "Erdung") {
		t.Errorf("target_language de: terms %v, want the German term Erdung", h.Terms)
	}
	if r, err := readUnit(cs, h.UnitID); err != nil || !strings.Contains(r, `"link": "`+publicURL) || !strings.Contains(r, "PE terminal") {
		t.Errorf("resource %s: %s %v", mcpserver.UnitURI(h.UnitID), r, err)
	}
	if out := search(t, cs, map[string]any{"query": "grounding", "market": "US"}); len(out.Hits) != 0 {
		t.Errorf("market US (the notes name EU, CN, MX): %d hits", len(out.Hits))
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
