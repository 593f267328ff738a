package knowledge

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Tier is the reliability tier of a unit's source. When two units state
// different facts, the higher tier wins, then the newer.
type Tier string

// Tiers, highest first.
const (
	TierOfficial Tier = "official" // manuals, specifications
	TierInternal Tier = "internal" // training material, expert notes
	TierSupport  Tier = "support"  // ticket history, FAQ
	TierFeedback Tier = "feedback" // market feedback, reviews
)

// Tiers lists the reliability tiers, highest first.
var Tiers = []Tier{TierOfficial, TierInternal, TierSupport, TierFeedback}

// Rank returns 0 for the highest tier and larger numbers for lower ones; an
// unknown tier ranks below all known ones.
func (t Tier) Rank() int {
	if i := slices.Index(Tiers, t); i >= 0 {
		return i
	}
	return len(Tiers)
}

// Valid reports whether t is one of Tiers.
func (t Tier) Valid() bool { return slices.Contains(Tiers, t) }

// Layer is what a unit is about.
type Layer string

// Layers.
const (
	LayerCore     Layer = "core"     // product facts: specs, features, operation
	LayerScenario Layer = "scenario" // application cases: symptom, cause, resolution
	LayerContext  Layer = "context"  // market, industry, regulation, audience
)

// Layers lists the valid layers.
var Layers = []Layer{LayerCore, LayerScenario, LayerContext}

// Valid reports whether l is one of Layers.
func (l Layer) Valid() bool { return slices.Contains(Layers, l) }

// Access says who may see a unit.
type Access string

// Access levels, most open first.
const (
	AccessPublic   Access = "public"
	AccessCustomer Access = "customer"
	AccessPartner  Access = "partner"
	AccessInternal Access = "internal"
)

// AccessLevels lists the access levels, most open first.
var AccessLevels = []Access{AccessPublic, AccessCustomer, AccessPartner, AccessInternal}

// Valid reports whether a is one of AccessLevels.
func (a Access) Valid() bool { return slices.Contains(AccessLevels, a) }

// Status is a unit's life-cycle state.
type Status string

// Statuses.
const (
	StatusActive  Status = "active"
	StatusRetired Status = "retired" // its source section is gone
)

// Valid reports whether s is active or retired.
func (s Status) Valid() bool { return s == StatusActive || s == StatusRetired }

// Kinds are the usual unit kinds. Kind is open: connectors may use others.
const (
	KindSpec            = "spec"
	KindProcedure       = "procedure"
	KindFAQ             = "faq"
	KindTroubleshooting = "troubleshooting"
	KindScenario        = "scenario"
	KindNote            = "note"
	KindSection         = "section"
)

// Source is a unit's provenance.
type Source struct {
	// Name is the source's name in kbops.yaml.
	Name string `yaml:"name"`
	// Kind is the source kind (manuals, tickets, notes).
	Kind string `yaml:"kind"`
	// URI locates the document the unit came from.
	URI string `yaml:"uri"`
	// Document is the document's stable key inside the source (a relative
	// path, a URL, an export file); units of one document share it.
	Document string `yaml:"document"`
	// Locator is the place inside the document: page, heading path, ticket ids.
	Locator string `yaml:"locator,omitempty"`
	// FetchedAt is when the document was fetched for this version.
	FetchedAt time.Time `yaml:"fetched_at"`
	// Hash is the change token of the document as fetched (a content hash
	// or an ETag); an equal token means the document has not changed.
	Hash string `yaml:"hash"`
}

// Unit is one knowledge unit. Field order here is the field order in the
// unit file.
type Unit struct {
	ID          string   `yaml:"id"`
	Version     int      `yaml:"version"`
	ContentHash string   `yaml:"content_hash"`
	Title       string   `yaml:"title"`
	Language    string   `yaml:"language"`
	Layer       Layer    `yaml:"layer"`
	Kind        string   `yaml:"kind"`
	Product     string   `yaml:"product,omitempty"`
	Markets     []string `yaml:"markets,omitempty"`
	// Industries and Audiences say whom the unit is written for (ids of
	// the context library, e.g. "oem", "expert"); empty means everyone.
	Industries []string `yaml:"industries,omitempty"`
	Audiences  []string `yaml:"audiences,omitempty"`
	// Adapts is the id of the core unit this context unit adapts for its
	// markets, industries or audiences; a reviewed relation.
	Adapts    string `yaml:"adapts,omitempty"`
	Source    Source `yaml:"source"`
	Tier      Tier   `yaml:"tier"`
	Effective Date   `yaml:"effective"`
	// EffectiveSource says where Effective was read from (see the
	// EffectiveFrom constants); "" in files written before kbops recorded
	// it. It decides conflicts (a date from the document beats the ingest
	// date), so it is content, in the hash.
	EffectiveSource string   `yaml:"effective_source,omitempty"`
	Owner           string   `yaml:"owner"`
	Access          Access   `yaml:"access"`
	Concepts        []string `yaml:"concepts,omitempty"`
	// Occurrences counts the tickets a scenario unit was seen in; it is
	// not content, so a new similar ticket raises it without a new version.
	Occurrences int `yaml:"occurrences,omitempty"`
	// FirstSeen and LastSeen are the dates of the earliest and latest
	// ticket of a scenario unit, over every export it was seen in; SeenIn
	// counts its tickets per export (document key), so that reading an
	// export again replaces that export's count instead of adding to it,
	// and a removed export takes only its own tickets away. Like
	// Occurrences they are not content.
	FirstSeen Date           `yaml:"first_seen,omitempty"`
	LastSeen  Date           `yaml:"last_seen,omitempty"`
	SeenIn    map[string]int `yaml:"seen_in,omitempty"`
	Status    Status         `yaml:"status"`
	Body      string         `yaml:"-"`
}

// Where a unit's effective date came from. Every one but EffectiveFromIngest
// is a date the document states about itself.
const (
	EffectiveFromFrontMatter = "front-matter"       // `effective:` in a Markdown document's front matter
	EffectiveFromPDF         = "pdf-info"           // the PDF's ModDate, else CreationDate
	EffectiveFromHTTP        = "http-last-modified" // the server's Last-Modified header
	EffectiveFromGit         = "git-commit"         // the date of the commit a git source was read at
	EffectiveFromTicket      = "ticket"             // a ticket's solved (else created) date
	EffectiveFromIngest      = "ingest"             // no date in the document: the day it was first ingested
)

// EffectiveSources lists the valid values of Unit.EffectiveSource.
var EffectiveSources = []string{EffectiveFromFrontMatter, EffectiveFromPDF, EffectiveFromHTTP, EffectiveFromGit, EffectiveFromTicket, EffectiveFromIngest}

// Dated reports whether u's effective date is one its document states:
// not the ingest-date fallback. Units written before the source was
// recorded count as dated, as they always did.
func (u *Unit) Dated() bool { return u.EffectiveSource != EffectiveFromIngest }

// Date is a calendar date (no time of day), written as YYYY-MM-DD.
type Date struct{ time.Time }

// DateOf returns the calendar date of t in UTC.
func DateOf(t time.Time) Date {
	y, m, d := t.UTC().Date()
	return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}
}

// ParseDate parses YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("want a date like 2026-01-31, got %q", s)
	}
	return Date{t}, nil
}

// String formats the date as YYYY-MM-DD, or "" for the zero date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(time.DateOnly)
}

// MarshalYAML writes the date as YYYY-MM-DD.
func (d Date) MarshalYAML() (any, error) { return d.String(), nil }

// UnmarshalYAML reads YYYY-MM-DD.
func (d *Date) UnmarshalYAML(unmarshal func(any) error) error {
	var s string
	if err := unmarshal(&s); err != nil {
		return err
	}
	if s == "" {
		*d = Date{}
		return nil
	}
	v, err := ParseDate(s)
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// PrimaryLanguage returns the primary subtag of a BCP 47 tag, lower-cased:
// "zh" for "zh-CN".
func PrimaryLanguage(tag string) string {
	p, _, _ := strings.Cut(tag, "-")
	return strings.ToLower(p)
}
