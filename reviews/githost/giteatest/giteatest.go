// Package giteatest starts throwaway Gitea servers for integration tests:
// a real Gitea on a free loopback port, with its own work path, app.ini and
// sqlite database in a temporary folder, an admin account, and helpers that
// create users, tokens, repositories and commits through the REST API.
//
// The binary comes from `make tools` (it builds Gitea from its module
// source). Gitea reads its locale files and templates from the source tree
// (STATIC_ROOT_PATH); the helper finds it in KBOPS_GITEA_STATIC, else in
// the file gitea.static next to the binary (make tools writes it), else in
// the Go module cache. Without the binary, tests skip on a laptop; in CI
// (CI=true) they fail, because an integration test that silently skips
// proves nothing.
package giteatest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/embedded"
)

// Version is the Gitea release `make tools` builds.
const Version = "v1.27.3"

// EnvStatic names the source tree Gitea serves locales and templates from.
const EnvStatic = "KBOPS_GITEA_STATIC"

const installHint = "run `make tools` (it builds Gitea " + Version + " from source, 7 to 15 minutes on 2 cores the first time)"

// ErrNotInstalled is wrapped when the gitea binary or its source tree is
// missing.
var ErrNotInstalled = errors.New("gitea is not installed")

// FindBinary returns the gitea binary: PATH, then GOBIN, GOPATH/bin and
// ~/go/bin.
func FindBinary() (string, error) {
	if p, ok := embedded.GoBinary("gitea"); ok {
		return p, nil
	}
	return "", fmt.Errorf("%w: no gitea on PATH, in GOBIN or GOPATH/bin; %s", ErrNotInstalled, installHint)
}

// FindStatic returns the Gitea source tree for the binary at bin: the one
// KBOPS_GITEA_STATIC names, the one recorded in bin+".static", or the
// module cache's copy of Version. It must hold options/locale.
func FindStatic(bin string) (string, error) {
	var tried []string
	check := func(dir, from string) (string, bool) {
		if dir == "" {
			return "", false
		}
		if st, err := os.Stat(filepath.Join(dir, "options", "locale")); err == nil && st.IsDir() {
			return dir, true
		}
		tried = append(tried, dir+" ("+from+")")
		return "", false
	}
	if d, ok := check(os.Getenv(EnvStatic), EnvStatic); ok {
		return d, nil
	}
	if b, err := os.ReadFile(bin + ".static"); err == nil {
		if d, ok := check(strings.TrimSpace(string(b)), bin+".static"); ok {
			return d, nil
		}
	}
	if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); err == nil {
		if d, ok := check(filepath.Join(strings.TrimSpace(string(out)), "code.gitea.io", "gitea@"+Version), "module cache"); ok {
			return d, nil
		}
	}
	return "", fmt.Errorf("%w: Gitea's source tree (options/locale) not found (tried: %s); set %s to it or %s",
		ErrNotInstalled, strings.Join(tried, ", "), EnvStatic, installHint)
}

// Server is a running Gitea.
type Server struct {
	// URL is the base address, http://127.0.0.1:port (no trailing slash).
	URL string
	// Admin is the site administrator created at start.
	Admin User
	// Dir is the work path: app.ini, data, repositories and gitea.log.
	Dir string
	// Started is how long the start took (migrate, admin, first answer).
	Started time.Duration

	bin, config string
	env         []string
	client      *http.Client
	t           testing.TB
}

// User is an account with a password and an API token of all scopes.
type User struct {
	Login    string
	Email    string
	Password string
	Token    string
}

// Repo is a repository on the server.
type Repo struct {
	Owner, Name string
	// CloneURL is the http clone address, without credentials.
	CloneURL string
	// DefaultBranch is main.
	DefaultBranch string
}

// FullName is owner/name.
func (r Repo) FullName() string { return r.Owner + "/" + r.Name }

// Start returns a running Gitea that is stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := FindBinary()
	if err == nil {
		_, err = FindStatic(bin)
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("integration test needs gitea: %v", err)
	}
	s, err := start(t, bin)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("gitea %s started in %s at %s", Version, s.Started.Round(time.Millisecond), s.URL)
	return s
}

func start(t testing.TB, bin string) (*Server, error) {
	begin := time.Now()
	static, err := FindStatic(bin)
	if err != nil {
		return nil, err
	}
	// Gitea keeps unix socket paths and hook scripts under its work path;
	// a short path keeps them within limits.
	dir, err := os.MkdirTemp("", "gitea-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	runUser := "root"
	if u, err := user.Current(); err == nil {
		runUser = u.Username
	}
	s := &Server{
		URL:    "http://127.0.0.1:" + strconv.Itoa(port),
		Dir:    dir,
		bin:    bin,
		config: filepath.Join(dir, "app.ini"),
		client: &http.Client{Timeout: 30 * time.Second},
		t:      t,
	}
	ini := appINI(dir, static, runUser, port)
	if err := os.WriteFile(s.config, []byte(ini), 0o600); err != nil {
		return nil, err
	}
	s.env = append(os.Environ(),
		"GITEA_WORK_DIR="+dir,
		"GITEA_CUSTOM="+filepath.Join(dir, "custom"),
		"HOME="+dir, // git's global config of the server's own git calls
		// Gitea refuses to run as root; tests in containers often are.
		"GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT=true",
	)
	ctx := context.Background()
	if out, err := s.gitea(ctx, "migrate"); err != nil {
		return nil, fmt.Errorf("gitea migrate (work path %s): %w\n%s", dir, err, out)
	}
	s.Admin = User{Login: "kbops-admin", Email: "kbops-admin@example.com", Password: randomText(12)}
	if out, err := s.gitea(ctx, "admin", "user", "create", "--admin", "--username", s.Admin.Login,
		"--password", s.Admin.Password, "--email", s.Admin.Email, "--must-change-password=false"); err != nil {
		return nil, fmt.Errorf("gitea admin user create: %w\n%s", err, out)
	}

	logf, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "web", "--config", s.config, "--work-path", dir)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = s.env, dir, logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting gitea web: %w", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait(); logf.Close() }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	if err := s.waitReady(exited, 60*time.Second); err != nil {
		return nil, err
	}
	tok, err := s.createToken(ctx, s.Admin)
	if err != nil {
		return nil, err
	}
	s.Admin.Token = tok
	s.Started = time.Since(begin)
	return s, nil
}

// appINI is a configuration for a fast, quiet, offline server: sqlite,
// no SSH, no mail, no cron, no indexer, queues handled immediately (so
// that a push or a pull request is fully processed when the API answers),
// cheap password hashing, and webhooks allowed to loopback.
func appINI(dir, static, runUser string, port int) string {
	p := strconv.Itoa(port)
	return `APP_NAME = kbops test
RUN_MODE = prod
RUN_USER = ` + runUser + `
WORK_PATH = ` + dir + `

[server]
PROTOCOL = http
HTTP_ADDR = 127.0.0.1
HTTP_PORT = ` + p + `
DOMAIN = 127.0.0.1
ROOT_URL = http://127.0.0.1:` + p + `/
LOCAL_ROOT_URL = http://127.0.0.1:` + p + `/
DISABLE_SSH = true
START_SSH_SERVER = false
OFFLINE_MODE = true
LFS_START_SERVER = false
STATIC_ROOT_PATH = ` + static + `
APP_DATA_PATH = ` + filepath.Join(dir, "data") + `

[database]
DB_TYPE = sqlite3
PATH = ` + filepath.Join(dir, "data", "gitea.db") + `
SQLITE_JOURNAL_MODE = WAL

[repository]
ROOT = ` + filepath.Join(dir, "repos") + `
DEFAULT_BRANCH = main

[repository.signing]
SIGNING_KEY = none

[security]
INSTALL_LOCK = true
SECRET_KEY = ` + randomText(24) + `
INTERNAL_TOKEN = ` + randomText(32) + `
PASSWORD_HASH_ALGO = pbkdf2$1000$32
MIN_PASSWORD_LENGTH = 6
PASSWORD_COMPLEXITY = off
PASSWORD_CHECK_PWN = false

[oauth2]
ENABLED = false

[service]
DISABLE_REGISTRATION = true
REQUIRE_SIGNIN_VIEW = false
ENABLE_NOTIFY_MAIL = false
DEFAULT_KEEP_EMAIL_PRIVATE = false
NO_REPLY_ADDRESS = noreply.example.com

[mailer]
ENABLED = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[cron]
ENABLED = false

[cron.update_checker]
ENABLED = false

[indexer]
ISSUE_INDEXER_TYPE = db
REPO_INDEXER_ENABLED = false

[queue]
TYPE = immediate

[webhook]
ALLOWED_HOST_LIST = loopback
DELIVER_TIMEOUT = 10

[actions]
ENABLED = false

[packages]
ENABLED = false

[other]
SHOW_FOOTER_VERSION = false

[log]
MODE = file
LEVEL = Warn
ROOT_PATH = ` + filepath.Join(dir, "log") + `
`
}

func (s *Server) gitea(ctx context.Context, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	args = append(args, "--config", s.config, "--work-path", s.Dir)
	cmd := exec.CommandContext(ctx, s.bin, args...)
	cmd.Env, cmd.Dir = s.env, s.Dir
	return cmd.CombinedOutput()
}

func (s *Server) waitReady(exited <-chan error, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return fmt.Errorf("gitea web exited on start (%v); its log:\n%s", err, s.Log())
		default:
		}
		resp, err := s.client.Get(s.URL + "/api/v1/version")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("gitea did not answer on %s within %s; its log:\n%s", s.URL, limit, s.Log())
}

// Log returns the server's output and log file, for failure messages.
func (s *Server) Log() string {
	var b strings.Builder
	for _, f := range []string{filepath.Join(s.Dir, "stdout.log"), filepath.Join(s.Dir, "log", "gitea.log")} {
		if data, err := os.ReadFile(f); err == nil {
			fmt.Fprintf(&b, "== %s\n%s\n", f, tail(data, 4000))
		}
	}
	return b.String()
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// APIError is a non-2xx answer of the REST API.
type APIError struct {
	Method, Path string
	Status       int
	Body         string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("gitea %s %s: %d %s", e.Method, e.Path, e.Status, strings.TrimSpace(e.Body))
}

// Do calls the REST API as the token's account: path is below /api/v1
// ("/user/repos"); in is sent as JSON when not nil; out, when not nil,
// receives the JSON answer. A non-2xx answer is an *APIError.
func (s *Server) Do(ctx context.Context, token, method, path string, in, out any) error {
	return s.do(ctx, method, path, in, out, func(r *http.Request) {
		if token != "" {
			r.Header.Set("Authorization", "token "+token)
		}
	})
}

func (s *Server) do(ctx context.Context, method, path string, in, out any, auth func(*http.Request)) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+"/api/v1"+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	auth(req)
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return &APIError{Method: method, Path: path, Status: resp.StatusCode, Body: string(data)}
	}
	if out != nil && len(data) > 0 {
		return json.Unmarshal(data, out)
	}
	return nil
}

// MustDo is Do that fails the test on error.
func (s *Server) MustDo(t testing.TB, token, method, path string, in, out any) {
	t.Helper()
	if err := s.Do(context.Background(), token, method, path, in, out); err != nil {
		t.Fatal(err)
	}
}

func (s *Server) createToken(ctx context.Context, u User) (string, error) {
	var tok struct {
		SHA1 string `json:"sha1"`
	}
	in := map[string]any{"name": "kbops-test-" + randomText(4), "scopes": []string{"all"}}
	err := s.do(ctx, http.MethodPost, "/users/"+url.PathEscape(u.Login)+"/tokens", in, &tok, func(r *http.Request) {
		r.SetBasicAuth(u.Login, u.Password)
	})
	if err != nil {
		return "", fmt.Errorf("creating a token for %s: %w", u.Login, err)
	}
	return tok.SHA1, nil
}

// CreateUser makes an account (e-mail login@example.com unless email is
// given) with a token of all scopes.
func (s *Server) CreateUser(t testing.TB, login, email string) User {
	t.Helper()
	if email == "" {
		email = login + "@example.com"
	}
	u := User{Login: login, Email: email, Password: randomText(12)}
	in := map[string]any{"username": login, "email": email, "password": u.Password, "must_change_password": false}
	s.MustDo(t, s.Admin.Token, http.MethodPost, "/admin/users", in, nil)
	tok, err := s.createToken(context.Background(), u)
	if err != nil {
		t.Fatal(err)
	}
	u.Token = tok
	return u
}

// CreateRepo makes a repository owned by owner with one commit on main
// (a README).
func (s *Server) CreateRepo(t testing.TB, owner User, name string) Repo {
	t.Helper()
	var r struct {
		CloneURL      string `json:"clone_url"`
		DefaultBranch string `json:"default_branch"`
	}
	in := map[string]any{"name": name, "auto_init": true, "default_branch": "main", "readme": "Default", "private": false}
	s.MustDo(t, owner.Token, http.MethodPost, "/user/repos", in, &r)
	return Repo{Owner: owner.Login, Name: name, CloneURL: r.CloneURL, DefaultBranch: r.DefaultBranch}
}

// CreateEmptyRepo makes a repository owned by owner with no commit, for a
// knowledge repository that is pushed to it.
func (s *Server) CreateEmptyRepo(t testing.TB, owner User, name string) Repo {
	t.Helper()
	var r struct {
		CloneURL string `json:"clone_url"`
	}
	s.MustDo(t, owner.Token, http.MethodPost, "/user/repos", map[string]any{"name": name, "default_branch": "main"}, &r)
	return Repo{Owner: owner.Login, Name: name, CloneURL: r.CloneURL, DefaultBranch: "main"}
}

// AddCollaborator gives u access to r: "read", "write" or "admin".
func (s *Server) AddCollaborator(t testing.TB, r Repo, u User, permission string) {
	t.Helper()
	s.MustDo(t, s.Admin.Token, http.MethodPut, "/repos/"+r.FullName()+"/collaborators/"+url.PathEscape(u.Login),
		map[string]string{"permission": permission}, nil)
}

// CommitFile writes path on branch as u through the contents API and
// returns the new commit. When branch does not exist, it is created from
// from (the repository's default branch when "").
func (s *Server) CommitFile(t testing.TB, u User, r Repo, branch, from, path, content string) string {
	t.Helper()
	var cur struct {
		SHA string `json:"sha"`
	}
	exists := s.Do(context.Background(), u.Token, http.MethodGet,
		"/repos/"+r.FullName()+"/contents/"+path+"?ref="+url.QueryEscape(branch), nil, &cur) == nil
	in := map[string]any{
		"content": base64.StdEncoding.EncodeToString([]byte(content)),
		"message": "update " + path,
	}
	if s.branchExists(t, u, r, branch) {
		in["branch"] = branch
	} else {
		in["branch"] = from
		in["new_branch"] = branch
	}
	var out struct {
		Commit struct {
			SHA string `json:"sha"`
		} `json:"commit"`
	}
	method := http.MethodPost
	if exists {
		method = http.MethodPut
		in["sha"] = cur.SHA
	}
	s.MustDo(t, u.Token, method, "/repos/"+r.FullName()+"/contents/"+path, in, &out)
	return out.Commit.SHA
}

func (s *Server) branchExists(t testing.TB, u User, r Repo, branch string) bool {
	t.Helper()
	err := s.Do(context.Background(), u.Token, http.MethodGet, "/repos/"+r.FullName()+"/branches/"+url.PathEscape(branch), nil, nil)
	var ae *APIError
	if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

// AuthURL is r's clone URL with u's token as credentials, for git push
// and fetch in tests.
func (s *Server) AuthURL(r Repo, u User) string {
	cu, err := url.Parse(r.CloneURL)
	if err != nil {
		return r.CloneURL
	}
	cu.User = url.UserPassword(u.Login, u.Token)
	return cu.String()
}

// Review submits a pull-request review as u: event is APPROVED,
// REQUEST_CHANGES or COMMENT; commit "" means the current head.
func (s *Server) Review(t testing.TB, u User, r Repo, number int, event, body, commit string) int64 {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	in := map[string]any{"event": event, "body": body, "commit_id": commit}
	s.MustDo(t, u.Token, http.MethodPost, "/repos/"+r.FullName()+"/pulls/"+strconv.Itoa(number)+"/reviews", in, &out)
	return out.ID
}

// Comment posts a conversation comment on pull request number as u.
func (s *Server) Comment(t testing.TB, u User, r Repo, number int, body string) int64 {
	t.Helper()
	var out struct {
		ID int64 `json:"id"`
	}
	s.MustDo(t, u.Token, http.MethodPost, "/repos/"+r.FullName()+"/issues/"+strconv.Itoa(number)+"/comments",
		map[string]string{"body": body}, &out)
	return out.ID
}

// Merge merges pull request number as u with a merge commit (style
// "merge"; also "squash", "rebase"). Gitea answers 405 while it is still
// checking mergeability; Merge retries for a while.
func (s *Server) Merge(t testing.TB, u User, r Repo, number int, style string) {
	t.Helper()
	path := "/repos/" + r.FullName() + "/pulls/" + strconv.Itoa(number) + "/merge"
	var err error
	for i := 0; i < 50; i++ {
		err = s.Do(context.Background(), u.Token, http.MethodPost, path, map[string]any{"Do": style}, nil)
		var ae *APIError
		if err == nil || !errors.As(err, &ae) || (ae.Status != http.StatusMethodNotAllowed && ae.Status != http.StatusConflict) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Statuses returns the commit statuses on sha, newest first.
func (s *Server) Statuses(t testing.TB, u User, r Repo, sha string) []Status {
	t.Helper()
	var out []Status
	// "leastindex" is Gitea's name for index descending: the default
	// (creation time) does not order statuses of the same second.
	s.MustDo(t, u.Token, http.MethodGet, "/repos/"+r.FullName()+"/statuses/"+sha+"?sort=leastindex", nil, &out)
	return out
}

// Status is a commit status as the API lists it.
type Status struct {
	Context     string `json:"context"`
	State       string `json:"status"`
	Description string `json:"description"`
	TargetURL   string `json:"target_url"`
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func randomText(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
