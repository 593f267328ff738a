package reviews

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// RehashOptions says where Rehash looks and who it commits as.
type RehashOptions struct {
	// Branch is the review branch the new versions are committed to.
	Branch string
	// Main is where the review branch starts when it does not exist.
	Main string
	// Author is "Name <email>" of the commit; as the version's author they
	// may not review it.
	Author string
	Now    time.Time
}

// RehashResult lists what Rehash did.
type RehashResult struct {
	Commit plumbing.Hash
	// Units were rehashed: each is a new version waiting for review.
	Units []string
	// Problems are unit files wrong in another way than their hash; they
	// are left as they are, each error naming the file and field.
	Problems []error
}

// Rehash turns unit files edited by hand into new versions for review:
// for each unit file on the review branch (main when there is none) whose
// content_hash no longer matches its content, it computes the hash,
// raises the version by one and commits the files to the review branch,
// so the edit goes through the three stages like any change. Approvals of
// the old version do not carry over. Files with other errors are reported
// and not touched.
func Rehash(ctx context.Context, r *kbrepo.Repo, o RehashOptions) (RehashResult, error) {
	ctx, unlock, err := r.WriteLock(ctx, "kbops review rehash", true)
	if err != nil {
		return RehashResult{}, err
	}
	defer unlock()
	var res RehashResult
	head, ok, err := r.Branch(o.Branch)
	if err != nil {
		return res, err
	}
	if !ok {
		if head, ok, err = r.Branch(o.Main); err != nil {
			return res, err
		} else if !ok {
			return res, fmt.Errorf("neither %s nor %s exists: nothing to rehash", o.Branch, o.Main)
		}
	}
	t, err := r.Tree(head)
	if err != nil {
		return res, err
	}
	paths := make([]string, 0, len(t))
	for p := range t {
		if _, ok := knowledge.IDFromPath(p); ok {
			paths = append(paths, p)
		}
	}
	sort.Strings(paths)
	var changes []kbrepo.Change
	for _, p := range paths {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		b, err := r.Read(t[p].Hash)
		if err != nil {
			return res, err
		}
		u, err := knowledge.Parse(p, b)
		if err == nil {
			continue
		}
		var fe *knowledge.FileError
		if !errors.As(err, &fe) || fe.Field != "content_hash" {
			res.Problems = append(res.Problems, err)
			continue
		}
		u.ContentHash = knowledge.ComputeHash(u)
		u.Version++
		if err := u.Validate(); err != nil {
			res.Problems = append(res.Problems, fmt.Errorf("%s: %w", p, err))
			continue
		}
		out, err := knowledge.Marshal(u)
		if err != nil {
			return res, fmt.Errorf("%s: %w", p, err)
		}
		changes = append(changes, kbrepo.Change{Path: p, Data: out})
		res.Units = append(res.Units, u.ID)
	}
	if len(changes) == 0 {
		return res, nil
	}
	sig, err := kbrepo.Signature(o.Author, o.Now)
	if err != nil {
		return res, fmt.Errorf("author: %w", err)
	}
	msg := fmt.Sprintf("rehash: %d unit(s) edited by hand become new versions for review\n\n", len(res.Units))
	for i, id := range res.Units {
		if i == 200 {
			msg += fmt.Sprintf("- … and %d more\n", len(res.Units)-200)
			break
		}
		msg += "- " + id + "\n"
	}
	if res.Commit, err = r.Commit(ctx, kbrepo.CommitOptions{Branch: o.Branch, Parents: []plumbing.Hash{head}, Changes: changes, Message: msg, Author: sig}); err != nil {
		return res, fmt.Errorf("commit the rehashed units to %s: %w", o.Branch, err)
	}
	return res, nil
}

// Summary is the one-line account of a rehash for run reports.
func (r RehashResult) Summary() string {
	return fmt.Sprintf("rehashed %d unit(s), %d left with other errors", len(r.Units), len(r.Problems))
}
