package main

import (
	"context"

	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
)

// pullRequestAfterPush opens or updates the review branch's pull request
// on git.host once an ingest with --push succeeded (runErr nil); it passes
// runErr through otherwise.
func pullRequestAfterPush(ctx context.Context, ws *workspace.Workspace, push bool, rep ingest.Report, runErr error) (ingest.PullRequestReport, bool, error) {
	if runErr != nil || !push {
		return ingest.PullRequestReport{}, false, runErr
	}
	return ingest.PullRequest(ctx, ws, rep, nil)
}

// ingestJSON is the run report of `ingest --json` with the pull request
// when one was opened or checked; Report's fields stay at the top level.
type ingestJSON struct {
	ingest.Report
	PullRequest *ingest.PullRequestReport `json:"pull_request,omitempty"`
}

func withPullRequest(rep ingest.Report, pr ingest.PullRequestReport, ok bool) ingestJSON {
	out := ingestJSON{Report: rep}
	if ok {
		out.PullRequest = &pr
	}
	return out
}
