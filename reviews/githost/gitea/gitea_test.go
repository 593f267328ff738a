package gitea_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/kbops/kbops/reviews/githost"
	"github.com/kbops/kbops/reviews/githost/giteatest"
	"github.com/kbops/kbops/reviews/githost/githosttest"

	_ "github.com/kbops/kbops/reviews/githost/all"
)

var reviewEvents = map[githost.EventKind]string{
	githost.KindApproved:         "APPROVED",
	githost.KindChangesRequested: "REQUEST_CHANGES",
	githost.KindReviewed:         "COMMENT",
}

// TestConformance runs the githost suite against a real Gitea: one server,
// a fresh repository per subtest, owned by one account, written by the bot
// and reviewed by a third.
func TestConformance(t *testing.T) {
	srv := giteatest.Start(t)
	owner := srv.CreateUser(t, "kb-owner", "")
	bot := srv.CreateUser(t, "kbops-bot", "")
	rev := srv.CreateUser(t, "reviewer", "")
	second := srv.CreateUser(t, "second", "")
	as := map[string]giteatest.User{rev.Login: rev, second.Login: second}
	n := 0
	githosttest.Run(t, func(t *testing.T) githosttest.Fixture {
		n++
		repo := srv.CreateRepo(t, owner, "knowledge-"+strconv.Itoa(n))
		srv.AddCollaborator(t, repo, bot, "write")
		srv.AddCollaborator(t, repo, rev, "write")
		srv.AddCollaborator(t, repo, second, "write")
		h, err := githost.Default.Open(context.Background(), githost.Spec{Kind: "gitea", URL: srv.URL, Repo: repo.FullName(), Token: bot.Token})
		if err != nil {
			t.Fatal(err)
		}
		commits := 0
		advance := func(t *testing.T, branch string) string {
			commits++
			return srv.CommitFile(t, bot, repo, branch, "main", fmt.Sprintf("units/u%d.md", commits), fmt.Sprintf("unit %d\n", commits))
		}
		pulls := "/repos/" + repo.FullName() + "/pulls/"
		return githosttest.Fixture{
			Host: h, Bot: bot.Login, Reviewer: rev.Login, Second: second.Login, Merger: owner.Login, Base: "main",
			Branch:  advance,
			Advance: advance,
			WriteFile: func(t *testing.T, branch, path, content string) string {
				return srv.CommitFile(t, bot, repo, branch, "main", path, content)
			},
			Comment: func(t *testing.T, who string, number int, body string) { srv.Comment(t, as[who], repo, number, body) },
			Review: func(t *testing.T, who string, number int, kind githost.EventKind, body, commit string) {
				srv.Review(t, as[who], repo, number, reviewEvents[kind], body, commit)
			},
			DraftReview: func(t *testing.T, who string, number int, body string) func(*testing.T, githost.EventKind) {
				// An event of "" leaves the review pending.
				id := srv.Review(t, as[who], repo, number, "", body, "")
				return func(t *testing.T, kind githost.EventKind) {
					srv.MustDo(t, as[who].Token, http.MethodPost, pulls+strconv.Itoa(number)+"/reviews/"+strconv.FormatInt(id, 10),
						map[string]string{"event": reviewEvents[kind], "body": body}, nil)
				}
			},
			Merge: func(t *testing.T, number int) { srv.Merge(t, owner, repo, number, "merge") },
			Close: func(t *testing.T, number int) {
				srv.MustDo(t, owner.Token, http.MethodPatch, pulls+strconv.Itoa(number), map[string]string{"state": "closed"}, nil)
			},
			Statuses: func(t *testing.T, sha string) map[string]githost.Status {
				out := map[string]githost.Status{}
				for _, s := range srv.Statuses(t, owner, repo, sha) { // newest first
					if _, seen := out[s.Context]; !seen {
						out[s.Context] = githost.Status{Context: s.Context, State: githost.StatusState(s.State), Description: s.Description, TargetURL: s.TargetURL}
					}
				}
				return out
			},
			StatusCount: func(t *testing.T, sha, context string) int {
				n := 0
				for _, s := range srv.Statuses(t, owner, repo, sha) {
					if s.Context == context {
						n++
					}
				}
				return n
			},
		}
	})
}

// TestOpenRefusesCleartextToken: a token goes over https, or plain http
// only to a loopback host.
func TestOpenRefusesCleartextToken(t *testing.T) {
	_, err := githost.Default.Open(context.Background(), githost.Spec{Kind: "gitea", URL: "http://git.example.com", Repo: "o/r", Token: "x"})
	if err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("Open over plain http to a remote host = %v; want a refusal naming https", err)
	}
	for _, u := range []string{"https://git.example.com", "http://127.0.0.1:3000"} {
		if _, err := githost.Default.Open(context.Background(), githost.Spec{Kind: "forgejo", URL: u, Repo: "o/r", Token: "x"}); err != nil {
			t.Errorf("Open(%s) = %v", u, err)
		}
	}
	if _, err := githost.Default.Open(context.Background(), githost.Spec{Kind: "gitea", URL: "https://h", Repo: "no-slash"}); err == nil {
		t.Error("Open accepted repo \"no-slash\"")
	}
	if _, err := githost.Default.Open(context.Background(), githost.Spec{Kind: "gitlab", URL: "https://h", Repo: "o/r"}); err == nil || !strings.Contains(err.Error(), "known: forgejo, gitea") {
		t.Errorf("Open(kind gitlab) = %v; want the known kinds listed", err)
	}
}
