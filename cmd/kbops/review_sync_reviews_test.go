package main

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// TestReviewSyncRejectAndHostReviews: `/reject STAGE REASON [UNIT...]`
// records a rejection with the reason, as `kbops review reject` would; the
// host's Approve review decides the first stage that waits for the
// reviewer, a Request changes review rejects it with the review's text;
// a review of a head that content changed since, a stage out of order and
// a rejection without a reason are answered and recorded nowhere; and an
// event read again after the position was lost records nothing twice.
func TestReviewSyncRejectAndHostReviews(t *testing.T) {
	d := startHostDemo(t)
	must(t, d.ws, "ingest", "--push")
	h1 := branchHash(t, d.ws, "kbops/review")
	var pr struct{ Body string }
	d.srv.MustDo(t, d.bot.Token, http.MethodGet, "/repos/"+d.repo.FullName()+"/pulls/1", nil, &pr)
	if !strings.Contains(pr.Body, "## Waiting for\n\n- **technical** (11 units): @ana\n") || !strings.Contains(pr.Body, "| technical | ana.ruiz@example.com (@ana) |") {
		t.Fatalf("the pull request does not mention the technical reviewer:\n%s", pr.Body)
	}

	// Tom's Approve review: his expression stage waits for technical.
	d.srv.Review(t, d.users["tom"], d.repo, 1, "APPROVED", "", "")
	res := must(t, d.ws, "review", "sync")
	if branchHash(t, d.ws, "kbops/review") != h1 {
		t.Fatalf("an Approve review out of stage order was recorded: %s", res)
	}
	if a := d.lastAnswer(t); !strings.HasPrefix(a, "@tom Approve review: not recorded. Nothing waits for a decision by tom.baker@example.com") {
		t.Fatalf("answer to tom's review: %q", a)
	}

	// The content changes after h1: a review of h1 no longer holds.
	time.Sleep(1100 * time.Millisecond)
	note := firstNote(t, d.notes)
	b, _ := os.ReadFile(note)
	writeFile(t, note, append(b, []byte("\n\nA further sentence about the VF-200 that was not there before.\n")...))
	must(t, d.ws, "ingest", "--push")
	h2 := branchHash(t, d.ws, "kbops/review")
	d.srv.Review(t, d.users["ana"], d.repo, 1, "APPROVED", "Checked.", h1)
	res = must(t, d.ws, "review", "sync")
	if branchHash(t, d.ws, "kbops/review") != h2 {
		t.Fatalf("a review of an outdated head was recorded: %s", res)
	}
	if a := d.lastAnswer(t); !strings.HasPrefix(a, "@ana Approve review: not recorded. The review branch changed after the commit this review is of ("+h1[:12]+" → "+h2[:12]) {
		t.Fatalf("answer to the outdated review: %q", a)
	}

	// A rejection by comment, naming one unit; one without a reason.
	snap := loadReview(t, d.ws)
	rejected := snap.IDs()[0]
	d.srv.Comment(t, d.users["ana"], d.repo, 1, "/reject technical The torque value is the M5 one, not M6. "+rejected)
	d.srv.Comment(t, d.users["ana"], d.repo, 1, "/reject technical")
	res = must(t, d.ws, "review", "sync")
	if !strings.Contains(res, "/reject technical The torque value is the M5 one, not M6. "+rejected+": 1 unit recorded as ana.ruiz@example.com") {
		t.Fatalf("sync of the rejection: %s", res)
	}
	snap = loadReview(t, d.ws)
	st := snap.Status(rejected)
	if st.State != reviews.StateRejected || st.Next != reviews.Technical || !strings.HasPrefix(st.Decision.Comment, "The torque value is the M5 one, not M6.\n\nRejected in pull request #1: ") {
		t.Fatalf("status of the rejected unit: %+v (decision %+v)", st, st.Decision)
	}
	answers := d.botComments(t)
	if !strings.HasPrefix(answers[len(answers)-2], "@ana `/reject technical The torque value is the M5 one, not M6. "+rejected+"`: recorded technical rejection by ana.ruiz@example.com for 1 unit(s)") ||
		!strings.HasPrefix(answers[len(answers)-1], "@ana `/reject technical`: not recorded. Name the stage and the reason") {
		t.Fatalf("answers to the rejections: %q", answers[len(answers)-2:])
	}

	// Ana's Approve review of the current head: the technical stage of the
	// other ten, with the review in the trailers.
	id := d.srv.Review(t, d.users["ana"], d.repo, 1, "APPROVED", "Checked against the manual.", "")
	res = must(t, d.ws, "review", "sync")
	if !strings.Contains(res, "by ana: approve review: 10 units recorded as ana.ruiz@example.com") {
		t.Fatalf("sync of ana's Approve review: %s", res)
	}
	if a := d.lastAnswer(t); !strings.HasPrefix(a, "@ana Approve review: recorded technical approval by ana.ruiz@example.com for 10 unit(s)") {
		t.Fatalf("answer to ana's review: %q", a)
	}
	if msg := headMessage(t, d.ws); !strings.Contains(msg, "Kbops-Host-Comment: review-"+itoa(int(id))+" ") || !strings.Contains(msg, "Kbops-Verdict: approved\n") {
		t.Fatalf("decision commit of the review:\n%s", msg)
	}

	// Li's Request changes review: the expression stage of li's units.
	d.srv.Review(t, d.users["li"], d.repo, 1, "REQUEST_CHANGES", "术语不统一：请使用“接地”。", "")
	res = must(t, d.ws, "review", "sync")
	if !regexp.MustCompile(`by li: request-changes review: [1-9][0-9]* units? recorded as li\.wei@example\.com`).MatchString(res) {
		t.Fatalf("sync of li's Request changes review: %s", res)
	}
	if a := d.lastAnswer(t); !strings.HasPrefix(a, "@li Request changes review: recorded expression rejection by li.wei@example.com") {
		t.Fatalf("answer to li's review: %q", a)
	}
	for _, id := range loadReview(t, d.ws).IDs() {
		if s := loadReview(t, d.ws).Status(id); s.State == reviews.StateRejected && s.Next == reviews.Expression && !strings.HasPrefix(s.Decision.Comment, "术语不统一") {
			t.Fatalf("%s rejected without the review's text: %+v", id, s.Decision)
		}
	}

	// The position lost: every event is read again, none recorded twice,
	// no recorded one answered again.
	head := branchHash(t, d.ws, "kbops/review")
	n := len(d.botComments(t))
	if err := os.Remove(filepath.Join(d.ws, ".kbops", "githost-cursors.json")); err != nil {
		t.Fatal(err)
	}
	res = must(t, d.ws, "review", "sync")
	if branchHash(t, d.ws, "kbops/review") != head || strings.Count(res, "refused: already recorded in commit") != 3 {
		t.Fatalf("sync from the start again: %s", res)
	}
	for _, a := range d.botComments(t)[n:] {
		if strings.Contains(a, ": recorded ") {
			t.Fatalf("a recorded event was answered again: %q", a)
		}
	}
}

func (d *hostDemo) botComments(t *testing.T) []string {
	t.Helper()
	var out []string
	for _, c := range d.comments(t) {
		if c.User.Login == d.bot.Login {
			out = append(out, c.Body)
		}
	}
	return out
}

func loadReview(t *testing.T, ws string) *reviews.Snapshot {
	t.Helper()
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	snap, ok, err := reviews.LoadBranch(context.Background(), r, "kbops/review")
	if err != nil || !ok {
		t.Fatalf("review branch: %v %v", ok, err)
	}
	if err := snap.ReadHistory(context.Background()); err != nil {
		t.Fatal(err)
	}
	return snap
}

func headMessage(t *testing.T, ws string) string {
	t.Helper()
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	c, err := r.Git.CommitObject(plumbing.NewHash(branchHash(t, ws, "kbops/review")))
	if err != nil {
		t.Fatal(err)
	}
	return c.Message
}
