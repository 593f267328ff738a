package gitea

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"testing"

	"github.com/kbops/kbops/reviews/githost"
)

func sign(secret, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(body))
	return hex.EncodeToString(m.Sum(nil))
}

// TestParseWebhookChecksTheSignatureFirst: only a body signed with the
// secret is read; a signature of another body, of another secret, a
// missing one, one that is not hex, or an empty secret are ErrBadSignature.
func TestParseWebhookChecksTheSignatureFirst(t *testing.T) {
	body := `{"action":"created","is_pull":true,"issue":{"number":7}}`
	hdr := func(event, sig string) http.Header {
		h := http.Header{}
		h.Set("X-Gitea-Event", event)
		if sig != "" {
			h.Set("X-Gitea-Signature", sig)
		}
		return h
	}
	for _, c := range []struct {
		name, secret, sig, body string
	}{
		{"other secret", "s3cret", sign("other", body), body},
		{"other body", "s3cret", sign("s3cret", body+" "), body},
		{"missing", "s3cret", "", body},
		{"not hex", "s3cret", "sha256=" + sign("s3cret", body), body},
		{"empty secret", "", sign("", body), body},
	} {
		if _, err := ParseWebhook(hdr("issue_comment", c.sig), []byte(c.body), []byte(c.secret)); !errors.Is(err, githost.ErrBadSignature) {
			t.Errorf("%s: err %v; want ErrBadSignature", c.name, err)
		}
	}
	for _, c := range []struct {
		event, body string
		kind        githost.HookKind
		number      int
	}{
		{"issue_comment", body, githost.HookEvent, 7},
		{"issue_comment", `{"action":"created","is_pull":false,"issue":{"number":3}}`, githost.HookIgnored, 0},
		{"pull_request_approved", `{"action":"reviewed","number":4}`, githost.HookEvent, 4},
		{"pull_request_rejected", `{"action":"reviewed","number":4}`, githost.HookEvent, 4},
		{"pull_request", `{"action":"closed","number":5,"pull_request":{"number":5,"merged":true}}`, githost.HookMerged, 5},
		{"pull_request", `{"action":"closed","number":5,"pull_request":{"number":5,"merged":false}}`, githost.HookIgnored, 0},
		{"push", `{"ref":"refs/heads/main"}`, githost.HookIgnored, 0},
	} {
		h, err := ParseWebhook(hdr(c.event, sign("s3cret", c.body)), []byte(c.body), []byte("s3cret"))
		if err != nil || h.Kind != c.kind || h.PullRequest != c.number {
			t.Errorf("%s %s: %+v, %v; want %s #%d", c.event, c.body, h, err, c.kind, c.number)
		}
	}
}
