package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// launchEnv, when set, makes kbops-bench a launcher: it runs its
// arguments as a command, waits, and writes the command's peak RSS in KiB
// to the file the variable names, exiting with the command's status.
//
// Why a launcher: Linux records, when a process execs, the resident-set
// high-water mark of the memory it had before the exec into its rusage.
// Go starts children with vfork, sharing the parent's memory until the
// exec, so a child's Maxrss is at least the parent's RSS — the bench's
// own, which holds the anchors' objects (a 1 GiB parent made /bin/true
// report 1 GiB). Started from the small launcher, a child's Maxrss is its
// own peak (or the launcher's few MiB).
const launchEnv = "KBOPS_BENCH_LAUNCH_RSS_FILE"

// launch runs args as the launcher and returns the exit code.
func launch(rssFile string, args []string) int {
	if len(args) == 0 {
		fmt.Fprintln(os.Stderr, "kbops-bench: launcher without a command")
		return 2
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Env = slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, launchEnv+"=") })
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	err := cmd.Run()
	if cmd.ProcessState != nil {
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			if werr := os.WriteFile(rssFile, []byte(strconv.FormatInt(ru.Maxrss, 10)), 0o644); werr != nil {
				fmt.Fprintln(os.Stderr, "kbops-bench:", werr)
			}
		}
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return ee.ExitCode()
	default:
		fmt.Fprintln(os.Stderr, "kbops-bench:", err)
		return 127
	}
}

// launched returns a command that runs name with args through the
// launcher (this executable), and the file its peak RSS will be in.
// Cancelling ctx kills the launcher and the command (one process group).
func launched(ctx context.Context, name string, args ...string) (*exec.Cmd, string, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, "", err
	}
	f, err := os.CreateTemp("", "kbops-bench-rss-*")
	if err != nil {
		return nil, "", err
	}
	f.Close()
	cmd := exec.CommandContext(ctx, self, append([]string{name}, args...)...)
	cmd.Env = append(os.Environ(), launchEnv+"="+f.Name())
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	return cmd, f.Name(), nil
}

// readRSS reads and removes the launcher's RSS file; 0 when it wrote none.
func readRSS(path string) int64 {
	b, _ := os.ReadFile(path)
	os.Remove(path)
	n, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	return n
}
