package sources

import (
	"slices"

	"github.com/kbops/kbops/sources/cfgspec"
)

// A plugin declares the keys it reads under a source's `options:` (a
// location) or `extract:` (an extractor), so that kbops.yaml is checked
// when it is loaded, with the line and key of a mistake, instead of when
// ingestion opens the location, and so that docs/config.md lists them. A
// plugin that declares nothing is not checked at load time: it still
// decodes its settings itself (DecodeOptions, DecodeExtract).

// RegisterLocationOptions declares the keys the location scheme reads
// under `options:`; none (no fields) declares that it reads none.
func (r *Registry) RegisterLocationOptions(scheme string, fields ...cfgspec.Field) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.options == nil {
		r.options = map[string][]cfgspec.Field{}
	}
	r.options[scheme] = slices.Clone(fields)
}

// RegisterExtractOptions declares the keys the format's extractor reads
// under `extract:`; none (no fields) declares that it reads none.
func (r *Registry) RegisterExtractOptions(format string, fields ...cfgspec.Field) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.extract == nil {
		r.extract = map[string][]cfgspec.Field{}
	}
	r.extract[format] = slices.Clone(fields)
}

// LocationOptions returns the keys a scheme declared; ok is false when it
// declared none.
func (r *Registry) LocationOptions(scheme string) (fields []cfgspec.Field, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.options[scheme]
	return slices.Clone(f), ok
}

// ExtractOptions returns the keys a format declared; ok is false when it
// declared none.
func (r *Registry) ExtractOptions(format string) (fields []cfgspec.Field, ok bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	f, ok := r.extract[format]
	return slices.Clone(f), ok
}

// KindExtractOptions returns the `extract:` keys a source of the kind can
// use: those of the kind's formats. ok is false when a format of the kind
// has declared nothing, since its keys are then unknown.
func (r *Registry) KindExtractOptions(kind string) (fields []cfgspec.Field, ok bool) {
	if _, known := Kinds()[kind]; !known {
		return nil, false
	}
	for _, format := range r.KindFormats(kind) {
		fs, ok := r.ExtractOptions(format)
		if !ok {
			return nil, false
		}
		for _, f := range fs {
			if _, dup := cfgspec.Find(fields, f.Key); !dup {
				fields = append(fields, f)
			}
		}
	}
	return fields, true
}
