package knowledge

import (
	"fmt"
	"regexp"
)

// FieldError says which field of a unit is wrong and why.
type FieldError struct {
	Field string // dotted front-matter key, e.g. "source.name"
	Msg   string
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
			return &FieldError{field, "missing; every unit needs it"}
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
		return &FieldError{"id", err.Error()}
	}
	if u.Version < 1 {
		return &FieldError{"version", "must be 1 or more"}
	}
	if !langTag.MatchString(u.Language) {
		return &FieldError{"language", fmt.Sprintf("%q is not a BCP 47 tag such as en, zh-CN or es-MX", u.Language)}
	}
	if !u.Layer.Valid() {
		return &FieldError{"layer", fmt.Sprintf("%q is not one of core, scenario, context", u.Layer)}
	}
	if !u.Tier.Valid() {
		return &FieldError{"tier", fmt.Sprintf("%q is not one of official, internal, support, feedback", u.Tier)}
	}
	if !u.Access.Valid() {
		return &FieldError{"access", fmt.Sprintf("%q is not one of public, customer, partner, internal", u.Access)}
	}
	if !u.Status.Valid() {
		return &FieldError{"status", fmt.Sprintf("%q is not one of active, retired", u.Status)}
	}
	if u.Effective.IsZero() {
		return &FieldError{"effective", "missing; every unit needs the date it is valid from"}
	}
	if u.Source.FetchedAt.IsZero() {
		return &FieldError{"source.fetched_at", "missing; every unit needs the time its source was fetched"}
	}
	if !hashForm.MatchString(u.ContentHash) {
		return &FieldError{"content_hash", "want sha256: followed by 64 hex digits"}
	}
	if want := ComputeHash(*u); u.ContentHash != want {
		return &FieldError{"content_hash", "does not match the content; was the unit edited by hand? run `kbops review rehash` to make the edit a new version for review"}
	}
	return nil
}
