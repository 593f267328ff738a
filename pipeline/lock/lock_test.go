package lock

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

func TestBusyNamesHolderAndWaitGetsItAfterRelease(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	l, err := Acquire(ctx, dir, Repo, false, "serve job ingest:notes")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Acquire(ctx, dir, Repo, false, "kbops ingest")
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "serve job ingest:notes") {
		t.Fatalf("want busy naming the holder, got %v", err)
	}
	if h, held := Current(dir, Repo); !held || h.PID != os.Getpid() {
		t.Fatalf("Current = %+v, %v", h, held)
	}
	// Another lock name is independent.
	p, err := Acquire(ctx, dir, Publish, false)
	if err != nil {
		t.Fatal(err)
	}
	p.Release()

	got := make(chan error, 1)
	go func() {
		l2, err := Acquire(ctx, dir, Repo, true, "kbops ingest")
		if err == nil {
			l2.Release()
		}
		got <- err
	}()
	select {
	case err := <-got:
		t.Fatalf("waiting Acquire returned while held: %v", err)
	case <-time.After(300 * time.Millisecond):
	}
	l.Release()
	if err := <-got; err != nil {
		t.Fatal(err)
	}
	if _, held := Current(dir, Repo); held {
		t.Fatal("lock still held after release")
	}
}

func TestWaitEndsWithContext(t *testing.T) {
	dir := t.TempDir()
	l, err := Acquire(context.Background(), dir, Repo, false)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Release()
	ctx, cancel := context.WithTimeout(context.Background(), 250*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, dir, Repo, true); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want deadline exceeded, got %v", err)
	}
}

// TestHelperHold is run as a child process by TestDeadHolderIsTakenOver.
func TestHelperHold(t *testing.T) {
	dir := os.Getenv("KBOPS_LOCK_HELPER_DIR")
	if dir == "" {
		t.Skip("helper process only")
	}
	if _, err := Acquire(context.Background(), dir, Repo, false, "helper"); err != nil {
		os.Exit(1)
	}
	os.Stdout.WriteString("held\n")
	time.Sleep(time.Minute)
}

func TestDeadHolderIsTakenOver(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperHold$")
	cmd.Env = append(os.Environ(), "KBOPS_LOCK_HELPER_DIR="+dir)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "held\n" {
		t.Fatalf("helper did not take the lock: %q", line)
	}
	if _, err := Acquire(context.Background(), dir, Repo, false); !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "helper") {
		t.Fatalf("want busy while the helper lives, got %v", err)
	}
	// The helper dies without releasing: its pid is gone, the file stays.
	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(dir + "/repo.lock"); err != nil {
		t.Fatal(err)
	}
	l, err := Acquire(context.Background(), dir, Repo, false, "next")
	if err != nil {
		t.Fatalf("lock of a dead process not taken over: %v", err)
	}
	l.Release()
}
