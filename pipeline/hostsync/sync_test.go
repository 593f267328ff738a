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

// TestParseCommand: the first line starting with /approve or /reject is
// the command, with its stage and the words after it; other comments,
// quotes of a command and kbops' answers are not commands. An Approve or
// Request changes review always is one; a line in its text may name the
// stage, and one saying the opposite is a conflict.
func TestParseCommand(t *testing.T) {
	for _, c := range []struct {
		body     string
		kind     githost.EventKind
		ok       bool
		verdict  reviews.Verdict
		stage    string
		args     []string
		conflict bool
	}{
		{"/approve technical", githost.KindComment, true, reviews.Approved, "technical", nil, false},
		{"Looks right.\n\n  /Approve Expression notes/en/a notes/en/b\n/approve consistency", githost.KindComment, true, reviews.Approved, "expression", []string{"notes/en/a", "notes/en/b"}, false},
		{"/approve", githost.KindComment, true, reviews.Approved, "", nil, false},
		{"/reject technical wrong torque notes/en/a", githost.KindComment, true, reviews.Rejected, "technical", []string{"wrong", "torque", "notes/en/a"}, false},
		{"> /approve technical\nquoted, not typed", githost.KindComment, false, "", "", nil, false},
		{"@ana `/approve technical`: not recorded. …", githost.KindComment, false, "", "", nil, false},
		{"please /approve technical", githost.KindComment, false, "", "", nil, false},
		{"/approved technical", githost.KindComment, false, "", "", nil, false},
		{"Fine.", githost.KindReviewed, false, "", "", nil, false},
		{"/approve expression", githost.KindReviewed, true, reviews.Approved, "expression", nil, false},
		{"", githost.KindApproved, true, reviews.Approved, "", nil, false},
		{"Checked.\n/approve technical", githost.KindApproved, true, reviews.Approved, "technical", nil, false},
		{"The torque is wrong.", githost.KindChangesRequested, true, reviews.Rejected, "", nil, false},
		{"/approve technical", githost.KindChangesRequested, true, reviews.Rejected, "technical", nil, true},
	} {
		cmd, ok := parseCommand(githost.Event{Kind: c.kind, Body: c.body})
		if ok != c.ok || cmd.verdict != c.verdict || cmd.stage != c.stage || !slices.Equal(cmd.args, c.args) || (cmd.conflict != "") != c.conflict {
			t.Errorf("parseCommand(%q, %s) = %+v, %v; want %s stage %q args %q conflict %v, %v", c.body, c.kind, cmd, ok, c.verdict, c.stage, c.args, c.conflict, c.ok)
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
	if len(cr.Recorded) != 0 || !strings.Contains(cr.Answer, "not recorded. OWNERS is in strict mode") || !strings.Contains(cr.Answer, "kbops review approve --stage technical --sign-key") {
		t.Fatalf("strict mode: %+v", cr)
	}
	if h, _, _ := r.Branch("kbops/review"); h != head {
		t.Fatal("a refused command committed")
	}
}
