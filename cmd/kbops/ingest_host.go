package main

import (
	"context"

	"github.com/kbops/kbops/pipeline/hostsync"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
)

// hostResult is what an ingest did on git.host.
type hostResult struct {
	PR     ingest.PullRequestReport
	PROK   bool
	Status *hostsync.StatusReport
}

// pullRequestAfterPush opens or updates the review branch's pull request
// on git.host once an ingest with --push succeeded (runErr nil), then sets
// the kbops/verify status of its head; it passes runErr through otherwise.
func pullRequestAfterPush(ctx context.Context, ws *workspace.Workspace, push bool, rep ingest.Report, runErr error) (hostResult, error) {
	var res hostResult
	if runErr != nil || !push {
		return res, runErr
	}
	pr, ok, err := ingest.PullRequest(ctx, ws, rep, nil)
	if err != nil || !ok {
		return res, err
	}
	res.PR, res.PROK = pr, true
	host, _, err := hostsync.Open(ctx, ws, nil)
	if err != nil {
		return res, err
	}
	checks := checkOptions(ctx, ws)
	st, ok, err := hostsync.SetVerifyStatus(ctx, ws, host, &checks)
	if err != nil {
		return res, err
	}
	if ok {
		res.Status = &st
	}
	return res, nil
}

// ingestJSON is the run report of `ingest --json` with the pull request
// and its status when one was opened or checked; Report's fields stay at
// the top level.
type ingestJSON struct {
	ingest.Report
	PullRequest *ingest.PullRequestReport `json:"pull_request,omitempty"`
	Status      *hostsync.StatusReport    `json:"status,omitempty"`
}

func withPullRequest(rep ingest.Report, res hostResult) ingestJSON {
	out := ingestJSON{Report: rep, Status: res.Status}
	if res.PROK {
		out.PullRequest = &res.PR
	}
	return out
}
