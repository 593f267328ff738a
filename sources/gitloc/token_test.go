package gitloc

import (
	"context"
	"encoding/pem"
	"errors"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/gitauth"
)

// gitServer serves the fixture's bare repository over git smart http
// (git http-backend) and records the Authorization header of every
// request. With want set, requests without exactly that basic password
// get 401, as a private repository would answer.
type gitServer struct {
	srv  *httptest.Server
	want string

	mu    sync.Mutex
	auths []string
}

func newGitServer(t *testing.T, f *fixture, tls bool, want string) *gitServer {
	t.Helper()
	bin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("git is not installed; the smart-http test server runs git http-backend")
	}
	backend := &cgi.Handler{Path: bin, Args: []string{"http-backend"}, Env: []string{
		"GIT_PROJECT_ROOT=" + filepath.Dir(f.remote), "GIT_HTTP_EXPORT_ALL=1",
	}}
	s := &gitServer{want: want}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auths = append(s.auths, r.Header.Get("Authorization"))
		s.mu.Unlock()
		if s.want != "" {
			if _, pw, ok := r.BasicAuth(); !ok || pw != s.want {
				w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
				http.Error(w, "authentication required", http.StatusUnauthorized)
				return
			}
		}
		backend.ServeHTTP(w, r)
	})
	if tls {
		s.srv = httptest.NewTLSServer(h)
	} else {
		s.srv = httptest.NewServer(h)
	}
	t.Cleanup(s.srv.Close)
	return s
}

// url is the repository's URL on the server, with host given as
// "127.0.0.1" or "localhost" (the same server under two host names).
func (s *gitServer) url(host string) string {
	u := strings.Replace(s.srv.URL, "127.0.0.1", host, 1)
	return u + "/remote.git"
}

// caPEM is the server's certificate for the client to trust.
func (s *gitServer) caPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.srv.Certificate().Raw})
}

func (s *gitServer) sawToken(tok string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range s.auths {
		r := &http.Request{Header: http.Header{"Authorization": {a}}}
		if _, pw, ok := r.BasicAuth(); ok && pw == tok {
			return true
		}
	}
	return false
}

func (s *gitServer) requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.auths)
}

func openGit(t *testing.T, f *fixture, url, opts string, env sources.Env, ca []byte) (sources.Location, error) {
	t.Helper()
	spec := sources.Spec{Name: "vendor", Kind: "manuals", Location: sources.Locations{url}, Owner: "o"}
	if opts != "" {
		spec.Options = yamlNode(t, opts)
	}
	env.Cache = f.cache
	loc, err := New(context.Background(), spec, env)
	if err == nil {
		loc.(*Location).caBundle = ca
	}
	return loc, err
}

// The workspace token goes to git.remote's host and nowhere else: a
// source on another host (here the same loopback server under another
// name, so that it is a different host:port to kbops) gets no token.
func TestWorkspaceTokenOnlyToGitRemoteHost(t *testing.T) {
	f := newFixture(t)
	f.Put(t, "a.md", []byte("# A"))
	t.Setenv(TokenEnv, "workspace-secret")
	srv := newGitServer(t, f, false, "")

	other := t.TempDir()
	f.cache = other
	loc, err := openGit(t, f, srv.url("localhost"), "", sources.Env{GitRemote: srv.url("127.0.0.1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if items := mustList(t, loc); len(items) != 1 {
		t.Fatalf("items %+v", items)
	}
	if srv.sawToken("workspace-secret") {
		t.Fatal("KBOPS_GIT_TOKEN was sent to a host that is not git.remote's")
	}
	if srv.requests() == 0 {
		t.Fatal("the server saw no request")
	}

	// No git.remote at all: no token either.
	f.cache = t.TempDir()
	loc, err = openGit(t, f, srv.url("localhost"), "", sources.Env{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustList(t, loc)
	if srv.sawToken("workspace-secret") {
		t.Fatal("KBOPS_GIT_TOKEN was sent although git.remote is not set")
	}
}

// Over https to git.remote's host the token is sent, and a private
// repository (401 without it) is cloned and fetched.
func TestWorkspaceTokenSentToGitRemoteHostOverHTTPS(t *testing.T) {
	f := newFixture(t)
	f.Put(t, "a.md", []byte("# A"))
	t.Setenv(TokenEnv, "workspace-secret")
	srv := newGitServer(t, f, true, "workspace-secret")
	remote := srv.url("127.0.0.1")
	if !strings.HasPrefix(remote, "https://") {
		t.Fatalf("server URL %s", remote)
	}
	// git.remote and the source share host:port; the paths differ.
	gitRemote := strings.TrimSuffix(remote, "/remote.git") + "/knowledge.git"
	loc, err := openGit(t, f, remote, "", sources.Env{GitRemote: gitRemote}, srv.caPEM())
	if err != nil {
		t.Fatal(err)
	}
	if items := mustList(t, loc); len(items) != 1 || items[0].Key != "a.md" {
		t.Fatalf("items %+v", items)
	}
	f.Put(t, "b.md", []byte("# B"))
	loc, _ = openGit(t, f, remote, "", sources.Env{GitRemote: gitRemote}, srv.caPEM())
	if items := mustList(t, loc); len(items) != 2 {
		t.Fatalf("after fetch: %+v", items)
	}
	if !srv.sawToken("workspace-secret") {
		t.Fatal("token not sent to git.remote's host")
	}
}

// A source on another host opts in by naming its own variable; it gets
// that token, never the workspace's.
func TestTokenEnvNamesTheSourcesOwnToken(t *testing.T) {
	f := newFixture(t)
	f.Put(t, "a.md", []byte("# A"))
	t.Setenv(TokenEnv, "workspace-secret")
	t.Setenv("VENDOR_GIT_TOKEN", "vendor-secret")
	srv := newGitServer(t, f, true, "vendor-secret")
	loc, err := openGit(t, f, srv.url("127.0.0.1"), "token_env: VENDOR_GIT_TOKEN", sources.Env{GitRemote: "https://git.example.com/kb.git"}, srv.caPEM())
	if err != nil {
		t.Fatal(err)
	}
	if items := mustList(t, loc); len(items) != 1 {
		t.Fatalf("items %+v", items)
	}
	if !srv.sawToken("vendor-secret") || srv.sawToken("workspace-secret") {
		t.Fatal("want the source's own token and not the workspace token")
	}

	t.Setenv("VENDOR_GIT_TOKEN", "")
	if _, err := openGit(t, f, srv.url("127.0.0.1"), "token_env: VENDOR_GIT_TOKEN", sources.Env{}, nil); err == nil || !strings.Contains(err.Error(), "VENDOR_GIT_TOKEN, which is not set") {
		t.Errorf("unset token_env: %v", err)
	}
	if _, err := openGit(t, f, srv.url("127.0.0.1"), "token_env: ghp_16C7e42F292c6912E7710c8", sources.Env{}, nil); err == nil || strings.Contains(err.Error(), "ghp_") {
		t.Errorf("a token pasted as token_env: %v", err)
	}
}

// Plain http to a host that is not loopback: the source fails before any
// network traffic, naming the source and telling the user to use https.
// (example.invalid cannot resolve, so a request would fail differently.)
func TestNoTokenOverPlainHTTP(t *testing.T) {
	f := newFixture(t)
	t.Setenv(TokenEnv, "workspace-secret")
	t.Setenv("VENDOR_GIT_TOKEN", "vendor-secret")
	for _, c := range []struct{ name, opts, gitRemote string }{
		{"workspace token", "", "http://example.invalid/kb.git"},
		{"token_env", "token_env: VENDOR_GIT_TOKEN", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := openGit(t, f, "http://example.invalid/vendor/docs.git", c.opts, sources.Env{GitRemote: c.gitRemote}, nil)
			if err == nil || !errors.Is(err, gitauth.ErrCleartext) || !strings.Contains(err.Error(), `source "vendor"`) || !strings.Contains(err.Error(), "use an https:// URL") {
				t.Fatalf("err = %v", err)
			}
			if strings.Contains(err.Error(), "secret") {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
	// Without a token due, plain http is the user's choice.
	if _, err := openGit(t, f, "http://example.invalid/vendor/docs.git", "", sources.Env{}, nil); err != nil {
		t.Errorf("plain http without a token: %v", err)
	}
}

// Over plain http to a loopback host the token is sent (tests, a local
// proxy).
func TestTokenOverPlainHTTPToLoopback(t *testing.T) {
	f := newFixture(t)
	f.Put(t, "a.md", []byte("# A"))
	t.Setenv(TokenEnv, "workspace-secret")
	srv := newGitServer(t, f, false, "workspace-secret")
	loc, err := openGit(t, f, srv.url("127.0.0.1"), "", sources.Env{GitRemote: srv.url("127.0.0.1")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	mustList(t, loc)
	if !srv.sawToken("workspace-secret") {
		t.Fatal("token not sent to git.remote's loopback host")
	}
}

func TestTokenDecision(t *testing.T) {
	env := map[string]string{TokenEnv: "ws", "OWN": "own"}
	getenv := func(k string) string { return env[k] }
	cases := []struct {
		url, tokenEnv, gitRemote, want, err string
	}{
		{"https://git.example.com/a.git", "", "https://git.example.com/kb.git", "ws", ""},
		{"https://GIT.example.com:443/a.git", "", "https://git.example.com/kb.git", "ws", ""},
		{"https://git.example.com:8443/a.git", "", "https://git.example.com/kb.git", "", ""},
		{"https://other.example.com/a.git", "", "https://git.example.com/kb.git", "", ""},
		{"https://git.example.com/a.git", "", "", "", ""},
		{"https://git.example.com/a.git", "", "git@git.example.com:kb.git", "", ""},
		{"https://other.example.com/a.git", "OWN", "https://git.example.com/kb.git", "own", ""},
		{"git@git.example.com:a.git", "OWN", "", "", ""},
		{"/srv/repo.git", "", "/srv/kb.git", "", ""},
		{"http://git.example.com/a.git", "", "http://git.example.com/kb.git", "", "use an https:// URL"},
		{"http://10.0.0.1/a.git", "OWN", "", "", "use an https:// URL"},
		{"http://127.0.0.2:8080/a.git", "OWN", "", "own", ""},
		{"http://[::1]:8080/a.git", "OWN", "", "own", ""},
		{"http://localhost:8080/a.git", "", "http://localhost:8080/kb.git", "ws", ""},
		{"http://other.example.com/a.git", "", "https://git.example.com/kb.git", "", ""},
		{"https://x/a.git", "not a name", "", "", "not the token"},
	}
	for _, c := range cases {
		got, err := Token("s", c.url, c.tokenEnv, c.gitRemote, getenv)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("Token(%s, %q, %s) err = %v, want %q", c.url, c.tokenEnv, c.gitRemote, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("Token(%s, %q, %s) = %q, %v; want %q", c.url, c.tokenEnv, c.gitRemote, got, err, c.want)
		}
	}
}

func TestCredentialsInLocationRefused(t *testing.T) {
	f := newFixture(t)
	_, err := openGit(t, f, "https://bob:hunter2@git.example.com/docs.git", "", sources.Env{}, nil)
	if err == nil || strings.Contains(err.Error(), "hunter2") || !strings.Contains(err.Error(), "user name or password") {
		t.Fatalf("err = %v", err)
	}
}

func yamlNode(t *testing.T, src string) yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	return *n.Content[0]
}
