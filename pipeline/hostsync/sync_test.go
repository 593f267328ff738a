package hostsync

import (
	"slices"
	"testing"

	"github.com/kbops/kbops/reviews/githost"
)

// TestParseCommand: the first line starting with /approve is the command,
// with its stage and units; other comments, quotes of a command, kbops'
// answers and host reviews are not commands.
func TestParseCommand(t *testing.T) {
	for _, c := range []struct {
		body  string
		kind  githost.EventKind
		ok    bool
		stage string
		units []string
	}{
		{"/approve technical", githost.KindComment, true, "technical", nil},
		{"Looks right.\n\n  /Approve Expression notes/en/a notes/en/b\n/approve consistency", githost.KindComment, true, "expression", []string{"notes/en/a", "notes/en/b"}},
		{"/approve", githost.KindComment, true, "", nil},
		{"> /approve technical\nquoted, not typed", githost.KindComment, false, "", nil},
		{"@ana `/approve technical`: not recorded. …", githost.KindComment, false, "", nil},
		{"please /approve technical", githost.KindComment, false, "", nil},
		{"/approved technical", githost.KindComment, false, "", nil},
		{"/approve technical", githost.KindApproved, false, "", nil},
	} {
		cmd, ok := parseCommand(githost.Event{Kind: c.kind, Body: c.body})
		if ok != c.ok || cmd.stage != c.stage || !slices.Equal(cmd.units, c.units) {
			t.Errorf("parseCommand(%q, %s) = %+v, %v; want stage %q units %q, %v", c.body, c.kind, cmd, ok, c.stage, c.units, c.ok)
		}
	}
}
