package config

import (
	"strings"
	"testing"
	"time"
)

func TestTemplateParses(t *testing.T) {
	c, err := Parse("kbops.yaml", []byte(Template))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Sources) != 1 || c.Sources[0].Tier != "internal" || c.Weaviate.Collection != "KnowledgeUnit" || c.Review.Branch != "kbops/review" {
		t.Errorf("unexpected config: %+v", c)
	}
}

func TestErrorsNameKeyAndLine(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"unknown key", "version: 1\nlangauges: [en]\n", "kbops.yaml:2: langauges: unknown key"},
		{"nested unknown", "version: 1\nweaviate:\n  colection: X\n", "kbops.yaml:3: colection: unknown key"},
		{"bad kind", "sources:\n  - name: a\n    kind: manual\n    location: x\n    owner: o\n", "kbops.yaml:3: sources[0].kind: \"manual\" is not one of"},
		{"missing owner", "sources:\n  - name: a\n    kind: notes\n    location: x\n", "kbops.yaml:2: sources[0].owner: missing"},
		{"bad tier", "sources:\n  - name: a\n    kind: notes\n    location: x\n    owner: o\n    tier: gold\n", "kbops.yaml:6: sources[0].tier"},
		{"dup source", "sources:\n  - {name: a, kind: notes, location: x, owner: o}\n  - {name: A, kind: notes, location: y, owner: o}\n", "sources[1].name: source name \"A\" is also used"},
		{"bad url", "weaviate:\n  url: localhost:8080\n", "kbops.yaml:2: weaviate.url"},
		{"bad port", "weaviate:\n  embedded:\n    http_port: 70000\n", "kbops.yaml:3: weaviate.embedded.http_port"},
		{"embeddings without model", "weaviate:\n  embeddings:\n    url: http://localhost:11434\n", "weaviate.embeddings.model: an embedding service needs the model"},
		{"embeddings bad url", "weaviate:\n  embeddings:\n    url: localhost:11434\n    model: m\n", "kbops.yaml:3: weaviate.embeddings.url"},
		{"embeddings bad protocol", "weaviate:\n  embeddings:\n    url: http://h\n    protocol: grpc\n    model: m\n", "kbops.yaml:4: weaviate.embeddings.protocol: \"grpc\" is not one of openai, ollama"},
		{"embeddings and module", "weaviate:\n  vectorizer:\n    module: text2vec-ollama\n  embeddings:\n    url: http://h\n    model: m\n", "weaviate.embeddings.url: vectors come from kbops"},
		{"embeddings key in file", "weaviate:\n  embeddings:\n    api_key: abc\n", "api_key: secrets do not belong"},
		{"secret", "weaviate:\n  api_key: abc\n", "kbops.yaml:2: api_key: secrets do not belong"},
		{"bad yaml", "version: 1\nsources: [\n", "kbops.yaml"},
		{"wrong type", "version: one\n", "kbops.yaml:1"},
		{"bad budget", "ingest:\n  document_timeout: -1s\n", "kbops.yaml:2: ingest.document_timeout: a time budget is a positive duration"},
		{"budget not a duration", "ingest:\n  document_timeout: soon\n", "kbops.yaml:2"},
		{"bad source budget", "sources:\n  - name: a\n    kind: notes\n    location: x\n    owner: o\n    document_timeout: -5m\n", "kbops.yaml:6: sources[0].document_timeout: a time budget"},
		{"redact unknown key", "sources:\n  - name: a\n    kind: notes\n    location: x\n    owner: o\n    redact:\n      allwo: [x]\n", "kbops.yaml:7: allwo: unknown key"},
		{"redact bad mode", "sources:\n  - name: a\n    kind: notes\n    location: x\n    owner: o\n    redact: maybe\n", "kbops.yaml:6: sources[0].redact: \"maybe\" is not one of auto, on, off"},
		{"tickets unredacted", "sources:\n  - name: a\n    kind: tickets\n    location: x\n    owner: o\n    redact: off\n", "sources[0].redact: ticket exports are always redacted"},
		{"allow while off", "sources:\n  - name: a\n    kind: manuals\n    location: x\n    owner: o\n    redact:\n      allow: [support@vendor.example]\n", "sources[0].redact: patterns, disable and allow do nothing"},
		{"redact bad pattern", "sources:\n  - name: a\n    kind: notes\n    location: x\n    owner: o\n    redact:\n      patterns: [{kind: x, regexp: \"(\"}]\n", "sources[0].redact: patterns[0]"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("kbops.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestEmptyConfigGetsDefaults(t *testing.T) {
	c, err := Parse("kbops.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Defaults.Access != "internal" || len(c.Languages) != 9 {
		t.Errorf("defaults: %+v", c)
	}
}

// The document time budget is ingest.document_timeout, 2m by default, and
// a source's document_timeout overrides it; the key is named for messages.
func TestDocumentTimeout(t *testing.T) {
	c, err := Parse("kbops.yaml", []byte("sources:\n  - {name: a, kind: notes, location: x, owner: o}\n  - {name: b, kind: tickets, location: y, owner: o, document_timeout: 10m}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d, key := c.DocumentTimeout(c.Sources[0]); d != 2*time.Minute || !strings.HasPrefix(key, "ingest.document_timeout") {
		t.Errorf("default budget = %v (%s), want 2m0s from ingest.document_timeout", d, key)
	}
	if d, key := c.DocumentTimeout(c.Sources[1]); d != 10*time.Minute || key != `document_timeout of source "b"` {
		t.Errorf("source budget = %v (%s), want 10m0s from the source", d, key)
	}
	c, err = Parse("kbops.yaml", []byte("ingest:\n  document_timeout: 90s\nsources:\n  - {name: a, kind: notes, location: x, owner: o}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if d, key := c.DocumentTimeout(c.Sources[0]); d != 90*time.Second || key != "ingest.document_timeout" {
		t.Errorf("configured budget = %v (%s), want 1m30s", d, key)
	}
}

func TestRedactSetting(t *testing.T) {
	src := `sources:
  - {name: n, kind: notes, location: x, owner: o}
  - {name: m, kind: manuals, location: x, owner: o}
  - {name: m2, kind: manuals, location: x, owner: o, redact: on}
  - name: m3
    kind: manuals
    location: x
    owner: o
    redact:
      mode: on
      allow: ["@vendor.example", "+49 89 1234 5678"]
  - {name: n2, kind: notes, location: x, owner: o, redact: off}
`
	c, err := Parse("kbops.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"n": true, "m": false, "m2": true, "m3": true, "n2": false}
	for _, s := range c.Sources {
		if s.Redacts() != want[s.Name] {
			t.Errorf("%s: Redacts() = %v", s.Name, s.Redacts())
		}
	}
	if got := c.Sources[3].Redact.Allow; len(got) != 2 || got[0] != "@vendor.example" {
		t.Errorf("allow %q", got)
	}
}
