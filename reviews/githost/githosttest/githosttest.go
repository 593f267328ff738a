// Package githosttest is the conformance suite every githost.Host passes
// against its real host: Run opens, updates and finds pull requests, reads
// comments and reviews through a cursor, sets commit statuses, posts and
// reads line comments and reads the merge state, with a second account
// acting as the reviewer.
package githosttest

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kbops/kbops/reviews/githost"
)

// Fixture is one fresh repository on a real host, made for one subtest.
// Host acts as the bot account kbops runs as; the other functions act
// through the host's own API, as the people around kbops would.
type Fixture struct {
	Host     githost.Host
	Bot      string // host login of Host's account
	Reviewer string // host login of a second account with write access
	Second   string // host login of a third account with write access
	Merger   string // host login Merge acts as
	Base     string // an existing branch, e.g. main

	// Branch creates branch from Base with one more commit; returns its head.
	Branch func(t *testing.T, branch string) string
	// Advance adds a commit to branch; returns the new head.
	Advance func(t *testing.T, branch string) string
	// WriteFile commits path with content on branch (which exists);
	// returns the new head.
	WriteFile func(t *testing.T, branch, path, content string) string
	// Comment posts a conversation comment as who (Reviewer or Second).
	Comment func(t *testing.T, who string, number int, body string)
	// Review submits a review as who on commit ("" = the head): kind is
	// KindApproved, KindChangesRequested or KindReviewed.
	Review func(t *testing.T, who string, number int, kind githost.EventKind, body, commit string)
	// DraftReview starts a review as who without submitting it and
	// returns the function that submits it.
	DraftReview func(t *testing.T, who string, number int, body string) (submit func(t *testing.T, kind githost.EventKind))
	// Merge merges the pull request with a merge commit, as Merger.
	Merge func(t *testing.T, number int)
	// Close closes the pull request without merging.
	Close func(t *testing.T, number int)
	// Statuses returns the newest status of each context on sha.
	Statuses func(t *testing.T, sha string) map[string]githost.Status
	// StatusCount returns how many statuses of context the host keeps on sha.
	StatusCount func(t *testing.T, sha, context string) int
}

// Factory makes a fresh Fixture for each subtest.
type Factory func(t *testing.T) Fixture

// Run runs the suite.
func Run(t *testing.T, factory Factory) {
	ctx := context.Background()

	t.Run("OpenUpdateIdempotent", func(t *testing.T) {
		f := factory(t)
		head := f.Branch(t, "kbops/review")
		if _, ok, err := f.Host.FindPullRequest(ctx, "kbops/review", f.Base); err != nil || ok {
			t.Fatalf("FindPullRequest before opening = %v, %v; want none", ok, err)
		}
		spec := githost.PullRequestSpec{Head: "kbops/review", Base: f.Base, Title: "Review 2026-01-02: 3 units", Body: "## Changes\n\n- a\n- b\n"}
		pr, ch, err := f.Host.EnsurePullRequest(ctx, spec)
		if err != nil {
			t.Fatal(err)
		}
		if ch != githost.Opened || pr.Number <= 0 || pr.URL == "" || pr.State != githost.Open {
			t.Fatalf("first EnsurePullRequest = %+v, %v; want an open pull request, Opened", pr, ch)
		}
		if pr.Head != "kbops/review" || pr.Base != f.Base || pr.HeadSHA != head || pr.Title != spec.Title {
			t.Fatalf("opened %+v; want head kbops/review at %s, base %s, title %q", pr, head, f.Base, spec.Title)
		}
		again, ch, err := f.Host.EnsurePullRequest(ctx, spec)
		if err != nil || ch != githost.Unchanged || again.Number != pr.Number {
			t.Fatalf("same spec again = #%d, %v, %v; want #%d Unchanged", again.Number, ch, err, pr.Number)
		}
		found, ok, err := f.Host.FindPullRequest(ctx, "kbops/review", f.Base)
		if err != nil || !ok || found.Number != pr.Number {
			t.Fatalf("FindPullRequest = #%d, %v, %v; want #%d", found.Number, ok, err, pr.Number)
		}
		spec.Title, spec.Body = "Review 2026-01-03: 4 units", "## Changes\n\n- a\n- b\n- c\n"
		upd, ch, err := f.Host.EnsurePullRequest(ctx, spec)
		if err != nil || ch != githost.Updated || upd.Number != pr.Number {
			t.Fatalf("new body = #%d, %v, %v; want #%d Updated", upd.Number, ch, err, pr.Number)
		}
		got, err := f.Host.PullRequest(ctx, pr.Number)
		if err != nil {
			t.Fatal(err)
		}
		if got.Title != spec.Title || strings.TrimSpace(got.Body) != strings.TrimSpace(spec.Body) {
			t.Fatalf("after update the host shows %q / %q; want %q / %q", got.Title, got.Body, spec.Title, spec.Body)
		}
		if _, ch, err := f.Host.EnsurePullRequest(ctx, spec); err != nil || ch != githost.Unchanged {
			t.Fatalf("updated spec again = %v, %v; want Unchanged", ch, err)
		}
		// Another head is another pull request.
		f.Branch(t, "other")
		if _, ok, err := f.Host.FindPullRequest(ctx, "other", f.Base); err != nil || ok {
			t.Fatalf("FindPullRequest(other) = %v, %v; want none", ok, err)
		}
	})

	t.Run("HeadMoves", func(t *testing.T) {
		f := factory(t)
		f.Branch(t, "kbops/review")
		pr, _, err := f.Host.EnsurePullRequest(ctx, githost.PullRequestSpec{Head: "kbops/review", Base: f.Base, Title: "t", Body: "b"})
		if err != nil {
			t.Fatal(err)
		}
		head := f.Advance(t, "kbops/review")
		got, err := f.Host.PullRequest(ctx, pr.Number)
		if err != nil {
			t.Fatal(err)
		}
		if got.HeadSHA != head {
			t.Fatalf("after a push the head is %s; want %s", got.HeadSHA, head)
		}
	})

	t.Run("EventsCursor", func(t *testing.T) {
		f := factory(t)
		first := f.Branch(t, "kbops/review")
		pr, _, err := f.Host.EnsurePullRequest(ctx, githost.PullRequestSpec{Head: "kbops/review", Base: f.Base, Title: "t", Body: "b"})
		if err != nil {
			t.Fatal(err)
		}
		evs, cur, err := f.Host.Events(ctx, pr.Number, "")
		if err != nil || len(evs) != 0 {
			t.Fatalf("events of a new pull request = %+v, %v; want none", evs, err)
		}
		mine, err := f.Host.Comment(ctx, pr.Number, "kbops: report")
		if err != nil {
			t.Fatal(err)
		}
		if mine.Kind != githost.KindComment || mine.Author != f.Bot || mine.ID == "" || mine.URL == "" {
			t.Fatalf("Comment returned %+v; want a comment by %s with id and URL", mine, f.Bot)
		}
		f.Comment(t, f.Reviewer, pr.Number, "/approve technical")
		f.Review(t, f.Reviewer, pr.Number, githost.KindApproved, "looks right", "")
		second := f.Advance(t, "kbops/review")
		f.Review(t, f.Reviewer, pr.Number, githost.KindChangesRequested, "wrong torque", "")
		f.Review(t, f.Reviewer, pr.Number, githost.KindApproved, "old head", first)
		// A newer review by the same reviewer does not hide the older one
		// (Gitea marks it dismissed): every review is an event.

		evs, cur2, err := f.Host.Events(ctx, pr.Number, cur)
		if err != nil {
			t.Fatal(err)
		}
		want := []struct {
			kind   githost.EventKind
			author string
			body   string
			commit string
		}{
			{githost.KindComment, f.Bot, "kbops: report", ""},
			{githost.KindComment, f.Reviewer, "/approve technical", ""},
			{githost.KindApproved, f.Reviewer, "looks right", first},
			{githost.KindChangesRequested, f.Reviewer, "wrong torque", second},
			{githost.KindApproved, f.Reviewer, "old head", first},
		}
		if len(evs) != len(want) {
			t.Fatalf("got %d events %+v; want %d", len(evs), evs, len(want))
		}
		ids := map[string]bool{}
		for i, w := range want {
			e := evs[i]
			if e.Kind != w.kind || e.Author != w.author || strings.TrimSpace(e.Body) != w.body || e.CommitSHA != w.commit {
				t.Errorf("event %d = %+v; want %s by %s %q on %q", i, e, w.kind, w.author, w.body, w.commit)
			}
			if e.ID == "" || ids[e.ID] || e.At.IsZero() {
				t.Errorf("event %d has id %q (seen: %v) and time %v; want a new id and a time", i, e.ID, ids[e.ID], e.At)
			}
			ids[e.ID] = true
		}
		if evs, _, err := f.Host.Events(ctx, pr.Number, cur2); err != nil || len(evs) != 0 {
			t.Fatalf("events after the last cursor = %+v, %v; want none", evs, err)
		}
		f.Comment(t, f.Reviewer, pr.Number, "/reject expression unclear")
		evs, _, err = f.Host.Events(ctx, pr.Number, cur2)
		if err != nil || len(evs) != 1 || evs[0].Body != "/reject expression unclear" {
			t.Fatalf("events after one more comment = %+v, %v; want just it", evs, err)
		}
	})

	t.Run("DraftReviewCountsWhenSubmitted", func(t *testing.T) {
		f := factory(t)
		f.Branch(t, "kbops/review")
		pr, _, err := f.Host.EnsurePullRequest(ctx, githost.PullRequestSpec{Head: "kbops/review", Base: f.Base, Title: "t", Body: "b"})
		if err != nil {
			t.Fatal(err)
		}
		submit := f.DraftReview(t, f.Reviewer, pr.Number, "draft")
		f.Comment(t, f.Second, pr.Number, "later comment")
		f.Review(t, f.Second, pr.Number, githost.KindReviewed, "a later review", "")
		evs, cur, err := f.Host.Events(ctx, pr.Number, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[0].Kind != githost.KindComment || evs[1].Kind != githost.KindReviewed {
			t.Fatalf("events with a draft review = %+v; want the comment and the later review only", evs)
		}
		submit(t, githost.KindApproved)
		evs, _, err = f.Host.Events(ctx, pr.Number, cur)
		if err != nil || len(evs) != 1 || evs[0].Kind != githost.KindApproved || evs[0].Author != f.Reviewer {
			t.Fatalf("events after submitting the draft = %+v, %v; want its approval", evs, err)
		}
	})

	t.Run("Status", func(t *testing.T) {
		f := factory(t)
		head := f.Branch(t, "kbops/review")
		set := func(s githost.Status, wantChanged bool) {
			t.Helper()
			changed, err := f.Host.SetStatus(ctx, head, s)
			if err != nil {
				t.Fatal(err)
			}
			if changed != wantChanged {
				t.Fatalf("SetStatus(%+v) changed = %v; want %v", s, changed, wantChanged)
			}
		}
		pending := githost.Status{Context: "kbops/verify", State: githost.StatusPending, Description: "3 units wait for technical review"}
		set(pending, true)
		if got := f.Statuses(t, head)["kbops/verify"]; got.State != githost.StatusPending || got.Description != "3 units wait for technical review" {
			t.Fatalf("status after pending = %+v", got)
		}
		// The same verdict again posts nothing.
		set(pending, false)
		if n := f.StatusCount(t, head, "kbops/verify"); n != 1 {
			t.Fatalf("after setting the same status twice the host keeps %d; want 1", n)
		}
		// Another context does not hide this one's newest.
		set(githost.Status{Context: "other/ci", State: githost.StatusFailure, Description: "red"}, true)
		set(pending, false)
		set(githost.Status{Context: "kbops/verify", State: githost.StatusSuccess, Description: "all stages approved"}, true)
		if got := f.Statuses(t, head)["kbops/verify"]; got.State != githost.StatusSuccess {
			t.Fatalf("status after success = %+v; want success", got)
		}
		// Back to an earlier verdict is a change.
		set(pending, true)
		if n := f.StatusCount(t, head, "kbops/verify"); n != 3 {
			t.Fatalf("host keeps %d statuses of kbops/verify; want 3", n)
		}
		if _, err := f.Host.SetStatus(ctx, head, githost.Status{Context: "kbops/verify", State: "green"}); err == nil {
			t.Fatal("SetStatus accepted the state \"green\"")
		}
	})

	t.Run("MergeState", func(t *testing.T) {
		f := factory(t)
		f.Branch(t, "kbops/review")
		pr, _, err := f.Host.EnsurePullRequest(ctx, githost.PullRequestSpec{Head: "kbops/review", Base: f.Base, Title: "t", Body: "b"})
		if err != nil {
			t.Fatal(err)
		}
		if pr.Merge != nil {
			t.Fatalf("an open pull request has merge info %+v", pr.Merge)
		}
		f.Merge(t, pr.Number)
		got, err := f.Host.PullRequest(ctx, pr.Number)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != githost.Merged || got.Merge == nil || got.Merge.Commit == "" || got.Merge.By != f.Merger || got.Merge.At.IsZero() {
			t.Fatalf("after merge = %+v (merge %+v); want merged by %s with a commit and a time", got, got.Merge, f.Merger)
		}
		if _, ok, err := f.Host.FindPullRequest(ctx, "kbops/review", f.Base); err != nil || ok {
			t.Fatalf("FindPullRequest after merge = %v, %v; want none open", ok, err)
		}
	})

	t.Run("Closed", func(t *testing.T) {
		f := factory(t)
		f.Branch(t, "kbops/review")
		pr, _, err := f.Host.EnsurePullRequest(ctx, githost.PullRequestSpec{Head: "kbops/review", Base: f.Base, Title: "t", Body: "b"})
		if err != nil {
			t.Fatal(err)
		}
		f.Close(t, pr.Number)
		got, err := f.Host.PullRequest(ctx, pr.Number)
		if err != nil || got.State != githost.Closed || got.Merge != nil {
			t.Fatalf("after close = %+v, %v; want closed, not merged", got, err)
		}
		if _, ok, err := f.Host.FindPullRequest(ctx, "kbops/review", f.Base); err != nil || ok {
			t.Fatalf("FindPullRequest after close = %v, %v; want none open", ok, err)
		}
		// A closed one is not reopened: kbops opens a new pull request.
		f.Advance(t, "kbops/review")
		again, ch, err := f.Host.EnsurePullRequest(ctx, githost.PullRequestSpec{Head: "kbops/review", Base: f.Base, Title: "t", Body: "b"})
		if err != nil || ch != githost.Opened || again.Number == pr.Number {
			t.Fatalf("EnsurePullRequest after close = #%d, %v, %v; want a new one", again.Number, ch, err)
		}
	})

	t.Run("LineComments", func(t *testing.T) {
		f := factory(t)
		f.Branch(t, "kbops/review")
		head := f.WriteFile(t, "kbops/review", "units/notes/a.md", "---\ntitle: A\n---\n\nFirst line.\nSecond line.\n")
		pr, _, err := f.Host.EnsurePullRequest(ctx, githost.PullRequestSpec{Head: "kbops/review", Base: f.Base, Title: "Review"})
		if err != nil {
			t.Fatal(err)
		}
		if cs, err := f.Host.LineComments(ctx, pr.Number); err != nil || len(cs) != 0 {
			t.Fatalf("LineComments of a new pull request = %+v, %v; want none", cs, err)
		}
		if err := f.Host.CommentLines(ctx, pr.Number, head, "two findings", nil); err != nil {
			t.Fatalf("CommentLines with no comments: %v", err)
		}
		want := []githost.LineComment{
			{Path: "units/notes/a.md", Line: 5, Body: "**blocking** `personal-data`: an e-mail address"},
			{Path: "units/notes/a.md", Line: 6, Body: "advice `length`: short"},
		}
		if err := f.Host.CommentLines(ctx, pr.Number, head, "two findings", want); err != nil {
			t.Fatal(err)
		}
		got, err := f.Host.LineComments(ctx, pr.Number)
		if err != nil || len(got) != len(want) {
			t.Fatalf("LineComments = %+v, %v; want %d", got, err, len(want))
		}
		for i := range want {
			if g := got[i]; g.Path != want[i].Path || g.Line != want[i].Line || strings.TrimSpace(g.Body) != want[i].Body || g.Author != f.Bot {
				t.Errorf("line comment %d = %+v; want %+v by %s", i, g, want[i], f.Bot)
			}
		}
		if err := f.Host.CommentLines(ctx, pr.Number, head, "bad", []githost.LineComment{{Path: "units/notes/a.md"}}); err == nil {
			t.Error("a line comment without a line was posted")
		}
	})

	t.Run("NotFound", func(t *testing.T) {
		f := factory(t)
		_, err := f.Host.PullRequest(ctx, 99999)
		if !errors.Is(err, githost.ErrNotFound) {
			t.Fatalf("PullRequest(99999) = %v; want an error wrapping ErrNotFound", err)
		}
	})
}
