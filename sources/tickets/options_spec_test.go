package tickets

import (
	"testing"

	"github.com/kbops/kbops/sources/cfgspec"
)

// The declared extract settings are Options' keys, and their declared
// defaults are the ones the extractor applies.
func TestExtractFieldsDescribeOptions(t *testing.T) {
	for _, p := range cfgspec.Describes(Options{}, ExtractFields) {
		t.Error(p)
	}
	var want Options
	if err := cfgspec.ApplyDefaults(&want, ExtractFields); err != nil {
		t.Fatal(err)
	}
	got := Options{}.withDefaults()
	if got.Similarity != want.Similarity || got.Window != want.Window || got.MaxRecordBytes != want.MaxRecordBytes {
		t.Errorf("the extractor applies similarity %v, window %d, max_record_bytes %d; the declarations say %v, %d, %d",
			got.Similarity, got.Window, got.MaxRecordBytes, want.Similarity, want.Window, want.MaxRecordBytes)
	}
}
