package gitea

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/kbops/kbops/reviews/githost"
)

// Gitea's webhook headers. Forgejo sends the same (and X-Forgejo-*).
const (
	headerSignature = "X-Gitea-Signature"
	headerEvent     = "X-Gitea-Event"
	headerDelivery  = "X-Gitea-Delivery"
)

// ParseWebhook implements githost.WebhookParser. X-Gitea-Signature is the
// hex HMAC-SHA256 of the body with the webhook's secret; it is compared in
// constant time before the body is parsed. Events: issue_comment on a pull
// request and the review events (pull_request_approved, _rejected,
// _comment) are HookEvent; pull_request with action closed on a merged
// pull request is HookMerged; anything else is HookIgnored.
func (h *Host) ParseWebhook(header http.Header, body []byte, secret []byte) (githost.Hook, error) {
	return ParseWebhook(header, body, secret)
}

// ParseWebhook is Host.ParseWebhook without a host.
func ParseWebhook(header http.Header, body []byte, secret []byte) (githost.Hook, error) {
	if len(secret) == 0 {
		return githost.Hook{}, fmt.Errorf("gitea webhook: no secret configured: %w", githost.ErrBadSignature)
	}
	got, err := hex.DecodeString(strings.TrimSpace(header.Get(headerSignature)))
	if err != nil || len(got) == 0 {
		return githost.Hook{}, fmt.Errorf("gitea webhook: %s missing or not hex: %w", headerSignature, githost.ErrBadSignature)
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return githost.Hook{}, fmt.Errorf("gitea webhook: %s does not match the body: %w", headerSignature, githost.ErrBadSignature)
	}
	hook := githost.Hook{Kind: githost.HookIgnored, Delivery: header.Get(headerDelivery), Event: header.Get(headerEvent)}
	var p struct {
		Action string `json:"action"`
		Number int    `json:"number"`
		IsPull bool   `json:"is_pull"`
		Issue  *struct {
			Number int `json:"number"`
		} `json:"issue"`
		PullRequest *struct {
			Number int  `json:"number"`
			Merged bool `json:"merged"`
		} `json:"pull_request"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		return hook, fmt.Errorf("gitea webhook %s (%s): the body is not JSON: %w", hook.Event, hook.Delivery, err)
	}
	switch hook.Event {
	case "issue_comment":
		if p.IsPull && p.Issue != nil {
			hook.Kind, hook.PullRequest = githost.HookEvent, p.Issue.Number
		}
	case "pull_request_approved", "pull_request_rejected", "pull_request_comment":
		hook.Kind, hook.PullRequest = githost.HookEvent, p.Number
	case "pull_request":
		if p.Action == "closed" && p.PullRequest != nil && p.PullRequest.Merged {
			hook.Kind, hook.PullRequest = githost.HookMerged, p.Number
		}
	}
	return hook, nil
}

var _ githost.WebhookParser = (*Host)(nil)
