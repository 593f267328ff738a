package knowledge

import (
	"fmt"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/kbops/kbops/knowledge/markup"
)

// FieldError says which field of a unit is wrong and why.
type FieldError struct {
	Field string // dotted front-matter key, e.g. "source.name", or "body"
	Msg   string
	// BodyLine is the 1-based line inside the body a "body" problem is
	// on; 0 otherwise.
	BodyLine int
}

func (e *FieldError) Error() string { return fmt.Sprintf("field %q: %s", e.Field, e.Msg) }

var (
	langTag  = regexp.MustCompile(`^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$`)
	hashForm = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// Validate checks that every required field is present and every value is
// one the format allows, and that content_hash matches the content. It
// returns the first problem as a *FieldError.
func (u *Unit) Validate() error {
	req := func(field, v string) error {
		if v == "" {
			return &FieldError{Field: field, Msg: "missing; every unit needs it"}
		}
		return nil
	}
	for _, c := range []struct{ f, v string }{
		{"id", u.ID}, {"content_hash", u.ContentHash}, {"title", u.Title},
		{"language", u.Language}, {"layer", string(u.Layer)}, {"kind", u.Kind},
		{"source.name", u.Source.Name}, {"source.kind", u.Source.Kind},
		{"source.uri", u.Source.URI}, {"source.document", u.Source.Document},
		{"tier", string(u.Tier)}, {"owner", u.Owner}, {"access", string(u.Access)},
		{"status", string(u.Status)},
	} {
		if err := req(c.f, c.v); err != nil {
			return err
		}
	}
	if err := ValidateID(u.ID); err != nil {
		return &FieldError{Field: "id", Msg: err.Error()}
	}
	if u.Version < 1 {
		return &FieldError{Field: "version", Msg: "must be 1 or more"}
	}
	if err := ValidateEmail(u.Owner); err != nil {
		return &FieldError{Field: "owner", Msg: err.Error()}
	}
	if err := ValidateSourceURI(u.Source.URI); err != nil {
		return &FieldError{Field: "source.uri", Msg: err.Error()}
	}
	for _, c := range []struct{ f, v string }{
		{"title", u.Title}, {"kind", u.Kind}, {"product", u.Product},
		{"source.document", u.Source.Document}, {"source.locator", u.Source.Locator},
	} {
		if p := markup.Find(c.v); p != nil {
			return &FieldError{Field: c.f, Msg: activeMsg(p.What)}
		}
	}
	if p := markup.Find(u.Body); p != nil {
		return &FieldError{Field: "body", Msg: fmt.Sprintf("line %d of the body: %s", p.Line, activeMsg(p.What)), BodyLine: p.Line}
	}
	if !langTag.MatchString(u.Language) {
		return &FieldError{Field: "language", Msg: fmt.Sprintf("%q is not a BCP 47 tag such as en, zh-CN or es-MX", u.Language)}
	}
	if !u.Layer.Valid() {
		return &FieldError{Field: "layer", Msg: fmt.Sprintf("%q is not one of core, scenario, context", u.Layer)}
	}
	if !u.Tier.Valid() {
		return &FieldError{Field: "tier", Msg: fmt.Sprintf("%q is not one of official, internal, support, feedback", u.Tier)}
	}
	if !u.Access.Valid() {
		return &FieldError{Field: "access", Msg: fmt.Sprintf("%q is not one of public, customer, partner, internal", u.Access)}
	}
	if !u.Status.Valid() {
		return &FieldError{Field: "status", Msg: fmt.Sprintf("%q is not one of active, retired", u.Status)}
	}
	if u.Effective.IsZero() {
		return &FieldError{Field: "effective", Msg: "missing; every unit needs the date it is valid from"}
	}
	if len(u.SeenIn) > 0 {
		// The counts per export are the cluster state later exports are
		// matched against; a hand edit that breaks them is refused rather
		// than silently recounted.
		sum := 0
		for doc, n := range u.SeenIn {
			if strings.TrimSpace(doc) == "" || n < 1 {
				return &FieldError{Field: "seen_in", Msg: fmt.Sprintf("%q: %d: want an export's document key and a count of 1 or more", doc, n)}
			}
			sum += n
		}
		if sum != u.Occurrences {
			return &FieldError{Field: "occurrences", Msg: fmt.Sprintf("%d, but the counts of seen_in add up to %d", u.Occurrences, sum)}
		}
	}
	if !u.FirstSeen.IsZero() && !u.LastSeen.IsZero() && u.LastSeen.Before(u.FirstSeen.Time) {
		return &FieldError{Field: "last_seen", Msg: fmt.Sprintf("%s is before first_seen %s", u.LastSeen, u.FirstSeen)}
	}
	if u.Adapts != "" && (u.Adapts == u.ID || ValidateID(u.Adapts) != nil) {
		return &FieldError{Field: "adapts", Msg: fmt.Sprintf("%q is not the id of another unit", u.Adapts)}
	}
	if u.EffectiveSource != "" && !slices.Contains(EffectiveSources, u.EffectiveSource) {
		return &FieldError{Field: "effective_source", Msg: fmt.Sprintf("%q is not one of %s", u.EffectiveSource, strings.Join(EffectiveSources, ", "))}
	}
	if u.Source.FetchedAt.IsZero() {
		return &FieldError{Field: "source.fetched_at", Msg: "missing; every unit needs the time its source was fetched"}
	}
	if !hashForm.MatchString(u.ContentHash) {
		return &FieldError{Field: "content_hash", Msg: "want sha256: followed by 64 hex digits"}
	}
	if want := ComputeHash(*u); u.ContentHash != want {
		return &FieldError{Field: "content_hash", Msg: "does not match the content; was the unit edited by hand? run `kbops review rehash` to make the edit a new version for review"}
	}
	return nil
}

func activeMsg(what string) string {
	return "contains active content (" + what + "); published units may carry no script, event handler or link other than http, https, mailto and kb:; remove it here and in the source document (see docs/unit-format.md)"
}

// ValidateEmail checks that addr is a plain e-mail address, local@domain,
// as the owner and reviewer fields need: no display name, no quoted local
// part, no spaces, and none of the characters <, >, ", ', ` that would let
// the value break out of the places it is shown in.
func ValidateEmail(addr string) error {
	bad := func(why string) error {
		return fmt.Errorf("%q is not a plain e-mail address such as alice@example.com: %s", addr, why)
	}
	local, domain, ok := strings.Cut(addr, "@")
	switch {
	case addr == "":
		return bad("empty")
	case !ok || local == "" || domain == "" || strings.Contains(domain, "@"):
		return bad("want exactly one @ between a name and a domain")
	case strings.ContainsFunc(addr, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune("<>\"'`()[],;:\\", r)
	}):
		return bad("it has spaces or one of < > \" ' ` ( ) [ ] , ; : \\")
	case strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, ".."):
		return bad("dots must separate parts of the name")
	}
	for _, label := range strings.Split(domain, ".") {
		if label == "" || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") ||
			strings.ContainsFunc(label, func(r rune) bool { return r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			return bad(fmt.Sprintf("%q is not a domain", domain))
		}
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Name != "" || a.Address != addr {
		return bad("not an address by RFC 5322")
	}
	return nil
}

// sourceSchemes are the URI schemes locations produce: file:// for
// folders, http(s) for web locations, and the URL forms git accepts.
var sourceSchemes = map[string]bool{"http": true, "https": true, "file": true, "ssh": true, "git": true, "git+ssh": true, "ssh+git": true}

// ValidateSourceURI checks a unit's source.uri: a URI with one of the
// schemes locations produce (http, https, file, ssh, git), or a git
// location without a scheme (a path, git@host:repo). A javascript: or
// data: URI would turn the source link a reader follows into code.
func ValidateSourceURI(uri string) error {
	if strings.ContainsFunc(uri, func(r rune) bool { return unicode.IsControl(r) || strings.ContainsRune("<>\"`", r) }) {
		return fmt.Errorf("%q has control characters or one of < > \" `; write the document's URL or path", uri)
	}
	if strings.TrimSpace(uri) != uri {
		return fmt.Errorf("%q starts or ends with white space", uri)
	}
	s := markup.Scheme(uri)
	if s == "" || sourceSchemes[s] || len(s) == 1 && len(uri) > 2 && (uri[2] == '/' || uri[2] == '\\') {
		// No scheme, a known one, or a drive letter (C:\manuals\x.pdf).
		return nil
	}
	return fmt.Errorf("%q: scheme %q is not one of http, https, file, ssh, git; write the document's URL or path", uri, s)
}
