package workspace

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/pipeline/config"
)

// ErrNoRemote is returned by the remote operations when kbops.yaml names
// no git.remote.
var ErrNoRemote = errors.New("git.remote is not set in kbops.yaml (a remote name such as origin, or a URL)")

// SyncFromClone starts the local review branch and main from the clone's
// remote-tracking branches (git.remote when it is a remote of the clone,
// else origin) when there are no local ones, or moves them forward when
// the remote's are ahead: a reviewer works in a fresh clone of the remote.
func (w *Workspace) SyncFromClone(ctx context.Context) error {
	remote := "origin"
	if r := w.Config.Git.Remote; r != "" {
		if _, err := w.Repo.Git.Remote(r); err == nil {
			remote = r
		}
	}
	for _, b := range []string{w.Config.Review.Branch, w.Config.Review.Main} {
		h, ok := w.Repo.RemoteBranch(remote, b)
		if !ok {
			continue
		}
		if err := w.Advance(ctx, b, h); err != nil {
			return err
		}
	}
	return nil
}

// FetchReviewBranch fetches the review branch from git.remote (token from
// $KBOPS_GIT_TOKEN) and moves the local one to it when it is behind.
func (w *Workspace) FetchReviewBranch(ctx context.Context) error {
	if w.Config.Git.Remote == "" {
		return ErrNoRemote
	}
	h, ok, err := w.Repo.Fetch(ctx, w.Config.Git.Remote, w.Config.Review.Branch, os.Getenv(config.EnvGitToken))
	if err != nil || !ok {
		return err
	}
	return w.Advance(ctx, w.Config.Review.Branch, h)
}

// Advance moves a local branch to h when it is missing or an ancestor of
// h; a local branch ahead of h stays, and diverged branches are an error
// telling the user how to reconcile them.
func (w *Workspace) Advance(ctx context.Context, branch string, h plumbing.Hash) error {
	_, release, err := w.Repo.WriteLock(ctx, "kbops: move "+branch+" to the remote's", true)
	if err != nil {
		return err
	}
	defer release()
	local, ok, err := w.Repo.Branch(branch)
	if err != nil {
		return err
	}
	if ok {
		if local == h {
			return nil
		}
		behind, err := w.Repo.IsAncestor(local, h)
		if err != nil {
			return err
		}
		if !behind {
			if ahead, _ := w.Repo.IsAncestor(h, local); ahead {
				return nil
			}
			return fmt.Errorf("local branch %s and the remote's have diverged; reconcile them with git (git pull --rebase is fine: approvals are files)", branch)
		}
	}
	return w.Repo.MoveBranch(branch, local, h)
}

// PushBranch pushes branch to git.remote (token from $KBOPS_GIT_TOKEN).
func (w *Workspace) PushBranch(ctx context.Context, branch string, force bool) error {
	if w.Config.Git.Remote == "" {
		return ErrNoRemote
	}
	if err := w.Repo.PushBranch(ctx, w.Config.Git.Remote, branch, os.Getenv(config.EnvGitToken), force); err != nil {
		return fmt.Errorf("%w; fetch again (--push does) and repeat the command", err)
	}
	return nil
}
