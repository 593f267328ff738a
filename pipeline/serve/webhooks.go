package serve

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/pipeline/hostsync"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews/githost"
)

// TriggerWebhook is the run reports' trigger of a run a webhook started.
const TriggerWebhook = "webhook"

// JobHostMerge is the run that handles a merge the host reported: main
// fetched, the merge method checked (CheckMerge), then publish.
const JobHostMerge = "host-merge"

// ReviewSyncJob runs hostsync.Sync, the operation of `kbops review sync`:
// the comments and reviews of the review branch's pull request recorded
// as decisions, the branch pushed, the kbops/verify status set. Its report
// is a hostsync.Report.
func ReviewSyncJob(ws *workspace.Workspace, d Deps) func(context.Context) (any, error) {
	return func(ctx context.Context) (any, error) {
		host, ok, err := hostsync.Open(ctx, ws, nil)
		if err != nil || !ok {
			return nil, err
		}
		rec, err := hostsync.RecorderFromEnv()
		if err != nil {
			return nil, err
		}
		checks := ingest.ReviewChecks(ctx, ws, plumbing.ZeroHash)
		return hostsync.Sync(ctx, ws, host, hostsync.Options{Checks: &checks, Recorder: rec})
	}
}

// webhooks builds the handler of hostsync.WebhookPath when
// git.host.webhook_secret_env is set (nil otherwise). A comment or review
// runs the review-sync job, a merge the host-merge job and then publish
// (when scheduled), each through execute: under their locks, one run at a
// time, with a run report. Deliveries that come while a run is going are
// coalesced into one more run after it, so none is lost and a burst of
// deliveries costs two runs.
func (s *server) webhooks(ctx context.Context, jobs []Job, d Deps) (http.Handler, error) {
	hc := s.ws.Config.Git.Host
	if !hc.Enabled() || hc.WebhookSecretEnv == "" {
		return nil, nil
	}
	secret := os.Getenv(hc.WebhookSecretEnv)
	if secret == "" {
		return nil, fmt.Errorf("git.host.webhook_secret_env names %s, which is empty: set it to the secret of the host's webhook", hc.WebhookSecretEnv)
	}
	host, _, err := hostsync.Open(ctx, s.ws, nil)
	if err != nil {
		return nil, err
	}
	parser, ok := host.(githost.WebhookParser)
	if !ok {
		return nil, fmt.Errorf("git.host.kind %s cannot receive webhooks: unset git.host.webhook_secret_env and let the review-sync job poll", hc.Kind)
	}
	byName := map[string]Job{}
	for _, j := range jobs {
		byName[j.Name] = j
	}
	syncJob, ok := byName[JobReviewSync]
	if !ok { // disabled in serve.yaml: still run it for deliveries
		syncJob = Job{Name: JobReviewSync, Kind: "review-sync", Lock: lock.Repo, Run: ReviewSyncJob(s.ws, d)}
		s.running[syncJob.Name] = new(atomic.Bool)
	}
	var publish func()
	if j, ok := byName[JobPublish]; ok {
		publish = s.trigger(ctx, j)
	}
	var mu sync.Mutex
	var merged []int
	mergeJob := Job{Name: JobHostMerge, Kind: JobHostMerge, Lock: lock.Repo, Run: func(ctx context.Context) (any, error) {
		mu.Lock()
		numbers := merged
		merged = nil
		mu.Unlock()
		var out []hostsync.MergeReport
		for _, n := range numbers {
			rep, err := hostsync.CheckMerge(ctx, s.ws, host, n)
			out = append(out, rep)
			if err != nil {
				return out, err
			}
			if rep.Warning != "" {
				s.log.Warn("pull request merged without a merge commit", "pull_request", n, "method", rep.Method, "commit", rep.Commit, "warning", rep.Warning)
			}
			if rep.Ours {
				if publish != nil {
					publish()
				} else {
					s.log.Info("main fetched after the merge; the next kbops publish publishes it (the publish job is not scheduled)", "pull_request", n, "main", rep.Main)
				}
			}
		}
		return out, nil
	}}
	s.running[mergeJob.Name] = new(atomic.Bool)
	s.log.Info("receiving the git host's webhook", "path", hostsync.WebhookPath, "host", hc.Kind+" "+hc.URL+"/"+hc.Repo, "secret_from", hc.WebhookSecretEnv)
	onEvent := s.trigger(ctx, syncJob)
	onMerge := s.trigger(ctx, mergeJob)
	return hostsync.WebhookHandler(parser, []byte(secret), s.log,
		func(githost.Hook) { onEvent() },
		func(h githost.Hook) {
			mu.Lock()
			merged = append(merged, h.PullRequest)
			mu.Unlock()
			onMerge()
		}), nil
}

// trigger returns a function that makes j run soon, through execute. Calls
// while a run is pending are one call; a call during a run makes one more
// run after it; a run skipped because the job is running already (a
// scheduled one) is retried until it runs.
func (s *server) trigger(ctx context.Context, j Job) func() {
	ch := make(chan struct{}, 1)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			select {
			case <-ctx.Done():
				return
			case <-ch:
			}
			for !s.execute(j, TriggerWebhook) {
				select {
				case <-ctx.Done():
					return
				case <-time.After(200 * time.Millisecond):
				}
			}
		}
	}()
	return func() {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}
