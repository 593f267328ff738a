package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/text/redact"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/sources"
)

// ErrNoFormat is wrapped by the error of ReadDocument for a document no
// extractor of the source's kind reads (ingest skips such documents).
var ErrNoFormat = errors.New("no extractor reads this document")

// ReadOptions are the settings of ReadDocument that a run takes from the
// workspace and `kbops extract` from its flags.
type ReadOptions struct {
	// Registry of plugins; nil means sources.Default.
	Registry *sources.Registry
	// Budget is the time budget of reading and extracting the document,
	// BudgetKey the config key that set it (for the message of a document
	// over it). Zero means what kbops.yaml without an ingest section
	// gives: the source's document_timeout, else
	// config.DefaultDocumentTimeout.
	Budget    time.Duration
	BudgetKey string
	// Segment, when set, reshapes the document's sections (target sizes).
	Segment func([]sources.Section) []sources.Section
	// Redactor replaces personal data in the sections of a source that
	// redacts (see Spec.Redacts); nil makes one from the spec. Ticket
	// exports are redacted by their extractor, field by field.
	Redactor *redact.Redactor
	// Warn receives the problems with parts of the document (a page, a
	// row), as *sources.ItemError; nil discards them.
	Warn func(error)
	// Prior are the source's units an extractor may continue (see
	// sources.Document.Prior).
	Prior []sources.Prior
}

// ReadResult is one document as ingestion turns it into units.
type ReadResult struct {
	// Format is the extractor format the document was read with.
	Format string
	// ContentType is the media type the location gave, "" if none.
	ContentType string
	// Info is what the extractor reported about the whole document.
	Info sources.DocumentInfo
	// Extracted are the sections as extracted and redacted, before
	// segmentation.
	Extracted []sources.Section
	// Sections are the sections that become units, in order, and IDs the
	// unit id of each.
	Sections []sources.Section
	IDs      []string
	// Redacted counts the personal data replaced in the sections (ticket
	// exports count in Info.Report).
	Redacted redact.Counts
}

// configError marks a problem with the source's settings rather than
// with the document: a run reports it once and skips the source.
type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

// FormatOf returns the format a source reads an item in: the one its key's
// extension names, else the one of the media type its location gives; ""
// when no extractor of the source's kind reads it.
func FormatOf(reg *sources.Registry, spec sources.Spec, loc sources.Location, it sources.Item) string {
	if reg == nil {
		reg = sources.Default
	}
	f := reg.FormatOf(it.Key)
	if f == "" {
		if ct, ok := loc.(sources.ContentTyper); ok {
			f = reg.FormatOfType(ct.ContentType(it))
		}
	}
	if f == "" || !reg.Reads(spec.Kind, f) {
		return ""
	}
	return f
}

// ReadDocument reads one document of a source exactly as a run does
// before making units of it: it opens the item through loc, hands it with
// the location's content type to the extractor of its format (configured
// with the source's extract settings; the extractor applies its size
// limit and refuses empty files), all within the document's time budget,
// then redacts and segments the sections and gives each its unit id.
// `kbops extract` shows its result; ingest stores it.
//
// The error is the document's (unreadable, over a limit or its budget,
// the run cancelled) or, wrapping ErrNoFormat, that the source does not
// read it; the returned error of a document over its budget is a
// *BudgetError.
func ReadDocument(ctx context.Context, loc sources.Location, spec sources.Spec, it sources.Item, o ReadOptions) (ReadResult, error) {
	if o.Registry == nil {
		o.Registry = sources.Default
	}
	if o.Warn == nil {
		o.Warn = func(error) {}
	}
	if o.Budget <= 0 {
		o.Budget, o.BudgetKey = (&config.Config{}).DocumentTimeout(spec)
	}
	res := ReadResult{Format: FormatOf(o.Registry, spec, loc, it)}
	if res.Format == "" {
		return res, fmt.Errorf("%s: %w for a %s source (formats read: %s)", it.Key, ErrNoFormat, spec.Kind, strings.Join(o.Registry.KindFormats(spec.Kind), ", "))
	}
	if ct, ok := loc.(sources.ContentTyper); ok {
		res.ContentType = ct.ContentType(it)
	}
	ex, err := extractorFor(o.Registry, res.Format, spec)
	if err != nil {
		return res, &configError{err}
	}
	red := o.Redactor
	if red == nil && spec.Kind != "tickets" && spec.Redacts() {
		if red, err = redact.New(spec.Redact.Config); err != nil {
			return res, &configError{fmt.Errorf("source %s: %w", spec.Name, err)}
		}
	}
	doc := sources.Document{Item: it, Name: it.Key, ContentType: res.ContentType, Language: spec.Language, Prior: o.Prior}
	secs, info, err := extract(ctx, loc, ex, doc, o.Budget, o.BudgetKey, o.Warn)
	if err != nil {
		return res, err
	}
	res.Info = info
	if red != nil {
		res.Redacted = redact.Counts{}
		secs = redactSections(red, secs, res.Redacted)
	}
	res.Extracted = secs
	if o.Segment != nil {
		secs = o.Segment(secs)
	}
	res.Sections = secs
	res.IDs = unitIDs(spec.Name, it.Key, secs)
	return res, nil
}

// unitIDs gives each section of a document its unit id: source, document
// and heading path, numbered when two sections share a heading path.
func unitIDs(source, key string, secs []sources.Section) []string {
	seen := map[string]int{}
	ids := make([]string, len(secs))
	for i, s := range secs {
		if s.Continues != "" {
			ids[i] = s.Continues
			seen[s.Continues]++
			continue
		}
		ids[i] = knowledge.Disambiguate(seen, knowledge.MakeID(source, key, s.Headings))
	}
	return ids
}
