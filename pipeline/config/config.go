// Package config reads and checks kbops.yaml, the workspace configuration.
//
// Unknown keys and bad values are errors naming the key and the line, so a
// typo never silently turns a setting off. Secrets are never read from the
// file: API keys and tokens come from the environment (see Env*).
//
// Every key is declared once, as a cfgspec.Field next to the struct that
// reads it (Fields; plugins declare the settings under a source's options
// and extract). The defaults are applied from those declarations, plugin
// settings are checked against them at load time, and docs/config.md and
// Template are generated from them by `go generate ./pipeline/config`;
// TestConfigDocsAreCurrent fails when the generated files are stale.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/glossary"
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embed"
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/cfgspec"
	"github.com/kbops/kbops/sources/gitauth"
)

//go:generate go run ./gen

// FileName is the name of the configuration file at the workspace root.
const FileName = "kbops.yaml"

// Environment variables kbops reads secrets and overrides from.
const (
	EnvWeaviateAPIKey = "KBOPS_WEAVIATE_API_KEY" // API key for a Weaviate cluster
	EnvGitToken       = "KBOPS_GIT_TOKEN"        // token for git.remote, and for git sources on its host
	EnvReviewer       = "KBOPS_REVIEWER"         // "Name <email>" of the person approving
	// EnvAccessKeys holds front-end API keys as level:key pairs separated
	// by commas or white space (see pipeline/apikeys).
	EnvAccessKeys = "KBOPS_ACCESS_KEYS"
	// EnvAccessKeysFile names a key file; it takes precedence over
	// frontends.keys_file.
	EnvAccessKeysFile = "KBOPS_ACCESS_KEYS_FILE"
	// EnvAPIKey is the key `kbops mcp` and `kbops search --as-key` present
	// when no flag gives one.
	EnvAPIKey = "KBOPS_API_KEY"
)

// Config is kbops.yaml. Its keys are declared in Fields, which the
// reference docs/config.md, the init template and the defaults come from.
type Config struct {
	// Version of the config format; 1.
	Version int `yaml:"version"`
	// Languages are the target languages of the knowledge base (BCP 47
	// primary tags); cross-language terms are added for each.
	Languages []string `yaml:"languages"`
	// Defaults for units whose source and document say nothing.
	Defaults Defaults `yaml:"defaults"`
	// Sources to ingest.
	Sources []sources.Spec `yaml:"sources"`
	// Ingest settings.
	Ingest Ingest `yaml:"ingest"`
	// Review settings.
	Review Review `yaml:"review"`
	// Weaviate settings; without a URL kbops runs an embedded server.
	Weaviate Weaviate `yaml:"weaviate"`
	// Git identity and remote of the knowledge repository.
	Git Git `yaml:"git"`
	// Frontends are the settings of the agent front-ends kbops answers
	// (kbops serve's /mcp, kbops mcp, kbops search --as-key).
	Frontends Frontends `yaml:"frontends"`

	file string // where it was read from, for messages
}

var topFields = []cfgspec.Field{
	{Key: "version", Type: cfgspec.Int, Default: "1",
		Description: "config format version; this kbops reads version 1"},
	// The default target languages are the glossary's, so a workspace
	// without `languages:` and the glossary commands outside one agree.
	{Key: "languages", Type: cfgspec.Strings, Default: "[" + strings.Join(glossary.DefaultTargets(), ", ") + "]",
		Description: "target languages (BCP 47 tags): every unit gets its concepts' terms in each",
		Comment:     "Target languages: every unit gets the glossary terms of its concepts in each of these, so a question in one language finds knowledge in another."},
	{Key: "defaults", Type: cfgspec.Block},
	{Key: "defaults.language", Type: cfgspec.String, Default: "en",
		Description: "language of documents that declare none and cannot be detected",
		Comment:     "for documents that declare none and cannot be detected"},
	{Key: "defaults.access", Type: cfgspec.String, Default: string(knowledge.AccessInternal), Values: accessNames(),
		Description: "access level when neither source nor document says; internal, so nothing leaks by omission"},
	{Key: "defaults.markets", Type: cfgspec.Strings, Default: "[]", DefaultDoc: "none",
		Description: "markets where knowledge applies when a source names none"},
	{Key: "sources", Type: cfgspec.List, DefaultDoc: "none",
		Description: "the sources to ingest; their keys are in the next section"},
}

// Defaults apply to units when neither the document nor the source says.
type Defaults struct {
	// Language of documents that declare none and cannot be detected.
	Language string `yaml:"language"`
	// Access level of units when neither source nor document says.
	Access knowledge.Access `yaml:"access"`
	// Markets where knowledge applies when a source names none.
	Markets []string `yaml:"markets"`
}

// Ingest settings of the ingestion stage.
type Ingest struct {
	// DocumentTimeout is the time budget for reading and extracting one
	// document, such as "2m" or "90s" (default DefaultDocumentTimeout). A
	// document over it fails alone: the run reports it with the budget,
	// keeps the units it had and goes on with the other documents. A
	// source's document_timeout overrides it.
	DocumentTimeout time.Duration `yaml:"document_timeout"`
}

var ingestFields = []cfgspec.Field{
	{Key: "ingest", Type: cfgspec.Block},
	{Key: "ingest.document_timeout", Type: cfgspec.Duration, DefaultDoc: "2m",
		Description: "time budget for reading and extracting one document; a document over it fails alone (named, with this key), keeps the units it had and is tried again next run, and the run goes on; a source's `document_timeout` overrides it",
		Example:     "2m", Comment: "time budget of one document; a source's document_timeout overrides it"},
}

// DefaultDocumentTimeout is ingest.document_timeout when kbops.yaml sets
// none: ample for a 1,000-page manual or a ticket export of a few hundred
// thousand rows, short enough that a document the extractor cannot finish
// does not hold a nightly run (and the repository lock) for long.
const DefaultDocumentTimeout = 2 * time.Minute

// DocumentTimeout returns the time budget of one document of spec and the
// config key that sets it, for the message of a document over it.
func (c *Config) DocumentTimeout(spec sources.Spec) (time.Duration, string) {
	if spec.DocumentTimeout > 0 {
		return spec.DocumentTimeout, fmt.Sprintf("document_timeout of source %q", spec.Name)
	}
	if c.Ingest.DocumentTimeout > 0 {
		return c.Ingest.DocumentTimeout, "ingest.document_timeout"
	}
	return DefaultDocumentTimeout, "ingest.document_timeout (default " + DefaultDocumentTimeout.String() + ")"
}

func accessNames() []string {
	out := make([]string, len(knowledge.AccessLevels))
	for i, a := range knowledge.AccessLevels {
		out[i] = string(a)
	}
	return out
}

func tierNames() []string {
	out := make([]string, len(knowledge.Tiers))
	for i, t := range knowledge.Tiers {
		out[i] = string(t)
	}
	return out
}

// Review settings; reviewFields declares their keys, defaults and
// reference text.
type Review struct {
	// Branch is the review branch ingestion commits to. Knowledge owners
	// review it as a pull request.
	Branch string `yaml:"branch"`
	// Main is the branch holding approved knowledge.
	Main string `yaml:"main"`
	// Intervals per tier after which a unit goes back to review, in days.
	Intervals map[knowledge.Tier]int `yaml:"intervals"`
}

var reviewFields = []cfgspec.Field{
	{Key: "review", Type: cfgspec.Block},
	{Key: "review.branch", Type: cfgspec.String, Default: "kbops/review",
		Description: "ingestion commits here; knowledge owners review it as a pull request",
		Comment:     "ingestion commits here; review it as a pull request"},
	{Key: "review.main", Type: cfgspec.String, Default: "main",
		Description: "the branch holding approved knowledge; publish reads it",
		Comment:     "approved knowledge; publish reads this"},
	{Key: "review.intervals", Type: cfgspec.Map, DefaultDoc: "none", Values: tierNames(),
		Description: "days, per tier (`intervals.<tier>`, whole days, 1 or more), until a unit goes back to its owner for review",
		Example:     "{official: 180, internal: 120, support: 90, feedback: 30}",
		Comment:     "days until a unit goes back to its owner"},
}

// Weaviate settings; weaviateFields declares their keys, defaults and
// reference text.
type Weaviate struct {
	// URL of a Weaviate cluster (http://host:8080). Empty: run the
	// embedded server under .kbops/weaviate.
	URL string `yaml:"url"`
	// GRPC address host:port; empty: the URL's host with port 50051.
	GRPC string `yaml:"grpc"`
	// Collection is the alias agents query.
	Collection string `yaml:"collection"`
	// Embedded server settings, used when URL is empty.
	Embedded Embedded `yaml:"embedded"`
	// Consistency is the consistency level of reads and writes: ONE,
	// QUORUM or ALL; empty uses the server's default (QUORUM).
	Consistency string `yaml:"consistency"`
	// ReplicationFactor of new collections.
	ReplicationFactor int `yaml:"replication_factor"`
	// Keep is how many physical collections reindex keeps: the live one
	// and those to roll back to.
	Keep int `yaml:"keep"`
	// SplitByAccess publishes each access level to its own alias
	// (<collection>Public, …Customer, …Partner, …Internal), so that API
	// keys and RBAC on the cluster can keep partners' and internal
	// knowledge apart; false: one collection, filter on access.
	SplitByAccess bool `yaml:"split_by_access"`
	// Vectorizer enables hybrid search: a Weaviate module name such as
	// text2vec-ollama with its settings; none: keyword search.
	Vectorizer Vectorizer `yaml:"vectorizer"`
	// Embeddings are vectors kbops computes by calling an embedding
	// service, stored as a named vector; an alternative to Vectorizer.
	Embeddings Embeddings `yaml:"embeddings"`
}

// Embeddings is an embedding service kbops calls for the vectors of every
// published object and of every question (pipeline/embed); URL empty: no
// vectors of kbops's own.
type Embeddings struct {
	URL        string `yaml:"url"`
	Protocol   string `yaml:"protocol"`
	Model      string `yaml:"model"`
	Dimensions int    `yaml:"dimensions"`
	BatchSize  int    `yaml:"batch_size"`
}

// consistencyLevels are the values of weaviate.consistency.
var consistencyLevels = []string{"ONE", "QUORUM", "ALL"}

var weaviateFields = []cfgspec.Field{
	{Key: "weaviate", Type: cfgspec.Block},
	{Key: "weaviate.url", Type: cfgspec.String, Default: `""`,
		Description: "a Weaviate cluster, `http(s)://host:port`; empty runs the embedded server under .kbops/weaviate",
		Comment:     "empty: embedded weaviate-server under .kbops/weaviate"},
	{Key: "weaviate.grpc", Type: cfgspec.String, DefaultDoc: "url host, port 50051", Advanced: true,
		Description: "gRPC address host:port"},
	{Key: "weaviate.collection", Type: cfgspec.String, Default: "KnowledgeUnit",
		Description: "the alias agents query (a capital letter, then letters, digits, _); physical collections are `<collection>_<timestamp>`",
		Comment:     "an alias; reindex builds KnowledgeUnit_<timestamp> and moves it"},
	{Key: "weaviate.keep", Type: cfgspec.Int, Default: "2",
		Description: "physical collections reindex keeps (the live one and rollback targets; fewer than 2 count as 2)",
		Comment:     "physical collections kept for rollback"},
	{Key: "weaviate.consistency", Type: cfgspec.String, Default: `""`, DefaultDoc: "server default (QUORUM)", Values: consistencyLevels,
		Description: "consistency level of writes, reads and searches on a cluster; empty: the server's default",
		Comment:     "ONE | QUORUM | ALL for a cluster; empty: server default"},
	{Key: "weaviate.replication_factor", Type: cfgspec.Int, Default: "1",
		Description: "replication factor of new collections, 1 to 15; a cluster of three nodes typically uses 3 with QUORUM",
		Comment:     "for new collections on a cluster"},
	{Key: "weaviate.split_by_access", Type: cfgspec.Bool, Default: "false", Advanced: true,
		Description: "one alias per access level (`<collection>Public`, `…Customer`, `…Partner`, `…Internal`) so cluster API keys and RBAC can keep levels apart; false: one collection, filtered on access"},
	{Key: "weaviate.vectorizer", Type: cfgspec.Block,
		Comment: "empty: keyword search; a module enables hybrid search"},
	{Key: "weaviate.vectorizer.module", Type: cfgspec.String, Default: `""`, DefaultDoc: "none: keyword search",
		Description: "a Weaviate vectorizer module for hybrid search, such as text2vec-ollama"},
	{Key: "weaviate.vectorizer.settings", Type: cfgspec.Map, DefaultDoc: "none", Advanced: true,
		Description: "the module's settings"},
	{Key: "weaviate.embeddings", Type: cfgspec.Block,
		Comment: "empty url: no vectors of kbops's own; set it or vectorizer.module, not both"},
	{Key: "weaviate.embeddings.url", Type: cfgspec.String, Default: `""`, DefaultDoc: "none: no vectors", Example: `"http://localhost:11434"`,
		Description: "an embedding service kbops calls for the vector of every object it publishes and of every question: the API base of an OpenAI-compatible service (`https://api.openai.com/v1`, posts to `<url>/embeddings`) or an Ollama server (`http://localhost:11434`, posts to `<url>/api/embed`). " +
			"The vectors are stored as the named vector `text`, the model is recorded on the collection, and search is hybrid when — and only when — the collection holds vectors. " +
			"Turning it on, off, or changing the model takes `kbops reindex`; publish refuses to mix. The key comes from `" + embed.EnvAPIKey + "`"},
	{Key: "weaviate.embeddings.protocol", Type: cfgspec.String, Default: embed.OpenAI, Values: embed.Protocols,
		Description: "what the service speaks: `openai` (OpenAI, vLLM, LocalAI, llama.cpp and other OpenAI-compatible servers) or `ollama`"},
	{Key: "weaviate.embeddings.model", Type: cfgspec.String, Default: `""`, Example: "nomic-embed-text",
		Description: "the model's name as the service knows it; required with a url"},
	{Key: "weaviate.embeddings.dimensions", Type: cfgspec.Int, Default: "0", DefaultDoc: "the model's", Advanced: true,
		Description: "vector length to ask for (OpenAI's `dimensions`, for models that can shorten their vectors) and to check on every answer; 0: whatever the model gives"},
	{Key: "weaviate.embeddings.batch_size", Type: cfgspec.Int, Default: "64", Advanced: true,
		Description: "texts per request to the service"},
	{Key: "weaviate.embedded", Type: cfgspec.Block},
	{Key: "weaviate.embedded.http_port", Type: cfgspec.Int, Default: "0",
		Description: "loopback HTTP port of the embedded server, 0 to 65535; 0 picks a free one at start",
		Comment:     "0: any free port on 127.0.0.1"},
	{Key: "weaviate.embedded.grpc_port", Type: cfgspec.Int, Default: "0",
		Description: "loopback gRPC port of the embedded server; 0 picks a free one"},
	{Key: "weaviate.embedded.binary", Type: cfgspec.String, DefaultDoc: "PATH, GOBIN, GOPATH/bin", Advanced: true,
		Description: "the weaviate-server to run"},
}

// Vectorizer is a Weaviate vectorizer module and its settings.
type Vectorizer struct {
	Module   string         `yaml:"module"`
	Settings map[string]any `yaml:"settings"`
}

// Embedded server settings.
type Embedded struct {
	// HTTPPort and GRPCPort on 127.0.0.1; 0 picks free ports at start.
	HTTPPort int `yaml:"http_port"`
	GRPCPort int `yaml:"grpc_port"`
	// Binary is the weaviate-server path; empty: look in PATH, then
	// GOBIN, then GOPATH/bin.
	Binary string `yaml:"binary"`
}

// Git settings of the knowledge repository; gitFields declares their
// keys, defaults and reference text.
type Git struct {
	// Author of ingestion commits, "Name <email>".
	Author string `yaml:"author"`
	// Remote to push review branches to (a name such as origin, or a URL);
	// empty: do not push. The token comes from KBOPS_GIT_TOKEN and also
	// goes to git sources on this remote's host, and to no other.
	Remote string `yaml:"remote"`
	// Host is where pull requests for the review branch are opened.
	Host GitHost `yaml:"host"`
}

var gitFields = []cfgspec.Field{
	{Key: "git", Type: cfgspec.Block},
	{Key: "git.author", Type: cfgspec.String, Default: `"kbops <kbops@localhost>"`,
		Description: "author of ingestion commits, `Name <email>`"},
	{Key: "git.remote", Type: cfgspec.String, Default: `""`,
		Description: "remote name or URL to push the review branch to (`kbops ingest --push`); empty: review branches stay local. " +
			"The token comes from `" + EnvGitToken + "` and is sent only to https URLs or plain http on loopback; a push or fetch over plain http to another host with a token set fails and asks for https. " +
			"The token also goes to git sources on this remote's host, and to no other",
		Comment: "e.g. origin; empty: review branches stay local"},
	{Key: "git.host", Type: cfgspec.Block, Advanced: true,
		Description: "the git host the knowledge repository lives on; `kbops ingest --push` opens or updates the review branch's pull request there and sets its `kbops/verify` status, and `kbops review sync` records the `/approve` commands reviewers type there (see docs/review-model.md, \"Git hosts\"); absent: the branch is only pushed"},
	{Key: "git.host.kind", Type: cfgspec.String, Values: []string{"gitea", "forgejo"}, Advanced: true,
		Description: "the host's kind", Example: "gitea"},
	{Key: "git.host.url", Type: cfgspec.String, Advanced: true,
		Description: "the host's base address; no user name or password in it", Example: "https://git.example.com"},
	{Key: "git.host.repo", Type: cfgspec.String, Advanced: true,
		Description: "the knowledge repository on the host, as owner/name", Example: "support/knowledge"},
	{Key: "git.host.token_env", Type: cfgspec.String, DefaultDoc: "`" + EnvGitToken + "`", Advanced: true,
		Description: "the environment variable holding the host's API token; the default token is sent only when `url` is on `git.remote`'s host", Example: "KBOPS_GITEA_TOKEN"},
	{Key: "git.host.webhook_secret_env", Type: cfgspec.String, Advanced: true,
		Description: "the environment variable holding the secret the host signs its webhook deliveries with; when set, `kbops serve` receives the host's webhook at `/hooks/git-host` on its HTTP port and records comments and reviews as `kbops review sync` does (a delivery whose signature does not verify is answered 401); empty: no webhooks, only polling", Example: "KBOPS_WEBHOOK_SECRET"},
}

// Frontends settings; frontendsFields declares their keys.
type Frontends struct {
	// KeysFile is the file mapping front-ends' API keys to access levels:
	// an absolute path (or ~/…) outside the knowledge repository, since
	// keys are secrets and the repository is shared. Empty: keys come
	// from the environment only.
	KeysFile string `yaml:"keys_file"`
}

var frontendsFields = []cfgspec.Field{
	{Key: "frontends", Type: cfgspec.Block, Advanced: true,
		Description: "agent front-ends: `kbops serve`'s /mcp, `kbops mcp` and `kbops search --as-key` answer each API key at its access level (docs/frontends.md)"},
	{Key: "frontends.keys_file", Type: cfgspec.String, Default: `""`, DefaultDoc: "none: keys from `" + EnvAccessKeys + "` only", Advanced: true,
		Description: "the file mapping API keys to access levels (`keys: [{name, access, key}]`), an absolute path or `~/…` outside the knowledge repository (a file inside it is refused) and not readable by others; `" +
			EnvAccessKeysFile + "` overrides it, and `" + EnvAccessKeys + "` (`customer:KEY,internal:KEY`) adds keys",
		Example: "/etc/kbops/access-keys.yaml"},
}

// Fields declare every key of kbops.yaml, sources' keys under
// "sources[].", in the order of the reference. Plugin settings under a
// source's options and extract are declared by the plugins (see
// sources.Registry.LocationOptions).
func Fields() []cfgspec.Field {
	var out []cfgspec.Field
	out = append(out, topFields...)
	out = append(out, cfgspec.Prefixed("sources[].", sources.SpecFields)...)
	out = append(out, ingestFields...)
	out = append(out, reviewFields...)
	out = append(out, weaviateFields...)
	out = append(out, gitFields...)
	out = append(out, frontendsFields...)
	return out
}

// Error is a config problem with its place.
type Error struct {
	File string
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc += ":" + strconv.Itoa(e.Line)
	}
	if e.Key != "" {
		return fmt.Sprintf("%s: %s: %s", loc, e.Key, e.Msg)
	}
	return fmt.Sprintf("%s: %s", loc, e.Msg)
}

// Load reads and validates the config file at path.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s not found: is this a kbops workspace? create one with `kbops init DIR`", path)
		}
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, b)
}

var (
	yamlLine    = regexp.MustCompile(`^(?:yaml: )?(?:unmarshal errors:\n\s*)?line (\d+): (.*)$`)
	notFoundKey = regexp.MustCompile(`^field (\S+) not found in type (\S+)`)
	secretish   = regexp.MustCompile(`(?i)(api_?key|token|password|secret)`)
	// envName is an environment variable's name; keys ending in _env
	// (token_env) hold one, not a secret.
	envName = regexp.MustCompile(`^[A-Z_][A-Z0-9_]*$`)
)

// Parse reads config bytes; file names the source in errors.
func Parse(file string, b []byte) (*Config, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(b, &root); err != nil {
		return nil, yamlErr(file, err)
	}
	if err := rejectSecrets(file, &root); err != nil {
		return nil, err
	}
	c := &Config{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, yamlErr(file, err)
	}
	c.file = file
	c.applyDefaults()
	if err := c.validate(&root); err != nil {
		return nil, err
	}
	return c, nil
}

func yamlErr(file string, err error) error {
	msg := strings.TrimSpace(err.Error())
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		detail := m[2]
		if k := notFoundKey.FindStringSubmatch(detail); k != nil {
			return &Error{File: file, Line: line, Key: k[1], Msg: "unknown key; check its spelling against docs/config.md"}
		}
		if i := strings.Index(detail, "\n"); i > 0 {
			detail = detail[:i]
		}
		return &Error{File: file, Line: line, Msg: detail}
	}
	if i := strings.Index(msg, "\n"); i > 0 {
		msg = msg[:i]
	}
	return &Error{File: file, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

// rejectSecrets refuses keys that look like secrets: they belong in the
// environment, because kbops.yaml is committed. A key ending in _env
// (token_env) names the variable holding the secret and is allowed when
// its value looks like a variable name. Values are never echoed.
func rejectSecrets(file string, n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if !secretish.MatchString(k.Value) || v.Value == "" {
				continue
			}
			if strings.HasSuffix(k.Value, "_env") {
				if envName.MatchString(v.Value) {
					continue
				}
				return &Error{File: file, Line: k.Line, Key: k.Value, Msg: "give the name of an environment variable in capitals (such as VENDOR_GIT_TOKEN), not the secret; put the secret in that variable"}
			}
			return &Error{File: file, Line: k.Line, Key: k.Value, Msg: fmt.Sprintf("secrets do not belong in %s, which is committed; set %s or %s in the environment instead", FileName, EnvWeaviateAPIKey, EnvGitToken)}
		}
	}
	for _, c := range n.Content {
		if err := rejectSecrets(file, c); err != nil {
			return err
		}
	}
	return nil
}

func (c *Config) applyDefaults() {
	// The declarations describe Config; a mismatch fails this package's
	// tests, so the error cannot happen at run time.
	_ = cfgspec.ApplyDefaults(c, Fields())
	for i := range c.Sources {
		if c.Sources[i].Access == "" {
			c.Sources[i].Access = c.Defaults.Access
		}
		c.Sources[i] = c.Sources[i].WithDefaults()
	}
}

// line finds the line of a path of keys/indexes in the document, e.g.
// ("sources", 2, "kind"); the nearest existing ancestor's line otherwise.
func line(root *yaml.Node, path ...any) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	ln := n.Line
	for _, p := range path {
		switch k := p.(type) {
		case string:
			if n.Kind != yaml.MappingNode {
				return ln
			}
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == k {
					ln, n, found = n.Content[i].Line, n.Content[i+1], true
					break
				}
			}
			if !found {
				return ln
			}
		case int:
			if n.Kind != yaml.SequenceNode || k >= len(n.Content) {
				return ln
			}
			n = n.Content[k]
			ln = n.Line
		}
	}
	return ln
}

func (c *Config) validate(root *yaml.Node) error {
	bad := func(msg string, path ...any) error {
		return &Error{File: c.file, Line: line(root, path...), Key: keyOf(path), Msg: msg}
	}
	// Credentials in URLs first: later messages may print the URL.
	if gitauth.HasCredentials(c.Git.Remote) {
		return bad(credentialsMsg+fmt.Sprintf("; set %s in the environment", EnvGitToken), "git", "remote")
	}
	for i, s := range c.Sources {
		for j, l := range s.Location {
			if !gitauth.HasCredentials(l) {
				continue
			}
			tail := "; a git source's token comes from the environment: " + EnvGitToken + " for git.remote's host, or the variable its options.token_env names"
			if s.LocationScheme() == "http" {
				tail = "; http sources send no credentials"
			}
			if len(s.Location) == 1 {
				return bad(credentialsMsg+tail, "sources", i, "location")
			}
			return bad(credentialsMsg+tail, "sources", i, "location", j)
		}
	}
	if key, msg := c.Git.Host.check(); msg != "" {
		return bad(msg, "git", "host", key)
	}
	if c.Version != 1 {
		return bad(fmt.Sprintf("version %d is not supported; this kbops reads version 1", c.Version), "version")
	}
	for i, l := range c.Languages {
		if knowledge.PrimaryLanguage(l) == "" || len(l) > 12 {
			return bad(fmt.Sprintf("%q is not a language tag such as en or zh-CN", l), "languages", i)
		}
	}
	if !c.Defaults.Access.Valid() {
		return bad(fmt.Sprintf("%q is not one of %s", c.Defaults.Access, strings.Join(accessNames(), ", ")), "defaults", "access")
	}
	seen := map[string]int{}
	for i, s := range c.Sources {
		if err := s.Validate(); err != nil {
			var fe *sources.FieldError
			if !errors.As(err, &fe) {
				return bad(err.Error(), "sources", i)
			}
			return bad(fe.Msg, "sources", i, fe.Key)
		}
		if err := c.checkSettings(root, i, s, sources.Default); err != nil {
			return err
		}
		if j, dup := seen[knowledge.Slug(s.Name)]; dup {
			return bad(fmt.Sprintf("source name %q is also used by sources[%d]; names must be unique", s.Name, j), "sources", i, "name")
		}
		seen[knowledge.Slug(s.Name)] = i
	}
	if f := c.Frontends.KeysFile; f != "" && !filepath.IsAbs(f) && !strings.HasPrefix(f, "~/") {
		return bad(fmt.Sprintf("%q is relative, which puts it in the knowledge repository; keys are secrets: give an absolute path or ~/… outside it", f), "frontends", "keys_file")
	}
	if c.Ingest.DocumentTimeout < 0 {
		return bad("a time budget is a positive duration such as 2m or 90s", "ingest", "document_timeout")
	}
	for t, d := range c.Review.Intervals {
		if !t.Valid() {
			return bad(fmt.Sprintf("%q is not a tier (%s)", t, strings.Join(tierNames(), ", ")), "review", "intervals")
		}
		if d <= 0 {
			return bad("review intervals are whole days, 1 or more", "review", "intervals", string(t))
		}
	}
	if c.Weaviate.URL != "" {
		u, err := url.Parse(c.Weaviate.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad(fmt.Sprintf("%q is not an http(s) URL such as http://localhost:8080", c.Weaviate.URL), "weaviate", "url")
		}
	}
	if p := c.Weaviate.Embedded.HTTPPort; p < 0 || p > 65535 {
		return bad("a port is 0 (any free port) to 65535", "weaviate", "embedded", "http_port")
	}
	if p := c.Weaviate.Embedded.GRPCPort; p < 0 || p > 65535 {
		return bad("a port is 0 (any free port) to 65535", "weaviate", "embedded", "grpc_port")
	}
	if l := c.Weaviate.Consistency; l != "" && !slices.Contains(consistencyLevels, l) {
		return bad(fmt.Sprintf("%q is not one of %s (or empty for the server's default)", l, strings.Join(consistencyLevels, ", ")), "weaviate", "consistency")
	}
	if c.Weaviate.ReplicationFactor < 0 || c.Weaviate.ReplicationFactor > 15 {
		return bad("the replication factor is 1 to 15 (0 means 1)", "weaviate", "replication_factor")
	}
	if c.Weaviate.Keep < 0 {
		return bad("keep is the number of collections to keep, 2 or more", "weaviate", "keep")
	}
	if e := c.Weaviate.Embeddings; e.URL != "" {
		u, err := url.Parse(e.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad(fmt.Sprintf("%q is not an http(s) URL such as http://localhost:11434", e.URL), "weaviate", "embeddings", "url")
		}
		if e.Model == "" {
			return bad("an embedding service needs the model to call, such as nomic-embed-text", "weaviate", "embeddings", "model")
		}
		if !slices.Contains(embed.Protocols, e.Protocol) {
			return bad(fmt.Sprintf("%q is not one of %s", e.Protocol, strings.Join(embed.Protocols, ", ")), "weaviate", "embeddings", "protocol")
		}
		if m := c.Weaviate.Vectorizer.Module; m != "" && m != "none" {
			return bad(fmt.Sprintf("vectors come from kbops (weaviate.embeddings) or from the server's module %s (weaviate.vectorizer.module), not both: remove one", m), "weaviate", "embeddings", "url")
		}
	}
	if c.Weaviate.Embeddings.Dimensions < 0 {
		return bad("dimensions is a vector length, or 0 for the model's", "weaviate", "embeddings", "dimensions")
	}
	if c.Weaviate.Embeddings.BatchSize < 0 {
		return bad("batch_size is the number of texts per request, 1 or more", "weaviate", "embeddings", "batch_size")
	}
	if !validCollection.MatchString(c.Weaviate.Collection) {
		return bad(fmt.Sprintf("%q is not a Weaviate collection name (a capital letter, then letters, digits, _)", c.Weaviate.Collection), "weaviate", "collection")
	}
	return nil
}

// checkSettings checks a source's options and extract blocks against
// what its plugins declared, and lets an extractor that takes settings
// check their values, so that a mistake is reported now with its line and
// key rather than when ingestion opens the source. Plugins that declared
// nothing are left to check their settings themselves.
func (c *Config) checkSettings(root *yaml.Node, i int, s sources.Spec, reg *sources.Registry) error {
	check := func(block string, n *yaml.Node, fields []cfgspec.Field, none string) error {
		if len(fields) == 0 && n.Kind == yaml.MappingNode && len(n.Content) > 0 {
			k := n.Content[0]
			return &Error{File: c.file, Line: k.Line, Key: fmt.Sprintf("sources[%d].%s.%s", i, block, k.Value), Msg: "unknown key; " + none + " reads no " + block + " settings: remove them"}
		}
		var se *cfgspec.Error
		if err := cfgspec.Check(n, fields); errors.As(err, &se) {
			key := fmt.Sprintf("sources[%d].%s", i, block)
			if se.Key != "" {
				key += "." + se.Key
			}
			return &Error{File: c.file, Line: se.Line, Key: key, Msg: se.Msg}
		} else if err != nil {
			return err
		}
		return nil
	}
	scheme := s.LocationScheme()
	if fields, ok := reg.LocationOptions(scheme); ok {
		if err := check("options", &s.Options, fields, "a "+scheme+" location"); err != nil {
			return err
		}
	}
	fields, ok := reg.KindExtractOptions(s.Kind)
	if ok {
		if err := check("extract", &s.Extract, fields, "a "+s.Kind+" source"); err != nil {
			return err
		}
	}
	for _, format := range reg.KindFormats(s.Kind) {
		ex, _ := reg.Extractor(format)
		se, takes := ex.(sources.SpecExtractor)
		if !takes {
			continue
		}
		if _, err := se.ForSpec(s); err != nil {
			// A plugin names the key of its extract: block with a
			// sources.FieldError.
			msg, path := err.Error(), []any{"sources", i, "extract"}
			var fe *sources.FieldError
			if errors.As(err, &fe) {
				msg = fe.Error()
				if _, declared := cfgspec.Find(fields, fe.Key); declared {
					path, msg = append(path, fe.Key), fe.Msg
				}
			}
			return &Error{File: c.file, Line: line(root, path...), Key: keyOf(path), Msg: msg}
		}
	}
	return nil
}

// keyOf writes a path of keys and indexes as a config key: sources[0].kind.
func keyOf(path []any) string {
	var keys []string
	for _, p := range path {
		switch k := p.(type) {
		case string:
			keys = append(keys, k)
		case int:
			keys[len(keys)-1] += "[" + strconv.Itoa(k) + "]"
		}
	}
	return strings.Join(keys, ".")
}

// credentialsMsg starts the error for a URL with a user name or password;
// the URL itself is not repeated, since it holds the secret.
const credentialsMsg = "the URL holds a user name or password; remove it: credentials do not belong in " + FileName + ", which is committed, and URLs are printed in logs and run reports"

var validCollection = regexp.MustCompile(`^[A-Z][A-Za-z0-9_]*$`)

// File is the path the config was read from.
func (c *Config) File() string { return c.file }

// Source returns the source spec with this name.
func (c *Config) Source(name string) (sources.Spec, bool) {
	for _, s := range c.Sources {
		if s.Name == name {
			return s, true
		}
	}
	return sources.Spec{}, false
}
