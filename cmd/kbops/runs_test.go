package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
)

// opsCommands are the operations commands; ops adds the ones main.go does
// not list yet, so these tests run before and after they are wired in.
func opsCommands() []*cli.Command {
	return []*cli.Command{serveCommand(), runsCommand(), triggerCommand(), dueCommand(), feedbackCommand(), forgetCommand(), healthCommand()}
}

// ops runs kbops in-process with the operations commands.
func ops(t *testing.T, ws string, args ...string) (string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	app := newApp(&out, &errb)
	have := map[string]bool{}
	for _, c := range app.Commands {
		have[c.Name] = true
	}
	for _, c := range opsCommands() {
		if !have[c.Name] {
			app.Commands = append(app.Commands, c)
		}
	}
	code := exitOK
	if err := app.RunContext(context.Background(), append([]string{"kbops", "-w", ws}, args...)); err != nil {
		errb.WriteString("kbops: " + err.Error() + "\n")
		code = exitFailed
		if ee, ok := err.(*exitError); ok {
			code = ee.code
		}
	}
	return out.String() + errb.String(), code
}

func TestTriggerRecordsARunAndRunsShowsIt(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	out, code := ops(t, ws.Root, "trigger", "--product", "vf-200", "--reason", "firmware 2.1 released", "--as", "Ana Ruiz <ana.ruiz@example.com>")
	if code != 0 || !strings.Contains(out, "units sent back") {
		t.Fatalf("trigger: %d %s", code, out)
	}
	out, code = ops(t, ws.Root, "due", "list", "--owner", "ana.ruiz@example.com")
	if code != 0 || !strings.Contains(out, "triggered since") || !strings.Contains(out, "firmware 2.1 released") {
		t.Fatalf("due list: %d %s", code, out)
	}
	out, code = ops(t, ws.Root, "runs")
	if code != 0 || !strings.Contains(out, "-trigger-") || !strings.Contains(out, "success") {
		t.Fatalf("runs: %d %s", code, out)
	}
	id := strings.Fields(out)[0]
	out, code = ops(t, ws.Root, "runs", "show", id[:18])
	if code != 0 || !strings.Contains(out, "trigger (manual, job trigger)") || !strings.Contains(out, "triggered: ") {
		t.Fatalf("runs show: %d %s", code, out)
	}
	if out, code = ops(t, ws.Root, "runs", "show", "nosuchrun"); code != exitFailed || !strings.Contains(out, "kbops runs") {
		t.Fatalf("unknown run: %d %s", code, out)
	}
	out, code = ops(t, ws.Root, "due", "confirm", "--as", "ana.ruiz@example.com", "--all-mine")
	if code != 0 || !strings.Contains(out, "confirmed") {
		t.Fatalf("confirm: %d %s", code, out)
	}
	if out, _ = ops(t, ws.Root, "due", "list"); !strings.Contains(out, "no units due") {
		t.Fatalf("still due after confirm: %s", out)
	}
}

func TestManualCommandDuringAJobExitsWithWhoHoldsTheLock(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	l, err := lock.Acquire(context.Background(), lock.Dir(ws.Root), lock.Repo, false, "kbops serve job ingest:expert-notes")
	if err != nil {
		t.Fatal(err)
	}
	out, code := ops(t, ws.Root, "trigger", "--product", "vf-200", "--reason", "x")
	l.Release()
	if code != exitFailed || !strings.Contains(out, "busy: held by") || !strings.Contains(out, "kbops serve job ingest:expert-notes") || !strings.Contains(out, "--wait") {
		t.Fatalf("%d %s", code, out)
	}
}

func TestBeginRunLocksAndRecords(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	ctx := context.Background()
	_, finish, err := beginRun(ctx, ws, "ingest", runs.BeginOptions{Locks: []string{lock.Repo}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := beginRun(ctx, ws, "ingest", runs.BeginOptions{Locks: []string{lock.Repo}}, nil); err == nil || !strings.Contains(err.Error(), "kbops ingest") {
		t.Fatalf("second manual run: %v", err)
	}
	finish(nil, nil)
	out, _ := ops(t, ws.Root, "runs", "--job", "ingest")
	if !strings.Contains(out, "-ingest-") {
		t.Fatalf("no run recorded: %s", out)
	}
	if log, done := ingestProgress(&bytes.Buffer{}, nil); log != nil || done == nil {
		t.Fatal("progress on a buffer")
	}
	if set, _ := publishProgress(&bytes.Buffer{}); set != nil {
		t.Fatal("progress on a buffer")
	}
}
