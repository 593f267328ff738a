package hostsync

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews/githost"
)

// WebhookPath is where `kbops serve` receives the git host's webhook
// deliveries on its HTTP port.
const WebhookPath = "/hooks/git-host"

// maxWebhookBody bounds what a delivery may send: Gitea's payloads are a
// few kilobytes, with the pull request and repository in them.
const maxWebhookBody = 4 << 20

// WebhookHandler answers the host's webhook deliveries. A delivery whose
// signature does not verify against secret (or that has none) is answered
// 401, logged with the sender's address, and nothing else happens. A
// verified comment or review event calls onEvent, a merged pull request
// onMerged; both only schedule work (the sync, the publish) and the
// delivery is answered 202 at once, since hosts give up on slow answers
// (Gitea after its DELIVER_TIMEOUT). Other verified events are answered
// 200 and ignored. The handler reads nothing from a delivery but the pull
// request's number: what happened is read back through the API.
func WebhookHandler(p githost.WebhookParser, secret []byte, log *slog.Logger, onEvent, onMerged func(githost.Hook)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "POST a webhook delivery here", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxWebhookBody+1))
		if err != nil {
			http.Error(w, "reading the delivery failed", http.StatusBadRequest)
			return
		}
		if len(body) > maxWebhookBody {
			http.Error(w, "delivery too large", http.StatusRequestEntityTooLarge)
			return
		}
		hook, err := p.ParseWebhook(r.Header, body, secret)
		if errors.Is(err, githost.ErrBadSignature) {
			log.Warn("webhook refused: bad signature", "remote", r.RemoteAddr, "path", r.URL.Path, "bytes", len(body), "err", err.Error())
			http.Error(w, "signature does not verify", http.StatusUnauthorized)
			return
		}
		if err != nil {
			log.Warn("webhook refused", "remote", r.RemoteAddr, "err", err.Error())
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		attrs := []any{"event", hook.Event, "delivery", hook.Delivery, "pull_request", hook.PullRequest}
		switch hook.Kind {
		case githost.HookEvent:
			log.Info("webhook: pull-request event, syncing", attrs...)
			onEvent(hook)
		case githost.HookMerged:
			log.Info("webhook: pull request merged", attrs...)
			onMerged(hook)
		default:
			log.Debug("webhook ignored", attrs...)
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
}

// MergeReport is what CheckMerge found.
type MergeReport struct {
	PullRequest int    `json:"pull_request"`
	State       string `json:"state"`
	// Ours is set when the pull request is the review branch's into main.
	Ours bool `json:"ours"`
	// Method is merge (a merge commit with the review branch's head as a
	// parent), fast-forward (main moved to that head), squash-or-rebase
	// (main holds new commits instead), or unknown (the head is not in the
	// repository). "" when not merged.
	Method string `json:"method,omitempty"`
	Commit string `json:"commit,omitempty"`
	// Main is main's head after the fetch.
	Main string `json:"main,omitempty"`
	// Warning is the problem reported in the pull request, if any;
	// Reported says whether this run posted it.
	Warning  string `json:"warning,omitempty"`
	Reported bool   `json:"reported,omitempty"`
}

// MergeMethod is how a pull request whose head was head got merged into
// the commit merge, read from git: hosts do not all report the method.
func MergeMethod(ctx context.Context, ws *workspace.Workspace, head, merge plumbing.Hash) (string, error) {
	c, err := ws.Repo.Git.CommitObject(merge)
	if err != nil {
		return "", fmt.Errorf("the merge commit %s: %w", merge, err)
	}
	if _, err := ws.Repo.Git.CommitObject(head); err != nil {
		return "unknown", nil
	}
	if len(c.ParentHashes) >= 2 && slices.Contains(c.ParentHashes[1:], head) {
		return "merge", nil
	}
	if ok, err := ws.Repo.IsAncestor(head, merge); err != nil {
		return "", err
	} else if ok {
		if len(c.ParentHashes) >= 2 {
			return "merge", nil
		}
		return "fast-forward", nil
	}
	return "squash-or-rebase", nil
}

// CheckMerge reads pull request number. When it is the review branch's
// pull request into main and merged, it fetches main from git.remote and
// moves the local main to it, so that the next publish (release.Publish)
// publishes what the host merged, and reads how it was merged: a squash or
// a rebase puts new commits on main in place of the reviewers' decision
// commits, so their authorship (and signatures) is lost and `kbops review
// verify` cannot attribute the approvals on main; that is logged by the
// caller and said once in the pull request. Callers hold the repository
// write lock (ctx).
func CheckMerge(ctx context.Context, ws *workspace.Workspace, host githost.Host, number int) (MergeReport, error) {
	cfg := ws.Config
	rep := MergeReport{PullRequest: number}
	pr, err := host.PullRequest(ctx, number)
	if err != nil {
		return rep, err
	}
	rep.State = string(pr.State)
	rep.Ours = pr.Head == cfg.Review.Branch && pr.Base == cfg.Review.Main
	if pr.State != githost.Merged || !rep.Ours || pr.Merge == nil || pr.Merge.Commit == "" {
		return rep, nil
	}
	rep.Commit = pr.Merge.Commit
	token := os.Getenv(config.EnvGitToken)
	mainHead, ok, err := ws.Repo.Fetch(ctx, cfg.Git.Remote, cfg.Review.Main, token)
	if err != nil {
		return rep, err
	}
	if !ok {
		return rep, fmt.Errorf("git.remote has no branch %s after pull request #%d was merged into it", cfg.Review.Main, number)
	}
	rep.Main = mainHead.String()
	if err := ws.Advance(ctx, cfg.Review.Main, mainHead); err != nil {
		return rep, err
	}
	if rep.Method, err = MergeMethod(ctx, ws, plumbing.NewHash(pr.HeadSHA), plumbing.NewHash(rep.Commit)); err != nil {
		return rep, err
	}
	short := rep.Commit
	if len(short) > 12 {
		short = short[:12]
	}
	switch rep.Method {
	case "merge", "fast-forward":
		return rep, nil
	case "unknown":
		rep.Warning = fmt.Sprintf("kbops could not check how pull request #%d was merged: its head %s is not in the repository.", number, pr.HeadSHA)
	default:
		rep.Warning = fmt.Sprintf("Pull request #%d was merged by squash or rebase (commit %s on %s), not with a merge commit. "+
			"Main now holds new commits in place of the reviewers' decision commits, so their authorship (and signatures) is lost: "+
			"`kbops review verify` cannot attribute the approvals on %s, and `kbops publish` leaves those units out. "+
			"Revert %s on %s and merge the pull request again with \"Create merge commit\"; allow only merge commits in the repository's settings.",
			number, short, cfg.Review.Main, cfg.Review.Main, short, cfg.Review.Main)
	}
	reported, err := loadState(ws, mergeFile)
	if err != nil {
		return rep, err
	}
	key := cursorKey(cfg.Git.Host.URL, cfg.Git.Host.Repo, number)
	if reported[key] == rep.Commit {
		return rep, nil
	}
	if _, err := host.Comment(ctx, number, rep.Warning); err != nil {
		return rep, fmt.Errorf("reporting the merge of pull request #%d: %w", number, err)
	}
	rep.Reported = true
	reported[key] = rep.Commit
	return rep, saveState(ws, mergeFile, reported)
}

// mergeFile keeps the merges already reported, so that a delivery of the
// same merge again comments nothing.
const mergeFile = "githost-merges.json"

func loadState(ws *workspace.Workspace, name string) (map[string]string, error) {
	p, err := ws.State(name)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %w; delete it", p, err)
	}
	return out, nil
}

func saveState(ws *workspace.Workspace, name string, m map[string]string) error {
	p, err := ws.State(name)
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return writeAtomic(p, append(b, '\n'))
}

// writeAtomic replaces p through a temporary file in its folder.
func writeAtomic(p string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(p), filepath.Base(p)+".*")
	if err != nil {
		return fmt.Errorf("saving %s: %w", p, err)
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return fmt.Errorf("saving %s: %w", p, err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("saving %s: %w", p, err)
	}
	if err := os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("saving %s: %w", p, err)
	}
	return nil
}
