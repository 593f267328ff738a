// Package gitea is the git host for Gitea and Forgejo, through their REST
// API (/api/v1) with net/http. It registers as "gitea" and "forgejo".
//
// The API's objects map to githost's as follows: a pull request is a Gitea
// pull request; conversation comments are the pull request's issue
// comments; reviews are its pull reviews (APPROVED, REQUEST_CHANGES,
// COMMENT; PENDING ones are not yet submitted and are skipped; dismissed
// ones are kept); a commit
// status is a Gitea commit status.
package gitea

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kbops/kbops/reviews/githost"
	"github.com/kbops/kbops/sources/gitauth"
)

func init() {
	githost.Default.Register("gitea", New)
	githost.Default.Register("forgejo", New)
}

// pageSize is what Gitea's default MAX_RESPONSE_ITEMS allows.
const pageSize = 50

// Host is a repository on a Gitea or Forgejo server.
type Host struct {
	api    string // …/api/v1/repos/owner/name
	web    string // base URL, for messages
	repo   string
	token  string
	client *http.Client
}

// New opens the repository spec.Repo on the server at spec.URL. The token
// is sent only over https or to a loopback host.
func New(_ context.Context, spec githost.Spec) (githost.Host, error) {
	return Open(spec, nil)
}

// Open is New with an HTTP client of the caller's (nil: a client with a
// 30-second timeout).
func Open(spec githost.Spec, client *http.Client) (*Host, error) {
	if err := spec.Check(); err != nil {
		return nil, err
	}
	if !gitauth.IsHTTP(spec.URL) {
		return nil, fmt.Errorf("git.host.url %q: want an http:// or https:// URL", spec.URL)
	}
	if err := gitauth.CheckSend(spec.URL); err != nil {
		return nil, fmt.Errorf("git.host.url: %w", err)
	}
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	base := strings.TrimRight(spec.URL, "/")
	return &Host{
		api:    base + "/api/v1/repos/" + url.PathEscape(spec.Owner()) + "/" + url.PathEscape(spec.Name()),
		web:    base,
		repo:   spec.Repo,
		token:  spec.Token,
		client: client,
	}, nil
}

// apiError is a non-2xx answer.
type apiError struct {
	method, path string
	status       int
	msg          string
}

func (e *apiError) Error() string {
	return fmt.Sprintf("%s %s: %d %s", e.method, e.path, e.status, e.msg)
}

func (e *apiError) Is(target error) bool {
	return target == githost.ErrNotFound && e.status == http.StatusNotFound
}

// call does one API request on the repository; path is relative to it
// ("/pulls/3"). in is sent as JSON when not nil; out receives the answer.
func (h *Host) call(ctx context.Context, method, path string, in, out any) (http.Header, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.api+path, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if h.token != "" {
		req.Header.Set("Authorization", "token "+h.token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("gitea %s (%s): %w", h.repo, h.web, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	if err != nil {
		return nil, fmt.Errorf("gitea %s: %s %s: reading the answer: %w", h.repo, method, path, err)
	}
	if resp.StatusCode/100 != 2 {
		var m struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(data, &m)
		if m.Message == "" {
			m.Message = strings.TrimSpace(string(data))
			if len(m.Message) > 200 {
				m.Message = m.Message[:200] + "…"
			}
		}
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			m.Message += " (check the token in the environment: it needs read and write access to the repository and its issues)"
		}
		return nil, fmt.Errorf("gitea %s: %w", h.repo, &apiError{method: method, path: path, status: resp.StatusCode, msg: m.Message})
	}
	if out != nil && len(data) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return nil, fmt.Errorf("gitea %s: %s %s: unexpected answer: %w", h.repo, method, path, err)
		}
	}
	return resp.Header, nil
}

type user struct {
	Login string `json:"login"`
}

func (u *user) login() string {
	if u == nil {
		return ""
	}
	return u.Login
}

type branchInfo struct {
	Ref    string `json:"ref"`
	SHA    string `json:"sha"`
	RepoID int64  `json:"repo_id"`
}

type pull struct {
	Number   int         `json:"number"`
	HTMLURL  string      `json:"html_url"`
	Title    string      `json:"title"`
	Body     string      `json:"body"`
	State    string      `json:"state"`
	Merged   bool        `json:"merged"`
	MergedAt *time.Time  `json:"merged_at"`
	MergeSHA *string     `json:"merge_commit_sha"`
	MergedBy *user       `json:"merged_by"`
	Head     *branchInfo `json:"head"`
	Base     *branchInfo `json:"base"`
}

func (p *pull) convert() githost.PullRequest {
	out := githost.PullRequest{Number: p.Number, URL: p.HTMLURL, Title: p.Title, Body: p.Body, State: githost.Open}
	if p.Head != nil {
		out.Head, out.HeadSHA = p.Head.Ref, p.Head.SHA
	}
	if p.Base != nil {
		out.Base = p.Base.Ref
	}
	switch {
	case p.Merged:
		out.State = githost.Merged
		m := &githost.MergeInfo{By: p.MergedBy.login()}
		if p.MergeSHA != nil {
			m.Commit = *p.MergeSHA
		}
		if p.MergedAt != nil {
			m.At = *p.MergedAt
		}
		out.Merge = m
	case p.State == "closed":
		out.State = githost.Closed
	}
	return out
}

// FindPullRequest implements githost.Host.
func (h *Host) FindPullRequest(ctx context.Context, head, base string) (githost.PullRequest, bool, error) {
	for page := 1; ; page++ {
		var ps []pull
		q := url.Values{"state": {"open"}, "base_branch": {base}, "limit": {strconv.Itoa(pageSize)}, "page": {strconv.Itoa(page)}}
		if _, err := h.call(ctx, http.MethodGet, "/pulls?"+q.Encode(), nil, &ps); err != nil {
			return githost.PullRequest{}, false, err
		}
		for i := range ps {
			p := &ps[i]
			// A fork's branch of the same name is someone else's pull
			// request: only the repository's own head branch counts.
			if p.Head != nil && p.Base != nil && p.Head.Ref == head && p.Base.Ref == base && p.Head.RepoID == p.Base.RepoID {
				return p.convert(), true, nil
			}
		}
		if len(ps) < pageSize {
			return githost.PullRequest{}, false, nil
		}
	}
}

// EnsurePullRequest implements githost.Host.
func (h *Host) EnsurePullRequest(ctx context.Context, s githost.PullRequestSpec) (githost.PullRequest, githost.Change, error) {
	if s.Head == "" || s.Base == "" || strings.TrimSpace(s.Title) == "" {
		return githost.PullRequest{}, githost.Unchanged, fmt.Errorf("gitea %s: a pull request needs a head branch, a base branch and a title", h.repo)
	}
	cur, ok, err := h.FindPullRequest(ctx, s.Head, s.Base)
	if err != nil {
		return githost.PullRequest{}, githost.Unchanged, err
	}
	if !ok {
		var p pull
		in := map[string]any{"head": s.Head, "base": s.Base, "title": s.Title, "body": s.Body}
		if _, err := h.call(ctx, http.MethodPost, "/pulls", in, &p); err != nil {
			return githost.PullRequest{}, githost.Unchanged, fmt.Errorf("opening the pull request %s → %s: %w", s.Head, s.Base, err)
		}
		return p.convert(), githost.Opened, nil
	}
	if sameText(cur.Title, s.Title) && sameText(cur.Body, s.Body) {
		return cur, githost.Unchanged, nil
	}
	var p pull
	in := map[string]any{"title": s.Title, "body": s.Body}
	if _, err := h.call(ctx, http.MethodPatch, "/pulls/"+strconv.Itoa(cur.Number), in, &p); err != nil {
		return githost.PullRequest{}, githost.Unchanged, fmt.Errorf("updating pull request #%d: %w", cur.Number, err)
	}
	return p.convert(), githost.Updated, nil
}

// sameText compares texts as the host keeps them: Gitea stores a body as
// sent, but browsers and the API may turn line ends into CRLF and trim.
func sameText(a, b string) bool {
	norm := func(s string) string { return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")) }
	return norm(a) == norm(b)
}

// PullRequest implements githost.Host.
func (h *Host) PullRequest(ctx context.Context, number int) (githost.PullRequest, error) {
	var p pull
	if _, err := h.call(ctx, http.MethodGet, "/pulls/"+strconv.Itoa(number), nil, &p); err != nil {
		return githost.PullRequest{}, err
	}
	return p.convert(), nil
}

type comment struct {
	ID      int64     `json:"id"`
	HTMLURL string    `json:"html_url"`
	User    *user     `json:"user"`
	Body    string    `json:"body"`
	Created time.Time `json:"created_at"`
}

func (c *comment) event() githost.Event {
	return githost.Event{ID: "comment-" + strconv.FormatInt(c.ID, 10), Kind: githost.KindComment, Author: c.User.login(), Body: c.Body, URL: c.HTMLURL, At: c.Created}
}

// Comment implements githost.Host.
func (h *Host) Comment(ctx context.Context, number int, body string) (githost.Event, error) {
	var c comment
	if _, err := h.call(ctx, http.MethodPost, "/issues/"+strconv.Itoa(number)+"/comments", map[string]string{"body": body}, &c); err != nil {
		return githost.Event{}, fmt.Errorf("commenting on pull request #%d: %w", number, err)
	}
	return c.event(), nil
}

type review struct {
	ID        int64     `json:"id"`
	User      *user     `json:"user"`
	State     string    `json:"state"`
	Body      string    `json:"body"`
	CommitID  string    `json:"commit_id"`
	Submitted time.Time `json:"submitted_at"`
	HTMLURL   string    `json:"html_url"`
}

var reviewKinds = map[string]githost.EventKind{
	"APPROVED":        githost.KindApproved,
	"REQUEST_CHANGES": githost.KindChangesRequested,
	"COMMENT":         githost.KindReviewed,
}

// cursor is the position Events keeps: the highest comment id seen, and
// the ids of the reviews returned. Reviews need the set rather than a
// high-water mark: a draft gets its id when it is started, is invisible to
// other accounts while pending, and keeps the id when it is submitted, so
// it can appear below reviews already returned. A pull request has few
// reviews; the set is written as id ranges.
type cursor struct {
	comment int64
	seen    map[int64]bool
}

func parseCursor(c githost.Cursor) (cursor, error) {
	out := cursor{seen: map[int64]bool{}}
	if c == "" {
		return out, nil
	}
	bad := fmt.Errorf("gitea: bad event cursor %q: start again from the zero cursor", c)
	for _, f := range strings.Split(string(c), ";") {
		k, v, _ := strings.Cut(f, "=")
		switch k {
		case "c":
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return out, bad
			}
			out.comment = n
		case "r":
			for _, part := range strings.Split(v, ",") {
				if part == "" {
					continue
				}
				lo, hi, isRange := strings.Cut(part, "-")
				a, err := strconv.ParseInt(lo, 10, 64)
				if err != nil {
					return out, bad
				}
				b := a
				if isRange {
					if b, err = strconv.ParseInt(hi, 10, 64); err != nil || b < a || b-a > 1<<20 {
						return out, bad
					}
				}
				for id := a; id <= b; id++ {
					out.seen[id] = true
				}
			}
		default:
			return out, bad
		}
	}
	return out, nil
}

func (c cursor) String() githost.Cursor {
	ids := make([]int64, 0, len(c.seen))
	for id := range c.seen {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var parts []string
	for i := 0; i < len(ids); {
		j := i
		for j+1 < len(ids) && ids[j+1] == ids[j]+1 {
			j++
		}
		if j > i {
			parts = append(parts, strconv.FormatInt(ids[i], 10)+"-"+strconv.FormatInt(ids[j], 10))
		} else {
			parts = append(parts, strconv.FormatInt(ids[i], 10))
		}
		i = j + 1
	}
	return githost.Cursor("c=" + strconv.FormatInt(c.comment, 10) + ";r=" + strings.Join(parts, ","))
}

// Events implements githost.Host.
func (h *Host) Events(ctx context.Context, number int, since githost.Cursor) ([]githost.Event, githost.Cursor, error) {
	cur, err := parseCursor(since)
	if err != nil {
		return nil, since, err
	}
	n := strconv.Itoa(number)
	// Gitea returns all of an issue's comments in one answer.
	var cs []comment
	if _, err := h.call(ctx, http.MethodGet, "/issues/"+n+"/comments", nil, &cs); err != nil {
		return nil, since, fmt.Errorf("reading the comments of pull request #%d: %w", number, err)
	}
	var rs []review
	for page := 1; ; page++ {
		var p []review
		q := url.Values{"limit": {strconv.Itoa(pageSize)}, "page": {strconv.Itoa(page)}}
		if _, err := h.call(ctx, http.MethodGet, "/pulls/"+n+"/reviews?"+q.Encode(), nil, &p); err != nil {
			return nil, since, fmt.Errorf("reading the reviews of pull request #%d: %w", number, err)
		}
		rs = append(rs, p...)
		if len(p) < pageSize {
			break
		}
	}

	next := cursor{comment: cur.comment, seen: cur.seen}
	var out []githost.Event
	for i := range cs {
		c := &cs[i]
		if c.ID > cur.comment {
			out = append(out, c.event())
		}
		next.comment = max(next.comment, c.ID)
	}
	for i := range rs {
		r := &rs[i]
		// PENDING (a draft, listed to its author only) and REQUEST_REVIEW
		// are not submitted reviews.
		kind, submitted := reviewKinds[r.State]
		// Dismissed reviews are events too: Gitea dismisses a reviewer's
		// earlier review when they submit a newer one, so leaving them out
		// would make what kbops sees depend on when it looked.
		if !submitted || next.seen[r.ID] {
			continue
		}
		next.seen[r.ID] = true
		out = append(out, githost.Event{
			ID: "review-" + strconv.FormatInt(r.ID, 10), Kind: kind, Author: r.User.login(), Body: r.Body,
			CommitSHA: r.CommitID, URL: r.HTMLURL, At: r.Submitted,
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, next.String(), nil
}

// SetStatus implements githost.Host. Gitea stores every status posted
// (each with the next index), so the newest one of the context is read
// first and a repeat is not posted.
func (h *Host) SetStatus(ctx context.Context, sha string, s githost.Status) (bool, error) {
	if sha == "" || s.Context == "" {
		return false, fmt.Errorf("gitea %s: a commit status needs a commit and a context", h.repo)
	}
	switch s.State {
	case githost.StatusPending, githost.StatusSuccess, githost.StatusFailure, githost.StatusError:
	default:
		return false, fmt.Errorf("gitea %s: commit status state %q: want pending, success, failure or error", h.repo, s.State)
	}
	cur, ok, err := h.newestStatus(ctx, sha, s.Context)
	if err != nil {
		return false, err
	}
	if ok && cur == s {
		return false, nil
	}
	in := map[string]string{"state": string(s.State), "context": s.Context, "description": s.Description, "target_url": s.TargetURL}
	if _, err := h.call(ctx, http.MethodPost, "/statuses/"+url.PathEscape(sha), in, nil); err != nil {
		return false, fmt.Errorf("setting status %s on %s: %w", s.Context, sha, err)
	}
	return true, nil
}

// newestStatus is the newest status of context on sha.
func (h *Host) newestStatus(ctx context.Context, sha, context string) (githost.Status, bool, error) {
	for page := 1; page <= 20; page++ {
		var list []struct {
			Context     string `json:"context"`
			State       string `json:"status"`
			Description string `json:"description"`
			TargetURL   string `json:"target_url"`
		}
		// "leastindex" is index descending, newest first: creation times
		// have whole seconds and do not order statuses of one second.
		q := url.Values{"sort": {"leastindex"}, "limit": {"50"}, "page": {strconv.Itoa(page)}}
		if _, err := h.call(ctx, http.MethodGet, "/statuses/"+url.PathEscape(sha)+"?"+q.Encode(), nil, &list); err != nil {
			return githost.Status{}, false, fmt.Errorf("reading the statuses of %s: %w", sha, err)
		}
		for _, st := range list {
			if st.Context == context {
				return githost.Status{Context: st.Context, State: githost.StatusState(st.State), Description: st.Description, TargetURL: st.TargetURL}, true, nil
			}
		}
		if len(list) < 50 {
			break
		}
	}
	return githost.Status{}, false, nil
}

// CommentLines implements githost.Host: one COMMENT review whose
// comments name the new file's line (new_position).
func (h *Host) CommentLines(ctx context.Context, number int, sha, body string, cs []githost.LineComment) error {
	if len(cs) == 0 {
		return nil
	}
	type lineComment struct {
		Path string `json:"path"`
		Body string `json:"body"`
		Line int    `json:"new_position"`
	}
	in := struct {
		Event    string        `json:"event"`
		Body     string        `json:"body"`
		CommitID string        `json:"commit_id"`
		Comments []lineComment `json:"comments"`
	}{Event: "COMMENT", Body: body, CommitID: sha}
	for _, c := range cs {
		if c.Path == "" || c.Line <= 0 {
			return fmt.Errorf("gitea %s: a line comment needs a path and a line ≥ 1 (got %q:%d)", h.repo, c.Path, c.Line)
		}
		in.Comments = append(in.Comments, lineComment{Path: c.Path, Body: c.Body, Line: c.Line})
	}
	if _, err := h.call(ctx, http.MethodPost, "/pulls/"+strconv.Itoa(number)+"/reviews", in, nil); err != nil {
		return fmt.Errorf("commenting on %d line(s) of pull request #%d: %w", len(cs), number, err)
	}
	return nil
}

// LineComments implements githost.Host: the comments of every review that
// has any.
func (h *Host) LineComments(ctx context.Context, number int) ([]githost.LineComment, error) {
	n := strconv.Itoa(number)
	var out []githost.LineComment
	var ids []int64
	for page := 1; ; page++ {
		var rs []struct {
			ID       int64 `json:"id"`
			Comments int   `json:"comments_count"`
		}
		q := url.Values{"limit": {strconv.Itoa(pageSize)}, "page": {strconv.Itoa(page)}}
		if _, err := h.call(ctx, http.MethodGet, "/pulls/"+n+"/reviews?"+q.Encode(), nil, &rs); err != nil {
			return nil, fmt.Errorf("reading the reviews of pull request #%d: %w", number, err)
		}
		for _, r := range rs {
			if r.Comments == 0 {
				continue
			}
			var cs []struct {
				ID   int64  `json:"id"`
				Path string `json:"path"`
				Body string `json:"body"`
				User *user  `json:"user"`
				Line int    `json:"position"`
			}
			if _, err := h.call(ctx, http.MethodGet, "/pulls/"+n+"/reviews/"+strconv.FormatInt(r.ID, 10)+"/comments", nil, &cs); err != nil {
				return nil, fmt.Errorf("reading the line comments of pull request #%d: %w", number, err)
			}
			for _, c := range cs {
				ids = append(ids, c.ID)
				out = append(out, githost.LineComment{Path: c.Path, Line: c.Line, Body: c.Body, Author: c.User.login()})
			}
		}
		if len(rs) < pageSize {
			// Gitea lists a review's comments in no fixed order; ids grow
			// as comments are made, so they give "oldest first".
			idx := make([]int, len(out))
			for i := range idx {
				idx[i] = i
			}
			sort.SliceStable(idx, func(a, b int) bool { return ids[idx[a]] < ids[idx[b]] })
			sorted := make([]githost.LineComment, len(out))
			for i, j := range idx {
				sorted[i] = out[j]
			}
			return sorted, nil
		}
	}
}

var _ githost.Host = (*Host)(nil)
