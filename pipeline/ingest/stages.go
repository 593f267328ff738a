package ingest

import (
	"github.com/kbops/kbops/knowledge/text/lang"
	"github.com/kbops/kbops/knowledge/text/segment"
	"github.com/kbops/kbops/sources"
)

// WithStages sets the stages an ingestion run uses that o leaves unset:
// segmentation to retrieval-sized units (segment.Split with its default
// sizes) and language detection (lang.Detect). `kbops ingest` and serve's
// ingest jobs both run with them, so a scheduled run makes the units a
// manual one makes.
func WithStages(o Options) Options {
	if o.Segment == nil {
		o.Segment = func(secs []sources.Section) []sources.Section { return segment.Split(secs, segment.Options{}) }
	}
	if o.Detect == nil {
		o.Detect = lang.Detect
	}
	return o
}
