package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embed"
	"github.com/kbops/kbops/pipeline/embed/embedtest"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
)

// setEmbeddings writes a weaviate.embeddings block into a workspace's
// kbops.yaml, replacing any earlier one.
func setEmbeddings(t *testing.T, ws, block string) {
	t.Helper()
	path := filepath.Join(ws, "kbops.yaml")
	cfg, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.Index(cfg, []byte("  embeddings:\n")); i >= 0 {
		end := i + len("  embeddings:\n")
		for end < len(cfg) && bytes.HasPrefix(cfg[end:], []byte("    ")) {
			end += bytes.IndexByte(cfg[end:], '\n') + 1
		}
		cfg = append(cfg[:i:i], cfg[end:]...)
	}
	cfg = bytes.Replace(cfg, []byte("  collection: KnowledgeUnit\n"), []byte("  collection: KnowledgeUnit\n"+block), 1)
	if err := os.WriteFile(path, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
}

// The commands with weaviate.embeddings, against embedtest: a loopback
// server speaking the OpenAI and Ollama embeddings protocols with a
// deterministic trigram embedder written for tests. This checks the
// protocol and the commands' handling of it, not retrieval quality.
func TestEmbeddingsThroughTheCommands(t *testing.T) {
	srv := weaviatetest.Start(t)
	s := embedtest.Start()
	defer s.Close()
	s.Key = "secret-from-env"
	t.Setenv(embed.EnvAPIKey, s.Key)
	ws, _ := demoWorkspace(t, "http://"+srv.Host(), srv.GRPCHost())
	setEmbeddings(t, ws, "  embeddings:\n    url: "+s.OpenAIBase()+"\n    model: mini-a\n")
	must(t, ws, "ingest")
	approveAll(t, ws)
	must(t, ws, "review", "merge", "--as", "ana.ruiz@example.com")
	must(t, ws, "publish")
	if n := s.Inputs("mini-a"); n == 0 {
		t.Fatal("publish embedded nothing")
	}

	why := func(args ...string) [][]string {
		t.Helper()
		out := must(t, ws, append([]string{"search", "--json"}, args...)...)
		var hits []struct {
			Why []struct{ Kind string } `json:"why"`
		}
		if err := json.Unmarshal([]byte(out), &hits); err != nil || len(hits) == 0 {
			t.Fatalf("search --json %v: %v\n%s", args, err, out)
		}
		var kinds [][]string
		for _, h := range hits {
			var k []string
			for _, w := range h.Why {
				k = append(k, w.Kind)
			}
			kinds = append(kinds, k)
		}
		return kinds
	}
	if k := why("--lang", "en", "grounding"); !slices.Contains(k[0], "vector") {
		t.Errorf("search with vectors: why %v", k)
	}

	// The same service over Ollama's protocol, another model: publish
	// refuses until a reindex, and says so.
	setEmbeddings(t, ws, "  embeddings:\n    url: "+s.URL+"\n    protocol: ollama\n    model: mini-b\n")
	out, code := kb(t, ws, "publish")
	if code == 0 || !strings.Contains(out, "kbops reindex") || !strings.Contains(out, "mini-b") {
		t.Errorf("publish after a model change: exit %d\n%s", code, out)
	}
	if k := why("--lang", "en", "grounding"); slices.Contains(k[0], "vector") {
		t.Errorf("search compared mini-b's question with mini-a's vectors: %v", k)
	}
	must(t, ws, "reindex")
	if s.Inputs("mini-b") < s.Inputs("mini-a")/2 {
		t.Errorf("reindex embedded %d texts with mini-b (mini-a: %d)", s.Inputs("mini-b"), s.Inputs("mini-a"))
	}
	if k := why("--lang", "en", "grounding"); !slices.Contains(k[0], "vector") {
		t.Errorf("search after the reindex: why %v", k)
	}

	// A wrong key: a publish with nothing to write calls nothing, and a
	// search answers by keyword rather than failing (the 401 and the
	// variable it names are checked in pipeline/embed).
	t.Setenv(embed.EnvAPIKey, "wrong")
	before, _ := s.Requests()
	must(t, ws, "publish")
	if after, _ := s.Requests(); after != before {
		t.Errorf("a publish with nothing to write called the service %d times", after-before)
	}
	if out := must(t, ws, "search", "--lang", "en", "grounding"); !strings.Contains(strings.ToLower(out), "ground") {
		t.Errorf("search with a failing embedding service answers by keyword: %s", out)
	}
}
