package hostsync

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kbops/kbops/reviews/githost"
	"github.com/kbops/kbops/reviews/githost/gitea"
)

type giteaParser struct{}

func (giteaParser) ParseWebhook(h http.Header, body, secret []byte) (githost.Hook, error) {
	return gitea.ParseWebhook(h, body, secret)
}

// TestWebhookHandler: only a delivery signed with the secret reaches the
// sync or the merge; forged, unsigned, oversized and non-POST deliveries
// are refused with their status and start nothing; refusals are logged.
func TestWebhookHandler(t *testing.T) {
	secret := []byte("s3cret")
	var logs bytes.Buffer
	events, merges := 0, 0
	h := WebhookHandler(giteaParser{}, secret, slog.New(slog.NewJSONHandler(&logs, nil)),
		func(githost.Hook) { events++ }, func(githost.Hook) { merges++ })
	send := func(method, event, sig, body string) int {
		req := httptest.NewRequest(method, WebhookPath, strings.NewReader(body))
		req.Header.Set("X-Gitea-Event", event)
		if sig != "" {
			req.Header.Set("X-Gitea-Signature", sig)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		io.Copy(io.Discard, rec.Body)
		return rec.Code
	}
	sign := func(key []byte, body string) string {
		m := hmac.New(sha256.New, key)
		m.Write([]byte(body))
		return hex.EncodeToString(m.Sum(nil))
	}
	comment := `{"action":"created","is_pull":true,"issue":{"number":1}}`
	merged := `{"action":"closed","number":1,"pull_request":{"number":1,"merged":true}}`
	for _, c := range []struct {
		name, method, event, sig, body string
		code                           int
	}{
		{"forged", http.MethodPost, "issue_comment", sign([]byte("guess"), comment), comment, http.StatusUnauthorized},
		{"unsigned", http.MethodPost, "issue_comment", "", comment, http.StatusUnauthorized},
		{"signature of another body", http.MethodPost, "pull_request", sign(secret, comment), merged, http.StatusUnauthorized},
		{"GET", http.MethodGet, "issue_comment", sign(secret, comment), comment, http.StatusMethodNotAllowed},
		{"oversized", http.MethodPost, "issue_comment", "00", strings.Repeat(" ", maxWebhookBody+1), http.StatusRequestEntityTooLarge},
	} {
		if code := send(c.method, c.event, c.sig, c.body); code != c.code {
			t.Errorf("%s: %d; want %d", c.name, code, c.code)
		}
	}
	if events != 0 || merges != 0 {
		t.Fatalf("refused deliveries started %d syncs and %d merges", events, merges)
	}
	if n := strings.Count(logs.String(), "webhook refused: bad signature"); n != 3 {
		t.Errorf("%d refusals logged; want 3:\n%s", n, logs.String())
	}
	if code := send(http.MethodPost, "issue_comment", sign(secret, comment), comment); code != http.StatusAccepted || events != 1 {
		t.Errorf("signed comment: %d, %d syncs", code, events)
	}
	if code := send(http.MethodPost, "pull_request", sign(secret, merged), merged); code != http.StatusAccepted || merges != 1 {
		t.Errorf("signed merge: %d, %d merges", code, merges)
	}
	if code := send(http.MethodPost, "push", sign(secret, `{}`), `{}`); code != http.StatusOK || events != 1 || merges != 1 {
		t.Errorf("signed push: %d; want 200 and nothing started", code)
	}
}
