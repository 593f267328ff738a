package httploc

import (
	"context"
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/cfgspec"
)

// The declared options are Options' keys, and their declared defaults are
// the ones New applies.
func TestOptionFieldsDescribeOptions(t *testing.T) {
	for _, p := range cfgspec.Describes(Options{}, OptionFields) {
		t.Error(p)
	}
	var want Options
	if err := cfgspec.ApplyDefaults(&want, OptionFields); err != nil {
		t.Fatal(err)
	}
	loc, err := New(context.Background(), sources.Spec{Name: "s", Location: sources.Locations{"https://docs.example.com/"}}, sources.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if got := loc.(*Location).opts; got != want {
		t.Errorf("New applies %+v, the declarations say %+v", got, want)
	}
}
