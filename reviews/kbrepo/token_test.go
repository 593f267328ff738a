package kbrepo

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	gitconfig "github.com/go-git/go-git/v5/config"

	"github.com/kbops/kbops/sources/gitauth"
)

// authRecorder is a loopback server that records each request's basic
// password and refuses it, as a git host refuses an unknown token.
type authRecorder struct {
	srv       *httptest.Server
	mu        sync.Mutex
	passwords []string
}

func newAuthRecorder(t *testing.T) *authRecorder {
	a := &authRecorder{}
	a.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pw, _ := r.BasicAuth()
		a.mu.Lock()
		a.passwords = append(a.passwords, pw)
		a.mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *authRecorder) saw(pw string) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, p := range a.passwords {
		if p == pw {
			return true
		}
	}
	return false
}

func repoWithBranch(t *testing.T) *Repo {
	t.Helper()
	r, err := Init(t.TempDir(), "main")
	if err != nil {
		t.Fatal(err)
	}
	sig, _ := Signature("T <t@example.com>", time.Now())
	if _, err := r.Commit(context.Background(), CommitOptions{Branch: "kbops/review", Changes: []Change{{Path: "f", Data: []byte("x")}}, Message: "m", Author: sig}); err != nil {
		t.Fatal(err)
	}
	return r
}

// Push and Fetch refuse to send a token over plain http to a host that is
// not loopback, before any traffic, whether git.remote is a URL or the
// name of a remote with such a URL; the error names no token.
func TestTokenNotSentOverPlainHTTP(t *testing.T) {
	ctx := context.Background()
	r := repoWithBranch(t)
	if _, err := r.Git.CreateRemote(&gitconfig.RemoteConfig{Name: "origin", URLs: []string{"http://example.invalid/kb.git"}}); err != nil {
		t.Fatal(err)
	}
	for _, remote := range []string{"http://example.invalid/kb.git", "origin"} {
		err := r.Push(ctx, remote, "kbops/review", "s3cret")
		if !errors.Is(err, gitauth.ErrCleartext) || !strings.Contains(err.Error(), "use an https:// URL") || strings.Contains(err.Error(), "s3cret") {
			t.Errorf("push to %s: %v", remote, err)
		}
		_, _, err = r.Fetch(ctx, remote, "kbops/review", "s3cret")
		if !errors.Is(err, gitauth.ErrCleartext) {
			t.Errorf("fetch from %s: %v", remote, err)
		}
	}
	if got := r.RemoteURL("origin"); got != "http://example.invalid/kb.git" {
		t.Errorf("RemoteURL(origin) = %q", got)
	}
}

// To a loopback http server the token is still sent (tests, local
// proxies); without a token nothing is refused.
func TestTokenSentOverHTTPToLoopback(t *testing.T) {
	ctx := context.Background()
	r := repoWithBranch(t)
	rec := newAuthRecorder(t)
	err := r.Push(ctx, rec.srv.URL+"/kb.git", "kbops/review", "s3cret")
	if err == nil || errors.Is(err, gitauth.ErrCleartext) {
		t.Fatalf("push: %v", err)
	}
	if !rec.saw("s3cret") {
		t.Error("token not sent to a loopback server")
	}
	// Decided without traffic: no token, nothing to refuse or send.
	if auth, err := remoteAuth([]string{"http://example.invalid/kb.git"}, ""); auth != nil || err != nil {
		t.Errorf("no token: %v, %v", auth, err)
	}
	if auth, err := remoteAuth([]string{"/srv/kb.git"}, "s3cret"); auth != nil || err != nil {
		t.Errorf("a path remote gets no basic auth: %v, %v", auth, err)
	}
}
