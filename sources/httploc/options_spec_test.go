package httploc

import (
	"context"
	"testing"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/sourcetest"
)

// The declared options are Options' keys, and their declared defaults are
// the ones New applies.
func TestOptionFieldsDescribeOptions(t *testing.T) {
	loc, err := New(context.Background(), sources.Spec{Name: "s", Location: sources.Locations{"https://docs.example.com/"}}, sources.Env{})
	if err != nil {
		t.Fatal(err)
	}
	sourcetest.OptionFields(t, OptionFields, loc.(*Location).opts)
}
