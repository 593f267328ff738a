package config

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/kbops/kbops/sources/gitauth"
)

// GitHost is git.host: the git host the knowledge repository lives on,
// where `kbops ingest --push` opens the review branch's pull request. The
// zero value (no kind) means no host: the branch is only pushed.
type GitHost struct {
	// Kind is a registered host kind: gitea or forgejo.
	Kind string `yaml:"kind"`
	// URL is the host's base address, e.g. https://git.example.com.
	URL string `yaml:"url"`
	// Repo is the repository as owner/name.
	Repo string `yaml:"repo"`
	// TokenEnv names the environment variable holding the API token
	// (default KBOPS_GIT_TOKEN, which is then sent only when URL is on
	// git.remote's host).
	TokenEnv string `yaml:"token_env"`
	// WebhookSecretEnv names the environment variable holding the secret
	// the host signs its webhook deliveries with; empty: kbops serve
	// receives no webhooks.
	WebhookSecretEnv string `yaml:"webhook_secret_env"`
}

// Enabled reports whether a host is configured.
func (h GitHost) Enabled() bool { return h.Kind != "" }

// TokenVar is the variable the API token is read from.
func (h GitHost) TokenVar() string {
	if h.TokenEnv != "" {
		return h.TokenEnv
	}
	return EnvGitToken
}

// check returns the key and message of git.host's first problem.
func (h GitHost) check() (key, msg string) {
	if h == (GitHost{}) {
		return "", ""
	}
	if h.Kind == "" {
		return "kind", "git.host needs a kind (gitea or forgejo)"
	}
	if gitauth.HasCredentials(h.URL) {
		return "url", credentialsMsg + "; the API token comes from the variable token_env names (default " + EnvGitToken + ")"
	}
	u, err := url.Parse(h.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "url", fmt.Sprintf("%q is not the host's http(s) address such as https://git.example.com", h.URL)
	}
	if o, n, ok := strings.Cut(h.Repo, "/"); !ok || o == "" || n == "" || strings.Contains(n, "/") {
		return "repo", fmt.Sprintf("%q is not owner/name", h.Repo)
	}
	return "", ""
}
