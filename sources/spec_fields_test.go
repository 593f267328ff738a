package sources

import (
	"slices"
	"sort"
	"testing"
)

// The declared kinds are the kinds Kinds knows.
func TestKindNamesAreKinds(t *testing.T) {
	var known []string
	for k := range Kinds() {
		known = append(known, k)
	}
	sort.Strings(known)
	declared := slices.Clone(kindNames())
	sort.Strings(declared)
	if !slices.Equal(known, declared) {
		t.Errorf("SpecFields' kind values %v, Kinds %v", declared, known)
	}
}
