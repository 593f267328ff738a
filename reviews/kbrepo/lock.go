package kbrepo

import (
	"context"
	"path/filepath"
)

// Locker takes a repository's cross-process write lock. wait false returns
// an error at once while another process holds it (naming the holder);
// wait true waits until it is free or ctx ends.
type Locker interface {
	Lock(ctx context.Context, what string, wait bool) (release func() error, err error)
}

type writeLockKey struct{ dir string }

// WriteLock takes the repository's write lock for what (a command name,
// shown to a waiting process) and returns ctx marked as holding it. Every
// function that moves a branch takes it itself, so one writer at a time
// reads and moves a branch tip whichever command or job called it; a call
// with a ctx that already holds it (a command that took it up front, a
// scheduled job) goes on without taking it again, since a second flock in
// the same process would wait for itself. Without a Locker (a bare
// repository opened by a test or a library user) only the marking is done
// and refs still move compare-and-swap.
func (r *Repo) WriteLock(ctx context.Context, what string, wait bool) (context.Context, func(), error) {
	key := writeLockKey{r.lockDir()}
	if ctx.Value(key) != nil || r.Locker == nil {
		return context.WithValue(ctx, key, true), func() {}, nil
	}
	release, err := r.Locker.Lock(ctx, what, wait)
	if err != nil {
		return ctx, func() {}, err
	}
	return context.WithValue(ctx, key, true), func() { _ = release() }, nil
}

// HoldsWriteLock reports whether ctx holds r's write lock.
func (r *Repo) HoldsWriteLock(ctx context.Context) bool {
	return ctx.Value(writeLockKey{r.lockDir()}) != nil
}

func (r *Repo) lockDir() string {
	if abs, err := filepath.Abs(r.Dir); err == nil {
		return abs
	}
	return r.Dir
}
