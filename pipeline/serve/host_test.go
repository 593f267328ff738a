package serve_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/hostsync"
	"github.com/kbops/kbops/pipeline/serve"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews/githost/giteatest"

	_ "github.com/kbops/kbops/reviews/githost/all"
	_ "github.com/kbops/kbops/sources/all"
)

// TestScheduledIngestUpdatesTheHostAsAManualOne: against a real Gitea,
// the nightly ingest job pushes the review branch, opens its pull request
// and sets the kbops/verify status of its head, as `kbops ingest --push`
// does (a scheduled run used to leave the status unset).
func TestScheduledIngestUpdatesTheHostAsAManualOne(t *testing.T) {
	srv := giteatest.Start(t)
	bot := srv.CreateUser(t, "kbops-bot", "")
	repo := srv.CreateEmptyRepo(t, bot, "knowledge")
	t.Setenv(config.EnvGitToken, bot.Token)

	dir := t.TempDir()
	wsDir := filepath.Join(dir, "kb")
	demo := filepath.Join(trackstest.Root(), "examples", "demo")
	trackstest.CopyDir(t, filepath.Join(demo, "workspace"), wsDir)
	trackstest.CopyDir(t, filepath.Join(demo, "notes"), filepath.Join(dir, "notes"))
	cfgPath := filepath.Join(wsDir, "kbops.yaml")
	cfg, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	cfg = bytes.Replace(cfg, []byte("git:\n"), []byte("git:\n  remote: "+repo.CloneURL+"\n  host:\n    kind: gitea\n    url: "+srv.URL+"\n    repo: "+repo.FullName()+"\n"), 1)
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := workspace.Init(wsDir, time.Now()); err != nil {
		t.Fatal(err)
	}
	ws, err := workspace.Open(wsDir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := ws.Repo.Push(ctx, repo.CloneURL, "main", bot.Token); err != nil {
		t.Fatal(err)
	}

	if _, err := serve.IngestJob(ws, "expert-notes", serve.Deps{})(ctx); err != nil {
		t.Fatal(err)
	}
	head, ok, err := ws.Repo.Branch(ws.Config.Review.Branch)
	if err != nil || !ok {
		t.Fatalf("no review branch: %v", err)
	}
	var pulls []struct {
		Number int `json:"number"`
		Head   struct {
			SHA string `json:"sha"`
		} `json:"head"`
	}
	srv.MustDo(t, bot.Token, http.MethodGet, "/repos/"+repo.FullName()+"/pulls?state=open", nil, &pulls)
	if len(pulls) != 1 || pulls[0].Head.SHA != head.String() {
		t.Fatalf("pull requests %+v; want one at %s", pulls, head)
	}
	var statuses []struct {
		Context string `json:"context"`
		State   string `json:"status"`
	}
	srv.MustDo(t, bot.Token, http.MethodGet, "/repos/"+repo.FullName()+"/commits/"+head.String()+"/statuses", nil, &statuses)
	found := false
	for _, s := range statuses {
		found = found || s.Context == hostsync.VerifyContext
	}
	if !found {
		t.Fatalf("no %s status on the head after the scheduled ingest: %+v", hostsync.VerifyContext, statuses)
	}
}
