package sources_test

import (
	"errors"
	"testing"

	"github.com/kbops/kbops/sources"
)

// TestValidateNamesTheKey: the configuration loader finds the key of a
// bad source setting with errors.As, not by cutting the message.
func TestValidateNamesTheKey(t *testing.T) {
	for _, c := range []struct {
		spec sources.Spec
		key  string
	}{
		{sources.Spec{Kind: "notes", Location: []string{"n/"}, Owner: "a@example.com"}, "name"},
		{sources.Spec{Name: "n", Kind: "wiki", Location: []string{"n/"}, Owner: "a@example.com"}, "kind"},
		{sources.Spec{Name: "n", Kind: "notes", Location: []string{"n/"}}, "owner"},
		{sources.Spec{Name: "n", Kind: "tickets", Location: []string{"t.csv"}, Owner: "a@example.com", Redact: sources.Redaction{Mode: sources.RedactOff}}, "redact"},
	} {
		var fe *sources.FieldError
		err := c.spec.Validate()
		if !errors.As(err, &fe) || fe.Key != c.key || fe.Msg == "" || fe.Error() != c.key+": "+fe.Msg {
			t.Errorf("%+v: %v (%#v)", c.spec, err, fe)
		}
	}
}
