// Package hostsync connects the review branch with its pull request on the
// git host (git.host): it sets the `kbops/verify` commit status on the
// pull request's head and turns the comment commands reviewers type there
// (`/approve technical`, `/reject technical REASON`) and the host's own
// Approve / Request changes reviews into approval records, exactly as
// `kbops review approve` and `reject` would make them. `kbops review sync`
// runs it from cron or CI; `kbops serve` runs the same Sync when the host's
// webhook reports an event (Webhook). A cursor in the workspace's state,
// and the trailers of the decisions on the branch, make a second run record
// and answer nothing twice.
package hostsync

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/reviews/githost"
	"github.com/kbops/kbops/sources/gitauth"
)

// VerifyContext is the commit status kbops sets on the pull request's
// head; branch protection can require it.
const VerifyContext = "kbops/verify"

// maxDescription keeps the status line short: hosts cut longer ones
// (GitHub at 140 characters).
const maxDescription = 140

// Open opens git.host for the workspace with the token from the variable
// git.host.token_env names. ok is false when git.host is not configured.
// The workspace token (KBOPS_GIT_TOKEN) is refused for an API on another
// host than git.remote's, which it was not issued for.
func Open(ctx context.Context, ws *workspace.Workspace, reg *githost.Registry) (githost.Host, bool, error) {
	cfg := ws.Config
	hc := cfg.Git.Host
	if !hc.Enabled() {
		return nil, false, nil
	}
	if cfg.Git.Remote == "" {
		return nil, false, fmt.Errorf("git.host is set but git.remote is not: the host can only show a branch kbops pushes to it; set git.remote to the repository's clone URL")
	}
	if reg == nil {
		reg = githost.Default
	}
	token := os.Getenv(hc.TokenVar())
	if hc.TokenVar() == config.EnvGitToken && token != "" {
		remote := ws.Repo.RemoteURL(cfg.Git.Remote)
		if gitauth.Host(remote) != gitauth.Host(hc.URL) {
			return nil, false, fmt.Errorf("git.host.url %s is not on git.remote's host, and %s is sent only there: name another variable in git.host.token_env", hc.URL, config.EnvGitToken)
		}
	}
	if token == "" {
		return nil, false, fmt.Errorf("git.host: %s is empty: set it to an API token of the %s account that pushes the review branch", hc.TokenVar(), hc.Kind)
	}
	h, err := reg.Open(ctx, githost.Spec{Kind: hc.Kind, URL: hc.URL, Repo: hc.Repo, Token: token})
	if err != nil {
		return nil, false, err
	}
	return h, true, nil
}

// StatusReport is the kbops/verify status kbops set (or found set).
type StatusReport struct {
	SHA         string `json:"sha"`
	State       string `json:"state"`
	Description string `json:"description"`
	// Changed is false when the host already showed this verdict.
	Changed bool `json:"changed"`
}

// VerifyStatus is the kbops/verify status of the review branch's head:
// success when `kbops review verify --base main` passes with checks
// (reviews.VerifyWith against the merge base with main), failure
// otherwise, with a one-line summary of what waits. ok is false when there
// is no review branch.
func VerifyStatus(ctx context.Context, ws *workspace.Workspace, checks *reviews.CheckOptions) (head plumbing.Hash, st githost.Status, ok bool, err error) {
	snap, ok, err := reviews.LoadBranch(ctx, ws.Repo, ws.Config.Review.Branch)
	if err != nil || !ok {
		return plumbing.ZeroHash, githost.Status{}, false, err
	}
	base, err := reviews.MainBase(ctx, ws.Repo, ws.Config.Review.Main, snap)
	if err != nil {
		return plumbing.ZeroHash, githost.Status{}, false, err
	}
	rep, err := reviews.VerifyWith(ctx, snap, base, checks)
	if err != nil {
		return plumbing.ZeroHash, githost.Status{}, false, err
	}
	st = githost.Status{Context: VerifyContext}
	if rep.OK() {
		st.State = githost.StatusSuccess
		st.Description = fmt.Sprintf("verify passes: %d changed units approved in all stages", rep.Checked)
		return snap.Commit, st, true, nil
	}
	st.State = githost.StatusFailure
	st.Description = waitSummary(snap, base, rep)
	return snap.Commit, st, true, nil
}

// waitSummary is "N units wait: technical 3, expression 2", with the
// rejected and unreadable ones, or verify's first failure when no unit
// waits (a change of OWNERS, a removal, a file that does not parse).
func waitSummary(snap, base *reviews.Snapshot, rep reviews.VerifyReport) string {
	byStage := map[reviews.Stage]int{}
	rejected, other, waiting := 0, 0, 0
	for _, id := range snap.ChangedUnits(base) {
		s := snap.Status(id)
		switch {
		case s.State == reviews.StateApproved:
			continue
		case s.State == reviews.StateRejected:
			rejected++
		case s.State == reviews.StatePending && s.Next != "":
			byStage[s.Next]++
		default:
			other++
		}
		waiting++
	}
	if waiting == 0 {
		return cut(fmt.Sprintf("verify fails (%d problems): %s", len(rep.Failures), oneLine(rep.Failures[0])))
	}
	var parts []string
	for _, stg := range reviews.Stages {
		if n := byStage[stg]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", stg, n))
		}
	}
	if rejected > 0 {
		parts = append(parts, fmt.Sprintf("rejected %d", rejected))
	}
	if other > 0 {
		parts = append(parts, fmt.Sprintf("invalid %d", other))
	}
	noun := "units wait"
	if waiting == 1 {
		noun = "unit waits"
	}
	return cut(fmt.Sprintf("%d %s: %s", waiting, noun, strings.Join(parts, ", ")))
}

// SetVerifyStatus sets the kbops/verify status of the review branch's
// head on the host. The host must have that commit (push first). Setting
// the same verdict again posts nothing (githost.Host.SetStatus). ok is
// false when there is no review branch.
func SetVerifyStatus(ctx context.Context, ws *workspace.Workspace, host githost.Host, checks *reviews.CheckOptions) (StatusReport, bool, error) {
	head, st, ok, err := VerifyStatus(ctx, ws, checks)
	if err != nil || !ok {
		return StatusReport{}, false, err
	}
	changed, err := host.SetStatus(ctx, head.String(), st)
	if err != nil {
		return StatusReport{}, false, fmt.Errorf("the %s status of %s: %w; `kbops review sync` sets it again", VerifyContext, head.String()[:12], err)
	}
	return StatusReport{SHA: head.String(), State: string(st.State), Description: st.Description, Changed: changed}, true, nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func cut(s string) string {
	if r := []rune(s); len(r) > maxDescription {
		return string(r[:maxDescription-1]) + "…"
	}
	return s
}
