package apikeys

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/config"
)

// MinKeyLength is the shortest key accepted: shorter ones can be guessed.
const MinKeyLength = 16

// ErrUnknownKey is returned for a key that is not configured.
var ErrUnknownKey = errors.New("unknown API key")

// Keys are the configured API keys. The zero value knows no key: every
// caller without a key is public and every key is refused.
type Keys struct {
	entries []entry
}

type entry struct {
	name  string
	level knowledge.Access
	sum   [sha256.Size]byte
}

// Caller is who a key belongs to.
type Caller struct {
	// Name is the key's name in the key file ("env" for keys from the
	// environment, "" without a key); for logs, never the key itself.
	Name   string
	Access knowledge.Access
}

// Load reads the keys of a workspace: the key file named by
// KBOPS_ACCESS_KEYS_FILE, else by frontends.keys_file (none when both
// are empty), and the level:key pairs of KBOPS_ACCESS_KEYS. root is the
// knowledge repository: a key file inside it is refused, since the
// repository is shared and keys are secrets. A file readable by others
// is refused too.
func Load(root string, cfg config.Frontends) (*Keys, error) {
	k := &Keys{}
	file := os.Getenv(config.EnvAccessKeysFile)
	from := config.EnvAccessKeysFile
	if file == "" {
		file, from = cfg.KeysFile, "frontends.keys_file"
	}
	if file != "" {
		if err := k.readFile(root, file, from); err != nil {
			return nil, err
		}
	}
	if err := k.parseEnv(os.Getenv(config.EnvAccessKeys)); err != nil {
		return nil, err
	}
	return k, nil
}

// Len is the number of keys.
func (k *Keys) Len() int { return len(k.entries) }

// Resolve returns the caller of a key: public for "", the key's level for
// a configured key, and an error wrapping ErrUnknownKey otherwise.
// Every configured key is compared in constant time, so the answer's
// timing does not tell how much of a key was right.
func (k *Keys) Resolve(key string) (Caller, error) {
	if key == "" {
		return Caller{Access: knowledge.AccessPublic}, nil
	}
	sum := sha256.Sum256([]byte(key))
	var found *entry
	for i := range k.entries {
		if subtle.ConstantTimeCompare(sum[:], k.entries[i].sum[:]) == 1 {
			found = &k.entries[i]
		}
	}
	if found == nil {
		return Caller{}, fmt.Errorf("%w: it is neither in %s nor in the key file; check it, or call without a key for public knowledge", ErrUnknownKey, config.EnvAccessKeys)
	}
	return Caller{Name: found.name, Access: found.level}, nil
}

// Clamp returns the access level a query runs with: the level the caller
// asked for when it is at or below the caller's, else the caller's own.
// An empty or unknown request is the caller's level.
func Clamp(asked string, caller knowledge.Access) knowledge.Access {
	a := knowledge.Access(asked)
	if !a.Valid() {
		return caller
	}
	if slices.Index(knowledge.AccessLevels, a) <= slices.Index(knowledge.AccessLevels, caller) {
		return a
	}
	return caller
}

func (k *Keys) add(name string, level knowledge.Access, key string) error {
	if !level.Valid() {
		return fmt.Errorf("access %q is not one of public, customer, partner, internal", level)
	}
	if len(key) < MinKeyLength {
		return fmt.Errorf("key is %d characters; use at least %d random ones (openssl rand -hex 24)", len(key), MinKeyLength)
	}
	if strings.ContainsAny(key, " \t\r\n,") {
		return fmt.Errorf("key contains white space or a comma")
	}
	sum := sha256.Sum256([]byte(key))
	for _, e := range k.entries {
		if e.sum == sum {
			if e.level != level {
				return fmt.Errorf("key is also given to %q at level %s; one key, one level", e.name, e.level)
			}
			return nil
		}
	}
	k.entries = append(k.entries, entry{name: name, level: level, sum: sum})
	return nil
}

// parseEnv reads level:key pairs separated by commas or white space.
func (k *Keys) parseEnv(v string) error {
	fields := strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' })
	for i, f := range fields {
		level, key, ok := strings.Cut(f, ":")
		if !ok {
			return fmt.Errorf("%s: entry %d: want level:key, such as customer:KEY", config.EnvAccessKeys, i+1)
		}
		if err := k.add("env", knowledge.Access(level), key); err != nil {
			return fmt.Errorf("%s: entry %d: %w", config.EnvAccessKeys, i+1, err)
		}
	}
	return nil
}

// keyFile is the key file's format.
type keyFile struct {
	Keys []struct {
		Name   string `yaml:"name"`
		Access string `yaml:"access"`
		Key    string `yaml:"key"`
	} `yaml:"keys"`
}

func (k *Keys) readFile(root, file, from string) error {
	path, err := expand(file)
	if err != nil {
		return fmt.Errorf("%s %q: %w", from, file, err)
	}
	if inside(root, path) {
		return fmt.Errorf("%s: the key file %s is inside the knowledge repository %s, which is shared and committed; move it out (for example to ~/.config/kbops/access-keys.yaml) and point %s at it", from, path, root, from)
	}
	info, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%s: key file: %w", from, err)
	}
	if info.Mode().Perm()&0o007 != 0 {
		return fmt.Errorf("%s: the key file %s can be read or written by any user (mode %v); chmod 600 %s", from, path, info.Mode().Perm(), path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: key file: %w", from, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	var kf keyFile
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&kf); err != nil {
		return fmt.Errorf("%s: %w; want keys: [{name, access, key}]", path, err)
	}
	lines := entryLines(&doc)
	for i, e := range kf.Keys {
		at := path
		if i < len(lines) {
			at = fmt.Sprintf("%s:%d", path, lines[i])
		}
		name := e.Name
		if name == "" {
			return fmt.Errorf("%s: keys[%d]: name is missing; name each key after the front-end that holds it", at, i)
		}
		if err := k.add(name, knowledge.Access(e.Access), e.Key); err != nil {
			return fmt.Errorf("%s: keys[%d] (%s): %w", at, i, name, err)
		}
	}
	return nil
}

// entryLines returns the line of each entry of the keys list.
func entryLines(doc *yaml.Node) []int {
	n := doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == "keys" && n.Content[i+1].Kind == yaml.SequenceNode {
			var out []int
			for _, e := range n.Content[i+1].Content {
				out = append(out, e.Line)
			}
			return out
		}
	}
	return nil
}

// expand resolves ~/ and makes the path absolute.
func expand(p string) (string, error) {
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", err
		}
		p = filepath.Join(home, rest)
	}
	return filepath.Abs(p)
}

// inside reports whether path is root or below it, symbolic links
// resolved, so that a link from outside into the repository is caught too.
func inside(root, path string) bool {
	if root == "" {
		return false
	}
	resolved := func(p string) string {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		return filepath.Clean(p)
	}
	r, p := resolved(root), resolved(path)
	for _, c := range [][2]string{{r, p}, {filepath.Clean(root), filepath.Clean(path)}} {
		rel, err := filepath.Rel(c[0], c[1])
		if err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return true
		}
	}
	return false
}
