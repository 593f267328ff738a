// Package config reads and checks kbops.yaml, the workspace configuration.
//
// Unknown keys and bad values are errors naming the key and the line, so a
// typo never silently turns a setting off. Secrets are never read from the
// file: API keys and tokens come from the environment (see Env*).
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/gitauth"
)

// FileName is the name of the configuration file at the workspace root.
const FileName = "kbops.yaml"

// Environment variables kbops reads secrets and overrides from.
const (
	EnvWeaviateAPIKey = "KBOPS_WEAVIATE_API_KEY" // API key for a Weaviate cluster
	EnvGitToken       = "KBOPS_GIT_TOKEN"        // token for git.remote, and for git sources on its host
	EnvReviewer       = "KBOPS_REVIEWER"         // "Name <email>" of the person approving
)

// Config is kbops.yaml.
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

	file string // where it was read from, for messages
}

// Defaults apply to units when neither the document nor the source says.
type Defaults struct {
	// Language of documents that declare none and cannot be detected.
	Language string `yaml:"language"`
	// Access level; default internal, so nothing leaks by omission.
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

// Review settings.
type Review struct {
	// Branch is the review branch ingestion commits to (default
	// kbops/review). Knowledge owners review it as a pull request.
	Branch string `yaml:"branch"`
	// Main is the branch holding approved knowledge (default main).
	Main string `yaml:"main"`
	// Intervals per tier after which a unit goes back to review, in days.
	Intervals map[knowledge.Tier]int `yaml:"intervals"`
}

// Weaviate settings.
type Weaviate struct {
	// URL of a Weaviate cluster (http://host:8080). Empty: run the
	// embedded server under .kbops/weaviate.
	URL string `yaml:"url"`
	// GRPC address host:port; default the URL's host with port 50051.
	GRPC string `yaml:"grpc"`
	// Collection is the name agents query (default KnowledgeUnit).
	Collection string `yaml:"collection"`
	// Embedded server settings, used when URL is empty.
	Embedded Embedded `yaml:"embedded"`
	// Consistency is the consistency level of reads and writes: ONE,
	// QUORUM or ALL; empty uses the server's default (QUORUM).
	Consistency string `yaml:"consistency"`
	// ReplicationFactor of new collections (default 1); a cluster with
	// three nodes typically uses 3 with QUORUM.
	ReplicationFactor int `yaml:"replication_factor"`
	// Keep is how many physical collections reindex keeps (default 2: the
	// live one and one to roll back to).
	Keep int `yaml:"keep"`
	// SplitByAccess publishes each access level to its own alias
	// (<collection>Public, …Customer, …Partner, …Internal), so that API
	// keys and RBAC on the cluster can keep partners' and internal
	// knowledge apart; default false: one collection, filter on access.
	SplitByAccess bool `yaml:"split_by_access"`
	// Vectorizer enables hybrid search: a Weaviate module name such as
	// text2vec-ollama with its settings; default none (keyword search).
	Vectorizer Vectorizer `yaml:"vectorizer"`
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
	// Binary is the weaviate-server path; default: PATH, then GOBIN,
	// then GOPATH/bin.
	Binary string `yaml:"binary"`
}

// Git settings of the knowledge repository.
type Git struct {
	// Author of ingestion commits, "Name <email>" (default
	// "kbops <kbops@localhost>").
	Author string `yaml:"author"`
	// Remote to push review branches to (a name such as origin, or a URL);
	// empty: do not push. The token comes from KBOPS_GIT_TOKEN and also
	// goes to git sources on this remote's host, and to no other.
	Remote string `yaml:"remote"`
	// Host is where pull requests for the review branch are opened.
	Host GitHost `yaml:"host"`
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
	if c.Version == 0 {
		c.Version = 1
	}
	if len(c.Languages) == 0 {
		c.Languages = []string{"en", "zh", "es", "de", "fr", "pt", "ar", "ru", "ja"}
	}
	if c.Defaults.Access == "" {
		c.Defaults.Access = knowledge.AccessInternal
	}
	if c.Defaults.Language == "" {
		c.Defaults.Language = "en"
	}
	if c.Review.Branch == "" {
		c.Review.Branch = "kbops/review"
	}
	if c.Review.Main == "" {
		c.Review.Main = "main"
	}
	if c.Weaviate.Collection == "" {
		c.Weaviate.Collection = "KnowledgeUnit"
	}
	if c.Git.Author == "" {
		c.Git.Author = "kbops <kbops@localhost>"
	}
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
		var keys []string
		for _, p := range path {
			switch k := p.(type) {
			case string:
				keys = append(keys, k)
			case int:
				keys[len(keys)-1] += "[" + strconv.Itoa(k) + "]"
			}
		}
		return &Error{File: c.file, Line: line(root, path...), Key: strings.Join(keys, "."), Msg: msg}
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
		return bad(fmt.Sprintf("%q is not one of public, customer, partner, internal", c.Defaults.Access), "defaults", "access")
	}
	seen := map[string]int{}
	for i, s := range c.Sources {
		if err := s.Validate(); err != nil {
			key, msg, _ := strings.Cut(err.Error(), ": ")
			return bad(msg, "sources", i, key)
		}
		if j, dup := seen[knowledge.Slug(s.Name)]; dup {
			return bad(fmt.Sprintf("source name %q is also used by sources[%d]; names must be unique", s.Name, j), "sources", i, "name")
		}
		seen[knowledge.Slug(s.Name)] = i
	}
	if c.Ingest.DocumentTimeout < 0 {
		return bad("a time budget is a positive duration such as 2m or 90s", "ingest", "document_timeout")
	}
	for t, d := range c.Review.Intervals {
		if !t.Valid() {
			return bad(fmt.Sprintf("%q is not a tier (official, internal, support, feedback)", t), "review", "intervals")
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
	switch c.Weaviate.Consistency {
	case "", "ONE", "QUORUM", "ALL":
	default:
		return bad(fmt.Sprintf("%q is not ONE, QUORUM or ALL", c.Weaviate.Consistency), "weaviate", "consistency")
	}
	if c.Weaviate.ReplicationFactor < 0 || c.Weaviate.ReplicationFactor > 15 {
		return bad("the replication factor is 1 to 15 (0 means 1)", "weaviate", "replication_factor")
	}
	if c.Weaviate.Keep < 0 {
		return bad("keep is the number of collections to keep, 2 or more", "weaviate", "keep")
	}
	if !validCollection.MatchString(c.Weaviate.Collection) {
		return bad(fmt.Sprintf("%q is not a Weaviate collection name (a capital letter, then letters, digits, _)", c.Weaviate.Collection), "weaviate", "collection")
	}
	return nil
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
