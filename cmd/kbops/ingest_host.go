package main

import (
	"context"

	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
)

// pullRequestAfterPush opens or updates the review branch's pull request
// on git.host and sets its kbops/verify status (ingest.UpdateHost, as
// serve's ingest job does) once an ingest with --push succeeded (runErr
// nil); it passes runErr through otherwise.
func pullRequestAfterPush(ctx context.Context, ws *workspace.Workspace, push bool, rep ingest.Report, runErr error) (ingest.HostReport, error) {
	if runErr != nil || !push {
		return ingest.HostReport{}, runErr
	}
	checks := checkOptions(ws)
	return ingest.UpdateHost(ctx, ws, rep, &checks, nil)
}

// ingestJSON is the run report of `ingest --json` with the pull request
// and its status when one was opened or checked; Report's fields stay at
// the top level.
type ingestJSON struct {
	ingest.Report
	ingest.HostReport
}

func withPullRequest(rep ingest.Report, res ingest.HostReport) ingestJSON {
	return ingestJSON{Report: rep, HostReport: res}
}
