package main

import (
	"context"

	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
)

// pullRequestAfterPush runs ingest.UpdateHost once an ingest with --push
// succeeded (runErr nil); it passes runErr through otherwise.
func pullRequestAfterPush(ctx context.Context, ws *workspace.Workspace, push bool, rep ingest.Report, runErr error) (ingest.HostResult, error) {
	if runErr != nil || !push {
		return ingest.HostResult{}, runErr
	}
	return ingest.UpdateHost(ctx, ws, rep)
}

// ingestJSON is the run report of `ingest --json` with the pull request
// and its status when one was opened or checked; Report's fields stay at
// the top level.
type ingestJSON struct {
	ingest.Report
	ingest.HostResult
}

func withPullRequest(rep ingest.Report, res ingest.HostResult) ingestJSON {
	return ingestJSON{Report: rep, HostResult: res}
}
