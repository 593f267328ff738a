package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/mcpserver"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
	"github.com/kbops/kbops/pipeline/workspace"
)

const (
	publicKey   = "pub-5d1c8e2a7b3f9046"
	customerKey = "cust-9a4e1f6c2d8b3057"
)

// kbops search --as-key answers at most at the key's level, whatever
// --access says; a wrong key is a usage error, not a public search.
// Setting public_url publishes links without new unit versions, and
// search prints them.
func TestSearchAsKeyAndLinks(t *testing.T) {
	ws, _, _, _, _ := publishedDemo(t) // the demo notes: customer units
	t.Setenv(config.EnvAccessKeys, "public:"+publicKey+",customer:"+customerKey)
	t.Setenv(config.EnvAccessKeysFile, "")
	t.Setenv(config.EnvAPIKey, "")

	if out := must(t, ws, "search", "--as-key", publicKey, "--access", "internal", "grounding"); !strings.Contains(out, "no hits") {
		t.Errorf("a public key asking for internal saw customer units:\n%s", out)
	}
	if out := must(t, ws, "search", "--as-key", customerKey, "grounding"); !strings.Contains(out, "expert-notes/en/installation/grounding") {
		t.Errorf("customer key:\n%s", out)
	}
	t.Setenv(config.EnvAPIKey, publicKey)
	if out := must(t, ws, "search", "grounding"); !strings.Contains(out, "no hits") {
		t.Errorf("%s with a public key: customer units shown:\n%s", config.EnvAPIKey, out)
	}
	t.Setenv(config.EnvAPIKey, "")
	if out, code := kb(t, ws, "search", "--as-key", customerKey+"0", "grounding"); code != exitUsage || !strings.Contains(out, "unknown API key") {
		t.Errorf("unknown key: exit %d\n%s", code, out)
	}
	if out := must(t, ws, "search", "grounding"); strings.Contains(out, "link:") || !strings.Contains(out, "expert-notes/en/installation/grounding") {
		t.Errorf("a local file got a link, or no hits:\n%s", out)
	}

	cfgPath := filepath.Join(ws, "kbops.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	cfg = bytes.Replace(cfg, []byte("    access: customer\n"), []byte("    access: customer\n    public_url: https://kb.example.com/notes\n"), 1)
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if p := publishCounts(t, ws); p.Written != 11 {
		t.Errorf("publish after setting public_url wrote %d objects, want the 11 units' links", p.Written)
	}
	out := must(t, ws, "search", "grounding")
	if !strings.Contains(out, "link: https://kb.example.com/notes/en/installation.md#grounding") || !strings.Contains(out, "v1,") {
		t.Errorf("search after public_url:\n%s", out)
	}
}

// kbops mcp answers at the level of the key it was started with, and does
// not start with a key it does not know.
func TestMCPStdio(t *testing.T) {
	dir, _, _, _, _ := publishedDemo(t)
	t.Setenv(config.EnvAccessKeys, "public:"+publicKey+",customer:"+customerKey)
	t.Setenv(config.EnvAccessKeysFile, "")
	ws, err := workspace.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var logs bytes.Buffer
	if err := runMCP(ctx, ws, "wrong-key-000000000", &mcp.InMemoryTransport{}, &logs); err == nil || !strings.Contains(err.Error(), "unknown API key") {
		t.Fatalf("kbops mcp with an unknown key: %v", err)
	}
	for key, want := range map[string]bool{publicKey: false, customerKey: true} {
		st, ct := mcp.NewInMemoryTransports()
		go func() { _ = runMCP(ctx, ws, key, st, &logs) }()
		cs, err := mcp.NewClient(&mcp.Implementation{Name: "t", Version: "1"}, nil).Connect(ctx, ct, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := cs.CallTool(ctx, &mcp.CallToolParams{Name: mcpserver.ToolGetUnit, Arguments: map[string]any{"unit_id": "expert-notes/en/installation/grounding"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := !res.IsError; got != want {
			t.Errorf("key %s reads the customer unit: %v, want %v", key[:4], got, want)
		}
		cs.Close()
	}
}

// kbops serve mounts /mcp on its address: a wrong key gets 401, no key
// may initialize; a key file inside the repository stops serve at start.
func TestServeMountsMCP(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{NoMerge: true})
	if err := os.WriteFile(filepath.Join(ws.Root, "serve.yaml"), []byte("missed: skip\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.EnvAccessKeys, "customer:"+customerKey)
	inRepo := filepath.Join(ws.Root, "keys.yaml")
	if err := os.WriteFile(inRepo, []byte("keys: []\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv(config.EnvAccessKeysFile, inRepo)
	if err := runServe(context.Background(), ws, serveOptions{Listen: "127.0.0.1:0"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "inside the knowledge repository") {
		t.Fatalf("serve with a key file in the repository: %v", err)
	}
	t.Setenv(config.EnvAccessKeysFile, "")

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- runServe(ctx, ws, serveOptions{Listen: addr}, io.Discard, io.Discard) }()
	defer func() { cancel(); <-done }()
	post := func(auth string) int {
		body := `{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"curl","version":"1"}}}`
		for i := 0; i < 100; i++ {
			req, _ := http.NewRequest(http.MethodPost, "http://"+addr+mcpserver.Path, strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept", "application/json, text/event-stream")
			if auth != "" {
				req.Header.Set("Authorization", auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				time.Sleep(50 * time.Millisecond) // not listening yet
				continue
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		t.Fatalf("serve does not answer on %s", addr)
		return 0
	}
	if code := post("Bearer " + customerKey + "x"); code != http.StatusUnauthorized {
		t.Errorf("wrong key: %d, want 401", code)
	}
	if code := post(""); code != http.StatusOK {
		t.Errorf("no key: initialize answered %d", code)
	}
	if code := post("Bearer " + customerKey); code != http.StatusOK {
		t.Errorf("customer key: initialize answered %d", code)
	}
}
