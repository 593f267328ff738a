package sources

import (
	"bytes"
	"fmt"
	"path"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/text/redact"
)

// Spec is one source in kbops.yaml. The reference for users is
// SpecFields, from which docs/config.md is generated.
type Spec struct {
	// Name identifies the source; unit ids start with it. Required; never
	// rename a source whose units are published, or their ids change.
	Name string `yaml:"name"`
	// Kind is manuals, tickets or notes. Required.
	Kind string `yaml:"kind"`
	// Location is a folder or glob (relative to the workspace), one or
	// more http(s) URLs, or a git repository URL. Required.
	Location Locations `yaml:"location"`
	// Type forces the location type (folder, http, git) when it cannot be
	// told from Location.
	Type string `yaml:"type,omitempty"`
	// Include and Exclude are glob patterns over item keys; by default all
	// files of the kind's formats are read.
	Include []string `yaml:"include,omitempty"`
	Exclude []string `yaml:"exclude,omitempty"`
	// Tier is the reliability tier; default from the kind (manuals:
	// official, notes: internal, tickets: support).
	Tier knowledge.Tier `yaml:"tier,omitempty"`
	// Owner is the accountable knowledge owner of the source's units,
	// unless a document names another. Required.
	Owner string `yaml:"owner"`
	// Product, Markets and Access are defaults for the source's units.
	// Access defaults to internal, the safe choice.
	Product string           `yaml:"product,omitempty"`
	Markets []string         `yaml:"markets,omitempty"`
	Access  knowledge.Access `yaml:"access,omitempty"`
	// Language is the declared BCP 47 language of the source's documents;
	// empty means each document declares or is detected.
	Language string `yaml:"language,omitempty"`
	// DocumentTimeout is the time budget for reading and extracting one
	// of the source's documents ("10m"); zero means ingest.document_timeout.
	DocumentTimeout time.Duration `yaml:"document_timeout,omitempty"`
	// Schedule is a cron spec or descriptor (@nightly) for `kbops serve`.
	Schedule string `yaml:"schedule,omitempty"`
	// Options holds settings of the location type (git branch, HTTP
	// timeouts, folder size limit); the location plugin documents and
	// decodes them.
	Options yaml.Node `yaml:"options,omitempty"`
	// Extract holds settings of how documents are read (a ticket export's
	// preset and field mapping); the format plugin documents and decodes
	// them. Kept apart from Options so that each block can reject keys its
	// plugin does not know.
	Extract yaml.Node `yaml:"extract,omitempty"`
	// Redact says whether personal data (e-mail addresses, phone numbers,
	// card numbers, IBANs, IP addresses, the names the text gives) is
	// replaced by placeholders before the source's text becomes units,
	// and which values stay. Default: on for tickets (which cannot turn it
	// off) and notes, off for manuals, whose vendor addresses and hotlines
	// are content; `redact: on` with an `allow` list keeps those.
	Redact Redaction `yaml:"redact,omitempty"`
	// PublicURL is where people can open the source's documents: an
	// absolute http(s) URL that a document key is appended to. Empty: a
	// unit links to its document only when the document came over
	// http(s) (see Link).
	PublicURL string `yaml:"public_url,omitempty"`
}

// Redaction is a source's `redact:` setting: a mode alone (`redact: on`)
// or a block with the mode and redact.Config's patterns, disable and
// allow lists.
type Redaction struct {
	// Mode is auto (the default: the kind decides), on or off.
	Mode          string `yaml:"mode,omitempty"`
	redact.Config `yaml:",inline"`
}

// Redaction modes.
const (
	RedactAuto = "auto"
	RedactOn   = "on"
	RedactOff  = "off"
)

// UnmarshalYAML accepts a mode or a block, rejecting unknown keys with
// their line (the config decoder's strictness does not reach custom
// decoders).
func (r *Redaction) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*r = Redaction{Mode: n.Value}
		if n.Tag == "!!bool" { // YAML 1.1 readers write on/off as booleans
			r.Mode = map[bool]string{true: RedactOn, false: RedactOff}[n.Value == "true"]
		}
		return nil
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			switch k := n.Content[i]; k.Value {
			case "mode", "patterns", "disable", "allow":
			default:
				return fmt.Errorf("line %d: field %s not found in type sources.Redaction", k.Line, k.Value)
			}
		}
		type plain Redaction
		var p plain
		if err := n.Decode(&p); err != nil {
			return err
		}
		*r = Redaction(p)
		return nil
	}
	return fmt.Errorf("line %d: redact is on, off, auto or a block with mode, allow, patterns, disable", n.Line)
}

// IsZero reports an unset redact setting, for omitempty.
func (r Redaction) IsZero() bool {
	return r.Mode == "" && len(r.Patterns) == 0 && len(r.Disable) == 0 && len(r.Allow) == 0
}

// Redacts reports whether the source's text is redacted: its mode, or by
// default its kind (manuals are not).
func (s Spec) Redacts() bool {
	switch s.Redact.Mode {
	case RedactOn:
		return true
	case RedactOff:
		return false
	}
	return s.Kind != "manuals"
}

// Locations is one location or a list of them (several URLs).
type Locations []string

// UnmarshalYAML accepts a string or a list of strings.
func (l *Locations) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		*l = Locations{n.Value}
		return nil
	case yaml.SequenceNode:
		var s []string
		if err := n.Decode(&s); err != nil {
			return err
		}
		*l = s
		return nil
	}
	return fmt.Errorf("line %d: location is a path, a URL or a list of URLs", n.Line)
}

// MarshalYAML writes one location as a string.
func (l Locations) MarshalYAML() (any, error) {
	if len(l) == 1 {
		return l[0], nil
	}
	return []string(l), nil
}

// KindInfo is what a source kind implies. Which formats a kind reads is
// not here: each format plugin names its kinds when it registers (see
// Format.Kinds and Registry.KindFormats).
type KindInfo struct {
	Tier  knowledge.Tier
	Layer knowledge.Layer
	Kind  string // default unit kind
}

// Kinds returns the known source kinds.
func Kinds() map[string]KindInfo {
	return map[string]KindInfo{
		"manuals": {knowledge.TierOfficial, knowledge.LayerCore, knowledge.KindSection},
		"notes":   {knowledge.TierInternal, knowledge.LayerCore, knowledge.KindNote},
		"tickets": {knowledge.TierSupport, knowledge.LayerScenario, knowledge.KindScenario},
	}
}

// WithDefaults returns s with the kind's defaults filled in.
func (s Spec) WithDefaults() Spec {
	k := Kinds()[s.Kind]
	if s.Tier == "" {
		s.Tier = k.Tier
	}
	if s.Access == "" {
		s.Access = knowledge.AccessInternal
	}
	return s
}

// Validate checks the spec; field names in errors are config keys.
func (s Spec) Validate() error {
	if s.Name == "" {
		return FieldErrorf("name", "missing; every source needs a name")
	}
	if knowledge.Slug(s.Name) == "" {
		return FieldErrorf("name", "%q has no letters or digits", s.Name)
	}
	if _, ok := Kinds()[s.Kind]; !ok {
		return FieldErrorf("kind", "%q is not one of %s", s.Kind, strings.Join(kindNames(), ", "))
	}
	if len(s.Location) == 0 || s.Location[0] == "" {
		return FieldErrorf("location", "missing; give a folder, a glob, URLs or a git repository")
	}
	if s.Owner == "" {
		return FieldErrorf("owner", "missing; every source needs an accountable owner")
	}
	if s.Tier != "" && !s.Tier.Valid() {
		return FieldErrorf("tier", "%q is not one of %s", s.Tier, strings.Join(tierNames(), ", "))
	}
	if s.Access != "" && !s.Access.Valid() {
		return FieldErrorf("access", "%q is not one of %s", s.Access, strings.Join(accessNames(), ", "))
	}
	if s.DocumentTimeout < 0 {
		return FieldErrorf("document_timeout", "a time budget is a positive duration such as 10m or 90s")
	}
	if err := checkPublicURL(s.PublicURL); err != nil {
		return err
	}
	return s.validateRedact()
}

func (s Spec) validateRedact() error {
	r := s.Redact
	switch r.Mode {
	case "", RedactAuto, RedactOn, RedactOff:
	default:
		return FieldErrorf("redact", "%q is not one of auto, on, off", r.Mode)
	}
	if s.Kind == "tickets" && r.Mode == RedactOff {
		return FieldErrorf("redact", "ticket exports are always redacted; remove `redact: off` (list values to keep under redact.allow)")
	}
	if !s.Redacts() && (len(r.Patterns) > 0 || len(r.Disable) > 0 || len(r.Allow) > 0) {
		return FieldErrorf("redact", "patterns, disable and allow do nothing while redaction is off for this %s source; add `mode: on` or remove them", s.Kind)
	}
	if _, err := redact.New(r.Config); err != nil {
		return fieldErrorOf("redact", err)
	}
	return nil
}

// LocationScheme says which location plugin of sources.Default reads the
// spec's location (see Registry.SchemeOf).
func (s Spec) LocationScheme() string {
	return Default.SchemeOf(s)
}

// DecodeOptions decodes the spec's location options into v, rejecting
// keys v does not have.
func (s Spec) DecodeOptions(v any) error {
	return decodeStrict(s.Name, "options", &s.Options, v)
}

// DecodeExtract decodes the spec's extract settings into v, rejecting keys
// v does not have.
func (s Spec) DecodeExtract(v any) error {
	return decodeStrict(s.Name, "extract", &s.Extract, v)
}

func decodeStrict(source, key string, n *yaml.Node, v any) error {
	if n.Kind == 0 {
		return nil
	}
	b, err := yaml.Marshal(n)
	if err != nil {
		return fmt.Errorf("source %q %s: %w", source, key, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("source %q %s (from line %d): %w", source, key, n.Line, err)
	}
	return nil
}

// Wanted reports whether a document key passes include and exclude glob
// lists (see MatchGlob): with includes, it must match one; it must match
// no exclude.
func Wanted(include, exclude []string, key string) bool {
	if len(include) > 0 {
		ok := false
		for _, g := range include {
			ok = ok || MatchGlob(g, key)
		}
		if !ok {
			return false
		}
	}
	for _, g := range exclude {
		if MatchGlob(g, key) {
			return false
		}
	}
	return true
}

// MatchGlob reports whether a slash-separated key matches a glob where
// "**" matches any number of path elements and "*", "?", "[…]" work as in
// path.Match within one element. A pattern without "/" matches the base
// name anywhere, like .gitignore.
func MatchGlob(pattern, key string) bool {
	if !strings.Contains(pattern, "/") {
		ok, _ := path.Match(pattern, path.Base(key))
		return ok
	}
	return matchParts(strings.Split(pattern, "/"), strings.Split(key, "/"))
}

func matchParts(pat, parts []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			for i := 0; i <= len(parts); i++ {
				if matchParts(pat[1:], parts[i:]) {
					return true
				}
			}
			return false
		}
		if len(parts) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], parts[0]); !ok {
			return false
		}
		pat, parts = pat[1:], parts[1:]
	}
	return len(parts) == 0
}
