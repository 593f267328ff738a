package sourcetest

import (
	"testing"

	"github.com/kbops/kbops/sources/cfgspec"
)

// OptionFields checks a plugin's declared options against its options
// struct T: the declarations and T's keys are the same (cfgspec.Describes),
// and applied, the options the plugin's constructor made from a spec
// without settings, holds exactly the defaults the declarations give, so
// that docs/config.md states the defaults the code applies.
func OptionFields[T comparable](t *testing.T, fields []cfgspec.Field, applied T) {
	t.Helper()
	var zero T
	for _, p := range cfgspec.Describes(zero, fields) {
		t.Error(p)
	}
	var want T
	if err := cfgspec.ApplyDefaults(&want, fields); err != nil {
		t.Fatal(err)
	}
	if applied != want {
		t.Errorf("the constructor applies %+v, the declarations say %+v", applied, want)
	}
}
