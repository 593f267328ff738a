// Package gitauth decides where a git token may go. A token is sent only
// over https, or over plain http to a loopback host (a test or a local
// proxy), because plain http shows it to everyone on the path; and the
// workspace token (KBOPS_GIT_TOKEN) is sent only to the host of the
// knowledge repository's remote, because it was issued for that host.
//
// The package is shared by the git source location and the knowledge
// repository's push and fetch, so that both apply the same rules.
package gitauth

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ErrCleartext is wrapped by CheckSend's error for a plain http:// URL to
// a host that is not loopback.
var ErrCleartext = errors.New("a token is never sent over plain http:// except to a loopback host")

// IsHTTP reports whether rawURL is an http:// or https:// URL, the only
// kind a token is sent to (as HTTP basic authentication).
func IsHTTP(rawURL string) bool {
	u, err := url.Parse(rawURL)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// Host returns the host of an http(s) URL as host:port, lower case, with
// the scheme's default port filled in, so that https://Git.example.com and
// https://git.example.com:443 are the same host; "" for anything else
// (ssh, scp-like git@host:path, file paths, unparsable text).
func Host(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// Loopback reports whether the URL's host is localhost, 127.0.0.0/8 or
// ::1. Names other than localhost are not resolved: a name could point
// anywhere by the time the request is made.
func Loopback(rawURL string) bool {
	u, err := url.Parse(rawURL)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// CheckSend returns nil when a token may be sent to rawURL: an https URL,
// or an http URL whose host is loopback. For any other http URL the error
// wraps ErrCleartext and tells the user to use https. URLs of other
// schemes are not checked: no token is sent to them.
func CheckSend(rawURL string) error {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || Loopback(rawURL) {
		return nil
	}
	return fmt.Errorf("%w: %s is plain http; use an https:// URL", ErrCleartext, Redact(rawURL))
}

// HasCredentials reports whether a URL carries a user name or password
// (https://user:token@host/…): a password in any URL, and any user name in
// an http(s) URL, since a token is often given as the user name there. The
// user of ssh://git@host/… is not a secret and is allowed.
func HasCredentials(rawURL string) bool {
	// Read by hand rather than with url.Parse, which fails on some URLs
	// (a bad escape in the password) that still hold a secret.
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return false
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	at := strings.LastIndex(rest, "@")
	if at < 0 {
		return false
	}
	scheme = strings.ToLower(scheme)
	return strings.Contains(rest[:at], ":") || scheme == "http" || scheme == "https"
}

// Redact returns rawURL without user name and password, for messages.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil || u.User == nil {
		return rawURL
	}
	u.User = nil
	return u.String()
}
