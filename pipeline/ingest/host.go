package ingest

import (
	"context"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/pipeline/hostsync"
	"github.com/kbops/kbops/pipeline/workspace"
)

// HostResult is what an ingestion did on git.host after its push.
type HostResult struct {
	// PullRequest is the pull request opened or updated; nil when there
	// is none (no git.host, or nothing waits for review).
	PullRequest *PullRequestReport `json:"pull_request,omitempty"`
	// Status is the kbops/verify status set on the branch's head; nil when
	// none was set.
	Status *hostsync.StatusReport `json:"status,omitempty"`
}

// UpdateHost is what follows a pushed ingestion, for `kbops ingest --push`
// and serve's ingest jobs alike: it opens or updates the review branch's
// pull request (PullRequest), then sets the kbops/verify status of the
// branch's head with the review checks (ReviewChecks), so that a
// scheduled run leaves the host as a manual one does.
func UpdateHost(ctx context.Context, ws *workspace.Workspace, rep Report) (HostResult, error) {
	var res HostResult
	pr, ok, err := PullRequest(ctx, ws, rep, nil)
	if err != nil || !ok {
		return res, err
	}
	res.PullRequest = &pr
	host, _, err := hostsync.Open(ctx, ws, nil)
	if err != nil {
		return res, err
	}
	checks := ReviewChecks(ctx, ws, plumbing.ZeroHash)
	st, ok, err := hostsync.SetVerifyStatus(ctx, ws, host, &checks)
	if err != nil {
		return res, err
	}
	if ok {
		res.Status = &st
	}
	return res, nil
}
