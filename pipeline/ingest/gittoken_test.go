package ingest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	gitconfig "github.com/go-git/go-git/v5/config"

	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
)

// The workspace token reaches only the source on git.remote's host (a
// remote name resolved through the knowledge repository's config); a
// source elsewhere gets none; a source whose token would go over plain
// http to a host that is not loopback fails before any traffic with a
// message naming it, and the run goes on with the other sources.
func TestGitTokenOnlyToGitRemoteHost(t *testing.T) {
	ctx := context.Background()
	t.Setenv("KBOPS_GIT_TOKEN", "workspace-secret")
	t.Setenv("VENDOR_GIT_TOKEN", "vendor-secret")
	var mu sync.Mutex
	seen := map[string]bool{} // request host → a token came with it
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, pw, _ := r.BasicAuth()
		mu.Lock()
		seen[r.Host] = seen[r.Host] || pw == "workspace-secret"
		mu.Unlock()
		w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
		http.Error(w, "no", http.StatusUnauthorized)
	}))
	defer srv.Close()
	byIP := srv.URL                                                 // git.remote's host
	byName := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1) // another host:port to kbops

	dir := t.TempDir()
	wsDir, manuals := filepath.Join(dir, "kb"), filepath.Join(dir, "manuals")
	os.MkdirAll(wsDir, 0o755)
	os.MkdirAll(manuals, 0o755)
	write(t, manuals, "a.md", manual)
	conf := fmt.Sprintf(`version: 1
git:
  remote: origin
sources:
  - {name: manuals, kind: manuals, location: ../manuals, owner: ana@example.com}
  - {name: same-host, kind: manuals, location: %s/docs.git, owner: ana@example.com}
  - {name: other-host, kind: manuals, location: %s/docs.git, owner: ana@example.com}
  - {name: cleartext, kind: manuals, location: http://git.example.invalid/docs.git, owner: ana@example.com, options: {token_env: VENDOR_GIT_TOKEN}}
`, byIP, byName)
	os.WriteFile(filepath.Join(wsDir, "kbops.yaml"), []byte(conf), 0o644)
	if _, err := workspace.Init(wsDir, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, err := workspace.Open(wsDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Repo.Git.CreateRemote(&gitconfig.RemoteConfig{Name: "origin", URLs: []string{byIP + "/kb.git"}}); err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(ctx, w, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	host := func(u string) string { return strings.TrimPrefix(u, "http://") }
	mu.Lock()
	if !seen[host(byIP)] {
		t.Error("the source on git.remote's host got no token")
	}
	if seen[host(byName)] {
		t.Error("the source on another host got the workspace token")
	}
	mu.Unlock()
	errs := map[string]string{}
	for _, s := range rep.Sources {
		errs[s.Name] = strings.Join(s.Errors, "\n")
	}
	if errs["manuals"] != "" || rep.Sources[0].Added == 0 {
		t.Errorf("the folder source did not go on: %+v", rep.Sources[0])
	}
	if e := errs["cleartext"]; !strings.Contains(e, `source "cleartext"`) || !strings.Contains(e, "use an https:// URL") || strings.Contains(e, "secret") {
		t.Errorf("cleartext source: %q", e)
	}
}
