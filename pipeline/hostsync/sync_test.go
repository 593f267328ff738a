package hostsync

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/githost"
	"github.com/kbops/kbops/reviews/kbrepo"
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

// TestStrictModeRefusesCommands: in strict mode an approval must be
// signed with the reviewer's key, which a comment cannot carry: the
// command is refused with what to do instead, and nothing is committed.
func TestStrictModeRefusesCommands(t *testing.T) {
	ctx := context.Background()
	r, err := kbrepo.Init(t.TempDir(), "main")
	if err != nil {
		t.Fatal(err)
	}
	u := knowledge.Unit{
		ID: "notes/en/a/grounding", Title: "Grounding", Language: "en", Layer: knowledge.LayerCore,
		Kind: knowledge.KindNote, Product: "vf-200", Tier: knowledge.TierInternal, Owner: "owner@example.com",
		Access: knowledge.AccessCustomer, Status: knowledge.StatusActive, Body: "Connect PE.",
		Effective: knowledge.DateOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Source:    knowledge.Source{Name: "notes", Kind: "notes", URI: "file:///a.md", Document: "en/a.md", FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Hash: "x"},
	}
	u, _ = knowledge.Revise(nil, u)
	b, _ := knowledge.Marshal(u)
	sig, _ := kbrepo.Signature("kbops <kbops@localhost>", time.Now().Add(-time.Hour))
	owners := "technical:\n  vf-200: [ana@example.com]\nstrict: true\naccounts:\n  ana@example.com: ana\n"
	head, err := r.Commit(ctx, kbrepo.CommitOptions{Branch: "kbops/review", Changes: []kbrepo.Change{
		{Path: reviews.OwnersFile, Data: []byte(owners)}, {Path: knowledge.FilePath(u.ID), Data: b},
	}, Message: "ingest", Author: sig})
	if err != nil {
		t.Fatal(err)
	}
	ws := &workspace.Workspace{Root: t.TempDir(), Repo: r, Config: &config.Config{Review: config.Review{Branch: "kbops/review", Main: "main"}}}
	ev := githost.Event{ID: "comment-1", Kind: githost.KindComment, Author: "ana", Body: "/approve technical", At: time.Now()}
	cmd, _ := parseCommand(ev)
	cr := decide(ctx, ws, githost.PullRequest{Number: 1}, ev, cmd, Options{Checks: &reviews.CheckOptions{}, Now: time.Now})
	if len(cr.Recorded) != 0 || !strings.Contains(cr.Answer, "not recorded. OWNERS is in strict mode") || !strings.Contains(cr.Answer, "--sign-key") {
		t.Fatalf("strict mode: %+v", cr)
	}
	if h, _, _ := r.Branch("kbops/review"); h != head {
		t.Fatal("a refused command committed")
	}
}
