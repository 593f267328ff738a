// Package githost is the plugin kind for the git host a knowledge
// repository lives on (Gitea, Forgejo; GitHub and GitLab later): the place
// where knowledge owners read the review branch as a pull request, approve
// or reject it, and see kbops' verdict as a commit status.
//
// A Host is deliberately small: it knows one repository and speaks only of
// pull requests, their conversation and commit statuses, in terms every
// host has (docs/review-model.md, "Git hosts", maps them for GitHub and
// GitLab). Everything kbops decides — which units wait, who may approve —
// stays in package reviews; a host only carries text in and events out.
package githost

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// Host is one repository on a git host, reached with one account's token.
// Implementations must be safe for use by one goroutine at a time, honour
// ctx cancellation, and return errors that name the host and what failed.
type Host interface {
	// EnsurePullRequest opens a pull request from p.Head into p.Base, or,
	// when one is open already, sets its title and body to p's. It edits
	// nothing when the open one already has p's title and body, so that
	// calling it again with the same text is a no-op on the host; the
	// returned Change says what it did.
	EnsurePullRequest(ctx context.Context, p PullRequestSpec) (PullRequest, Change, error)
	// FindPullRequest returns the open pull request from head into base;
	// ok is false when there is none.
	FindPullRequest(ctx context.Context, head, base string) (pr PullRequest, ok bool, err error)
	// PullRequest returns the pull request with this number in any state,
	// with its merge state. A missing one is an error wrapping ErrNotFound.
	PullRequest(ctx context.Context, number int) (PullRequest, error)
	// Comment posts a comment in the pull request's conversation.
	Comment(ctx context.Context, number int, body string) (Event, error)
	// Events returns the conversation comments and submitted reviews of
	// the pull request that are newer than the cursor, oldest first, and
	// the cursor to pass next time. The zero Cursor means from the start.
	// An event is returned once per cursor: later edits of a comment do
	// not return it again. Pending (unsubmitted) reviews are left out.
	Events(ctx context.Context, number int, since Cursor) ([]Event, Cursor, error)
	// SetStatus sets the commit status s.Context on the commit sha; a
	// newer status of the same context replaces the older one on the host.
	// It adds nothing when the newest status of s.Context on sha already
	// has s's state, description and target URL (hosts keep every status
	// posted, so a poll that repeats its verdict would otherwise grow the
	// list); changed says whether it posted one.
	SetStatus(ctx context.Context, sha string, s Status) (changed bool, err error)
	// LineComments returns the comments on file lines of the pull
	// request's diff (review comments), by any account, oldest first.
	LineComments(ctx context.Context, number int) ([]LineComment, error)
	// CommentLines posts comments on lines of files the pull request
	// changes, as they are at commit sha (its head), in one review that
	// only comments, with body as the review's text. Nothing is posted
	// for an empty list.
	CommentLines(ctx context.Context, number int, sha, body string, comments []LineComment) error
}

// LineComment is a comment on one line of a file in a pull request.
type LineComment struct {
	Path string // repository path
	Line int    // 1-based line of the file at the commit commented on
	Body string // Markdown
	// Author is the host account that wrote it (set by LineComments).
	Author string
}

// ErrNotFound is wrapped by errors for a pull request (or repository) the
// host does not have.
var ErrNotFound = errors.New("not found on the git host")

// PullRequestSpec is what kbops wants a pull request to say.
type PullRequestSpec struct {
	Head  string // branch with the changes, e.g. kbops/review
	Base  string // branch it merges into, e.g. main
	Title string
	Body  string // Markdown
}

// Change says what EnsurePullRequest did.
type Change int

const (
	// Unchanged: the open pull request already said the same.
	Unchanged Change = iota
	// Opened a new pull request.
	Opened
	// Updated the title or body of the open pull request.
	Updated
)

func (c Change) String() string {
	switch c {
	case Opened:
		return "opened"
	case Updated:
		return "updated"
	default:
		return "unchanged"
	}
}

// State of a pull request.
type State string

const (
	Open   State = "open"
	Closed State = "closed" // closed without merging
	Merged State = "merged"
)

// PullRequest is a pull request as the host shows it.
type PullRequest struct {
	Number  int
	URL     string // the web page a person opens
	Title   string
	Body    string
	Head    string // head branch
	HeadSHA string // the commit the head branch points at
	Base    string
	State   State
	// Merge is set when State is Merged.
	Merge *MergeInfo
}

// MergeInfo is how a pull request was merged. Whether it was a true merge
// (two parents), a squash or a rebase is read from Commit in git: hosts do
// not all report the method.
type MergeInfo struct {
	Commit string // the commit on the base branch that holds the merge
	By     string // host account that merged
	At     time.Time
}

// EventKind is what a reviewer did.
type EventKind string

const (
	// KindComment is a comment in the conversation.
	KindComment EventKind = "comment"
	// KindApproved is a submitted review that approves.
	KindApproved EventKind = "approved"
	// KindChangesRequested is a submitted review that requests changes.
	KindChangesRequested EventKind = "changes-requested"
	// KindReviewed is a submitted review that only comments.
	KindReviewed EventKind = "reviewed"
)

// Event is one comment or submitted review in a pull request.
type Event struct {
	// ID is unique for the host's repository and stable: recording it
	// makes handling an event twice detectable. It starts with the kind
	// of object ("comment-", "review-") because hosts number them apart.
	ID     string
	Kind   EventKind
	Author string // host account (login)
	Body   string
	// CommitSHA is the head the review was submitted on; "" for comments,
	// which hosts do not tie to a commit.
	CommitSHA string
	URL       string
	At        time.Time
}

// Cursor is an opaque position in a pull request's events, kept by the
// caller between calls to Events. Its text is host-specific and stable
// across runs, so it may be stored.
type Cursor string

// StatusState is a commit status' state.
type StatusState string

const (
	StatusPending StatusState = "pending"
	StatusSuccess StatusState = "success"
	StatusFailure StatusState = "failure"
	StatusError   StatusState = "error"
)

// Status is a commit status: a named check's verdict on one commit, which
// branch protection can require.
type Status struct {
	Context     string // e.g. kbops/verify
	State       StatusState
	Description string // one line; hosts cut long ones
	TargetURL   string // optional
}

// Spec is what a Host is opened with (git.host in kbops.yaml).
type Spec struct {
	Kind  string // registered name: gitea, forgejo, …
	URL   string // the host's base URL, e.g. https://git.example.com
	Repo  string // owner/name
	Token string // the account's API token; never from the config file
}

// Owner and Name split Spec.Repo.
func (s Spec) Owner() string { o, _, _ := strings.Cut(s.Repo, "/"); return o }

// Name is the repository part of Spec.Repo.
func (s Spec) Name() string { _, n, _ := strings.Cut(s.Repo, "/"); return n }

// Check reports the first problem of a spec that no host could use.
func (s Spec) Check() error {
	if s.URL == "" {
		return errors.New("git.host.url is empty: set it to the host's address, e.g. https://git.example.com")
	}
	o, n, ok := strings.Cut(s.Repo, "/")
	if !ok || o == "" || n == "" || strings.Contains(n, "/") {
		return fmt.Errorf("git.host.repo %q: want owner/name", s.Repo)
	}
	return nil
}

// Factory opens a Host for a spec. It checks the spec but need not reach
// the host.
type Factory func(ctx context.Context, spec Spec) (Host, error)

// Registry holds the host plugins. The zero value is empty; Default is
// filled by the plugins' init functions.
type Registry struct {
	mu    sync.RWMutex
	kinds map[string]Factory
}

// Default is the registry built-in hosts register with in init().
var Default = &Registry{}

// Register adds a host kind.
func (r *Registry) Register(kind string, f Factory) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.kinds == nil {
		r.kinds = map[string]Factory{}
	}
	r.kinds[kind] = f
}

// Kinds returns the registered kinds, sorted.
func (r *Registry) Kinds() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.kinds))
	for k := range r.kinds {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Open makes the Host a spec names.
func (r *Registry) Open(ctx context.Context, spec Spec) (Host, error) {
	r.mu.RLock()
	f, ok := r.kinds[spec.Kind]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("git.host.kind %q: no such git host (known: %s)", spec.Kind, strings.Join(r.Kinds(), ", "))
	}
	if err := spec.Check(); err != nil {
		return nil, err
	}
	return f(ctx, spec)
}

// ErrBadSignature is wrapped by WebhookParser errors for a delivery that
// is not signed with the webhook's secret (or not signed at all).
var ErrBadSignature = errors.New("webhook signature does not verify")

// WebhookParser is implemented by hosts whose webhook deliveries kbops
// serve can receive.
type WebhookParser interface {
	// ParseWebhook checks the delivery's signature against secret before
	// reading anything else of it, then says what it reports. An unsigned
	// or wrongly signed delivery, or an empty secret, is an error wrapping
	// ErrBadSignature; a signed delivery kbops does not act on is a Hook
	// of kind HookIgnored.
	ParseWebhook(header http.Header, body []byte, secret []byte) (Hook, error)
}

// HookKind is what a webhook delivery means to kbops.
type HookKind string

const (
	// HookEvent: a comment or review in a pull request; the conversation
	// is read again with Events.
	HookEvent HookKind = "event"
	// HookMerged: a pull request was merged.
	HookMerged HookKind = "merged"
	// HookIgnored: anything else (a push, an edit, a label).
	HookIgnored HookKind = "ignored"
)

// Hook is a verified webhook delivery. It carries no more than which pull
// request to look at: what happened is read back through the API, so
// that a delivery never says more than the host does.
type Hook struct {
	Kind HookKind
	// Delivery is the host's id of the delivery, for logs.
	Delivery string
	// Event is the host's name of the event, for logs.
	Event string
	// PullRequest is the pull request's number; 0 when the event is not
	// about one.
	PullRequest int
}
