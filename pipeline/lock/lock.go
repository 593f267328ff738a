package lock

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Names of the locks kbops takes. Everything that moves a branch of the
// knowledge repository (ingest, the review-due sweep, trigger, feedback,
// forget) holds Repo: two writers reading the same branch tip would
// otherwise lose one another's commit. Publish holds Publish.
const (
	Repo    = "repo"
	Publish = "publish"
)

// Dir is the lock folder of a workspace root.
func Dir(root string) string { return filepath.Join(root, ".kbops", "locks") }

// ErrBusy is returned by Acquire without wait while another holder has the
// lock; the error's message names the holder.
var ErrBusy = errors.New("lock is held")

// Holder says who holds a lock.
type Holder struct {
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Command string    `json:"command"`
	Since   time.Time `json:"since"`
}

func (h Holder) String() string {
	if h.PID == 0 {
		return "another process"
	}
	return fmt.Sprintf("pid %d on %s (%s) since %s", h.PID, h.Host, h.Command, h.Since.Local().Format(time.DateTime))
}

// Lock is a held lock. Release it when done; it is also released when the
// process exits.
type Lock struct {
	f    *os.File
	path string
}

// pollInterval is how often a waiting Acquire retries.
const pollInterval = 100 * time.Millisecond

// Acquire takes the lock name in dir. With wait it retries until the lock
// is free or ctx ends; without, it returns an error wrapping ErrBusy that
// names the holder. what describes the taker in the holder record (for
// example "kbops ingest" or "serve job publish"); empty uses the process's
// command line.
func Acquire(ctx context.Context, dir, name string, wait bool, what ...string) (*Lock, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: create %s: %w", name, dir, err)
	}
	path := filepath.Join(dir, name+".lock")
	for {
		l, err := try(path, strings.Join(what, " "))
		if err == nil {
			return l, nil
		}
		if !errors.Is(err, ErrBusy) {
			return nil, err
		}
		if !wait {
			return nil, fmt.Errorf("%s is busy: held by %s; wait for it to finish, or retry with --wait: %w", name, readHolder(path), ErrBusy)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for lock %s (held by %s): %w", name, readHolder(path), ctx.Err())
		case <-time.After(pollInterval):
		}
	}
}

func try(path, what string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	// The file may be a leftover of a dead process, or may have been
	// removed and recreated between open and flock by a releasing holder:
	// only the file now at path counts.
	st1, err1 := f.Stat()
	st2, err2 := os.Stat(path)
	if err1 != nil || err2 != nil || !os.SameFile(st1, st2) {
		f.Close()
		return nil, ErrBusy
	}
	host, _ := os.Hostname()
	if what == "" {
		what = strings.Join(os.Args, " ")
		if len(what) > 200 {
			what = what[:200]
		}
	}
	b, _ := json.Marshal(Holder{PID: os.Getpid(), Host: host, Command: what, Since: time.Now().UTC()})
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt(append(b, '\n'), 0)
	}
	return &Lock{f: f, path: path}, nil
}

// readHolder reads the holder record; an unreadable one gives a zero
// Holder, whose String says "another process".
func readHolder(path string) Holder {
	var h Holder
	if b, err := os.ReadFile(path); err == nil {
		_ = json.Unmarshal(b, &h)
	}
	return h
}

// Current returns the holder of lock name in dir, and false when it is
// free (including when the last holder died without releasing it).
func Current(dir, name string) (Holder, bool) {
	path := filepath.Join(dir, name+".lock")
	f, err := os.Open(path)
	if err != nil {
		return Holder{}, false
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_SH|syscall.LOCK_NB); err == nil {
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		return Holder{}, false
	}
	return readHolder(path), true
}

// Release frees the lock. The holder record is cleared first, so a reader
// never sees a stale record for a free lock. Releasing twice is a no-op.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close() // closing drops the flock
	l.f = nil
	if err != nil {
		return fmt.Errorf("release lock %s: %w", l.path, err)
	}
	return nil
}
