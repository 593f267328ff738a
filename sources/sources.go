package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/kbops/kbops/knowledge/markup"
	"github.com/kbops/kbops/sources/cfgspec"
)

// Item is one document a Location can deliver.
type Item struct {
	// Key identifies the document inside its location and never changes
	// while the document exists: a slash-separated relative path, or a URL.
	// Unit ids are derived from it.
	Key string
	// URI is where a person can find the document (file://, https://, a
	// git URL with path).
	URI string
	// Version is a change token: equal tokens mean equal content. Locations
	// use a content hash where reading is cheap, or an ETag, Last-Modified
	// date or git blob hash.
	Version string
	// Size in bytes, -1 when unknown.
	Size int64
	// ModTime is the document's last modification time, zero when unknown.
	ModTime time.Time
	// DateSource is set (to a knowledge.EffectiveFrom… value) by locations
	// whose ModTime is a date the document's publisher states: an HTTP
	// Last-Modified header, the date of a git commit. A file's mtime is not
	// one (a copy or checkout resets it), so folders leave it empty, and
	// ingestion then does not take ModTime as the effective date.
	DateSource string
}

// Location lists and opens the documents at one place. Implementations must
// be safe for use by one goroutine at a time and honour ctx cancellation.
type Location interface {
	// List returns the documents present now, sorted by Key. A document
	// that cannot be listed individually is reported through errs (see
	// ItemError) and left out; List itself fails only when the place as a
	// whole cannot be read.
	List(ctx context.Context) (items []Item, errs []error, err error)
	// Open returns the document's bytes. An error names the item.
	Open(ctx context.Context, it Item) (io.ReadCloser, error)
}

// Closer is an optional Location capability: resources to release.
type Closer interface {
	Close() error
}

// ItemError is a problem with one document (or one row, page or section of
// it). It never stops a run: the run reports it and goes on.
type ItemError struct {
	Source string // source name, when known
	Key    string // item key or file
	Place  string // line, row, page or section inside the item; "" for the whole item
	Err    error
}

func (e *ItemError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		b.WriteString(": ")
	}
	b.WriteString(e.Key)
	if e.Place != "" {
		b.WriteString(" (")
		b.WriteString(e.Place)
		b.WriteString(")")
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *ItemError) Unwrap() error { return e.Err }

// ErrTooLarge is wrapped by errors for documents over a size limit.
var ErrTooLarge = errors.New("document is larger than the size limit")

// LocationFactory makes a Location from a source spec and what the
// workspace tells it (see Env).
type LocationFactory func(ctx context.Context, spec Spec, env Env) (Location, error)

// Env is what a location is opened with besides its spec.
type Env struct {
	// Base is the folder relative locations are resolved against (the
	// workspace root).
	Base string
	// Cache is a private folder the location may keep state in (clones,
	// HTTP validators); "" when there is none.
	Cache string
	// GitRemote is the URL of the knowledge repository's remote (git.remote,
	// a remote name already resolved to its URL); "" when there is none. The
	// workspace token KBOPS_GIT_TOKEN was issued for that host, so a git
	// location sends it to no other host.
	GitRemote string
}

// Section is a piece of a document with its place in the document's
// structure. Extractors emit sections in document order.
type Section struct {
	// Headings is the heading path from the document's top to this
	// section, e.g. ["3 Installation", "3.2 Grounding"]; empty for text
	// before the first heading.
	Headings []string
	// Text is the section's content as Markdown.
	Text string
	// Locator says where the section is for a reader: "p. 12", a heading
	// path, ticket ids. Empty means the heading path.
	Locator string
	// Language is the section's BCP 47 tag when the document declares one.
	Language string
	// Kind, Layer, Title, Product, Owner, Access, Markets override the
	// source's defaults when the document says so (front matter, ticket
	// fields); empty means the default.
	Kind    string
	Layer   string
	Title   string
	Product string
	Owner   string
	Access  string
	Markets []string
	// Industries, Audiences and Adapts are the unit's context fields
	// when the document declares them (front matter): whom it is written
	// for, and the core unit it adapts.
	Industries []string
	Audiences  []string
	Adapts     string
	// Occurrences is how many source records (tickets) the section stands
	// for; 0 for documents.
	Occurrences int
	// Effective is the date the knowledge is valid from when the document
	// says so; zero means the location's date of the document (see
	// Item.DateSource), else the ingest date.
	Effective time.Time
	// Continues is the id of a unit of Document.Prior that this section
	// carries on (a recurring problem seen again in a later export): the
	// section becomes the next state of that unit instead of a unit of
	// its own document.
	Continues string
	// SeenIn counts, per document key, the records (tickets) of the
	// section in each document it was seen in; FirstSeen and LastSeen are
	// the earliest and latest record dates (zero: unknown, the run's date
	// is used). Set by extractors that merge records across documents.
	SeenIn              map[string]int
	FirstSeen, LastSeen time.Time
	// EffectiveSource says where Effective was read from (a
	// knowledge.EffectiveFrom… value); set with Effective.
	EffectiveSource string
}

// Sanitized returns s with active content (scripts, event handlers, links
// to javascript:, data: and the like) neutralised in its text, title,
// headings and locator, as knowledge/markup describes: tags are escaped,
// unsafe links lose their URL, visible text stays. Every extractor emits
// sanitized sections, because unit validation refuses units that still
// carry active content.
func (s Section) Sanitized() Section {
	s.Text = markup.Clean(s.Text)
	s.Title = markup.Clean(s.Title)
	s.Locator = markup.Clean(s.Locator)
	if len(s.Headings) > 0 {
		h := make([]string, len(s.Headings))
		for i, v := range s.Headings {
			h[i] = markup.Clean(v)
		}
		s.Headings = h
	}
	return s
}

// Extractor turns one document of its formats into sections. It calls emit
// for each section in order; emitting lets large documents stream. Problems
// with one part of a document (a page, a row) are returned through warn
// as *ItemError and the rest goes on; a returned error means the document
// as a whole could not be read.
type Extractor interface {
	Extract(ctx context.Context, doc Document, emit func(Section) error, warn func(error)) error
}

// SpecExtractor is an optional Extractor capability: an extractor whose
// behaviour depends on the source's options (a ticket field mapping)
// returns the extractor configured for one source.
type SpecExtractor interface {
	ForSpec(spec Spec) (Extractor, error)
}

// Document is what an extractor reads.
type Document struct {
	Item Item
	// Name is the file name or URL path the format is recognised by.
	Name string
	// ContentType is the media type when the location knows it (HTTP).
	ContentType string
	// Body is the document's bytes.
	Body io.Reader
	// Language is the declared language of the source, "" if none.
	Language string
	// Prior are the source's existing units that an extractor merging
	// records across documents (ticket exports) may continue; other
	// extractors ignore them.
	Prior []Prior
}

// Prior is an existing unit as an extractor sees it when it may continue
// it (see Section.Continues): its state, read back from the unit file.
type Prior struct {
	ID, Document, Title, Language, Kind, Product string
	// Text is the unit's body, Locator its source locator.
	Text, Locator       string
	Occurrences         int
	SeenIn              map[string]int
	FirstSeen, LastSeen time.Time
	// Effective is the unit's effective date.
	Effective time.Time
}

// ContentTyper is an optional Location capability: a location that knows
// the media type of its documents (an HTTP server's Content-Type) returns
// it for an item, "" when it does not know. Ingest passes it to the
// extractor as Document.ContentType (the HTML extractor reads the charset
// from it).
type ContentTyper interface {
	ContentType(it Item) string
}

// DocumentInfo is what an extractor learned about a document as a whole,
// beyond its sections: `kbops extract` shows it. Zero fields mean the
// format has no such notion.
type DocumentInfo struct {
	// Pages is the page count of a paged format (PDF).
	Pages int
	// Decrypted says the file was encrypted and opened without a password.
	Decrypted bool
	// Report is the extractor's own summary of the document (a ticket
	// export's tickets.Report), nil when it keeps none.
	Report any
	// Findings are what reviewers should be told about the document
	// without it being an error (an expert note whose template's required
	// sections are empty); each names its place ("line 12: …"). Ingest
	// reports them with the document's key and goes on.
	Findings []string
}

// InfoExtractor is an optional Extractor capability: ExtractInfo is
// Extract that also returns the DocumentInfo. It emits and warns exactly
// as Extract does.
type InfoExtractor interface {
	ExtractInfo(ctx context.Context, doc Document, emit func(Section) error, warn func(error)) (DocumentInfo, error)
}

// Format is an extractor plugin as it registers itself.
type Format struct {
	// Name is the format's name in messages and in `kbops extract`
	// output ("pdf").
	Name string
	// Extractor reads the format's documents.
	Extractor Extractor
	// Extensions are the file-name endings the format is recognised by,
	// lower case with the dot (".md", ".markdown"); the longest match wins.
	Extensions []string
	// MediaTypes are the media types ("text/html") that identify the
	// format of a document whose name has no known extension, when its
	// location knows the type (see ContentTyper).
	MediaTypes []string
	// Kinds are the source kinds (manuals, notes, tickets) whose sources
	// read this format; a document of another format is skipped.
	Kinds []string
}

// Scheme is a location plugin as it registers itself.
type Scheme struct {
	// Name is the location type, as a source's `type:` names it ("git").
	Name string
	// New makes the location of a source.
	New LocationFactory
	// Claims says how strongly the scheme claims a `location:` value when
	// the source sets no `type:`: 0 not at all; the highest claim wins
	// (ties go to the first name in sorted order). A catch-all (a folder
	// path) claims everything weakly, a specific form (a URL ending in
	// .git) strongly.
	Claims func(location string) int
}

// Registry holds the location and extractor plugins. The zero value is
// empty; Default is filled by the plugins' init functions.
type Registry struct {
	mu         sync.RWMutex
	locations  map[string]Scheme
	extractors map[string]Format
	options    map[string][]cfgspec.Field // by location scheme; see options.go
	extract    map[string][]cfgspec.Field // by format
}

// Default is the registry that built-in plugins register with in init().
// Import github.com/kbops/kbops/sources/all to get all of them.
var Default = &Registry{}

// RegisterScheme adds a location plugin; a later registration of the same
// name replaces it.
func (r *Registry) RegisterScheme(s Scheme) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.locations == nil {
		r.locations = map[string]Scheme{}
	}
	r.locations[s.Name] = s
}

// RegisterFormat adds an extractor plugin; a later registration of the
// same name replaces it.
func (r *Registry) RegisterFormat(f Format) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.extractors == nil {
		r.extractors = map[string]Format{}
	}
	f.Extensions = slices.Clone(f.Extensions)
	for i, x := range f.Extensions {
		f.Extensions[i] = strings.ToLower(x)
	}
	f.MediaTypes = slices.Clone(f.MediaTypes)
	f.Kinds = slices.Clone(f.Kinds)
	r.extractors[f.Name] = f
}

// Scheme returns a registered location plugin, e.g. to register it with
// another registry.
func (r *Registry) Scheme(name string) (Scheme, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.locations[name]
	return s, ok
}

// Format returns a registered extractor plugin, e.g. to register it, or
// a wrapper of its extractor, with another registry.
func (r *Registry) Format(name string) (Format, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.extractors[name]
	return f, ok
}

// Location returns the factory for a scheme.
func (r *Registry) Location(scheme string) (LocationFactory, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s, ok := r.locations[scheme]
	return s.New, ok
}

// Extractor returns the extractor for a format name.
func (r *Registry) Extractor(format string) (Extractor, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e, ok := r.extractors[format]
	return e.Extractor, ok
}

// FormatOf returns the format registered for the file name's extension, or
// "" when none reads it.
func (r *Registry) FormatOf(name string) string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	lower := strings.ToLower(name)
	best, bestLen := "", 0
	for f, e := range r.extractors {
		for _, x := range e.Extensions {
			if strings.HasSuffix(lower, x) && len(x) > bestLen {
				best, bestLen = f, len(x)
			}
		}
	}
	return best
}

// FormatOfType returns the format registered for a media type (parameters
// such as charset are ignored), or "" when none is.
func (r *Registry) FormatOfType(contentType string) string {
	mt, _, _ := strings.Cut(contentType, ";")
	mt = strings.ToLower(strings.TrimSpace(mt))
	if mt == "" {
		return ""
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	best := ""
	for f, e := range r.extractors {
		if slices.Contains(e.MediaTypes, mt) && (best == "" || f < best) {
			best = f
		}
	}
	return best
}

// Formats returns the registered format names, sorted.
func (r *Registry) Formats() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for f := range r.extractors {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Schemes returns the registered location schemes, sorted.
func (r *Registry) Schemes() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for s := range r.locations {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// KindFormats returns the formats that sources of a kind read, sorted.
func (r *Registry) KindFormats(kind string) []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []string
	for name, f := range r.extractors {
		if slices.Contains(f.Kinds, kind) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// Reads reports whether sources of a kind read documents of a format.
func (r *Registry) Reads(kind, format string) bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.extractors[format]
	return ok && slices.Contains(f.Kinds, kind)
}

// SchemeOf says which location plugin reads a spec: its `type:`, else the
// scheme claiming its first location most strongly; "" when none does.
func (r *Registry) SchemeOf(spec Spec) string {
	if spec.Type != "" {
		return spec.Type
	}
	loc := ""
	if len(spec.Location) > 0 {
		loc = spec.Location[0]
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.locations))
	for n := range r.locations {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestClaim := "", 0
	for _, n := range names {
		if c := r.locations[n].Claims; c != nil {
			if v := c(loc); v > bestClaim {
				best, bestClaim = n, v
			}
		}
	}
	return best
}

// OpenLocation makes the Location a spec names.
func (r *Registry) OpenLocation(ctx context.Context, spec Spec, env Env) (Location, error) {
	scheme := r.SchemeOf(spec)
	f, ok := r.Location(scheme)
	if !ok {
		if scheme == "" {
			return nil, fmt.Errorf("source %q: no location plugin reads %q (known types: %s); set `type:`", spec.Name, strings.Join(spec.Location, ", "), strings.Join(r.Schemes(), ", "))
		}
		return nil, fmt.Errorf("source %q: no location of type %q (known: %s)", spec.Name, scheme, strings.Join(r.Schemes(), ", "))
	}
	return f(ctx, spec, env)
}
