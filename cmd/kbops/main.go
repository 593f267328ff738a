// Command kbops is the knowledge-ops pipeline's command line: it ingests
// sources into knowledge units, runs the three-stage review in git,
// publishes approved knowledge to Weaviate and searches it.
//
// Exit codes: 0 success; 1 the command failed; 2 bad usage or
// configuration; 3 the command finished but something needs attention
// (documents that could not be read, units that failed verification).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v2"
)

// Exit codes.
const (
	exitOK        = 0
	exitFailed    = 1
	exitUsage     = 2
	exitAttention = 3
)

// exitError carries an exit code with a message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{exitUsage, fmt.Errorf(format, a...)}
}

func attention(format string, a ...any) error {
	return &exitError{exitAttention, fmt.Errorf(format, a...)}
}

func newApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{
		Name:  "kbops",
		Usage: "keep a multilingual product-support knowledge base correct and current",
		Description: `kbops pulls manuals, ticket history and expert notes into versioned knowledge
units, sends every change through a three-stage review in git, and publishes
what was approved to Weaviate.

   kbops init kb && cd kb        create a workspace
   kbops ingest                   commit source changes to the review branch
   kbops review status            what waits for whom
   kbops review approve --stage technical --all-mine
   kbops review merge             merge approved changes into main
   kbops publish                  write approved knowledge to Weaviate
   kbops search "grounding"       query it

Exit codes: 0 success, 1 failure, 2 bad usage or configuration,
3 finished but needs attention (unreadable documents, failed verification).`,
		Writer:               stdout,
		ErrWriter:            stderr,
		EnableBashCompletion: true,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "workspace", Aliases: []string{"w"}, Usage: "workspace `DIR` (default: the current folder or a parent holding kbops.yaml)", EnvVars: []string{"KBOPS_WORKSPACE"}},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "log progress to stderr"},
		},
		Commands: commands(),
		OnUsageError: func(c *cli.Context, err error, isSubcommand bool) error {
			return usageErr("%v (see --help)", err)
		},
		ExitErrHandler: func(*cli.Context, error) {}, // exit codes are set in main
	}
}

func commands() []*cli.Command {
	return []*cli.Command{
		initCommand(),
		ingestCommand(),
		reviewCommand(),
		publishCommand(),
		reindexCommand(),
		rollbackCommand(),
		searchCommand(),
		mcpCommand(),
		evalCommand(),
		weaviateCommand(),
		extractCommand(),
		glossaryCommand(),
		serveCommand(),
		runsCommand(),
		triggerCommand(),
		dueCommand(),
		feedbackCommand(),
		healthCommand(),
		forgetCommand(),
		noteCommand(),
	}
}

func logger(c *cli.Context) *slog.Logger {
	level := slog.LevelWarn
	if c.Bool("verbose") {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(c.App.ErrWriter, &slog.HandlerOptions{Level: level}))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	err := app.RunContext(ctx, args)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "kbops:", err)
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	var ce cli.ExitCoder
	if errors.As(err, &ce) {
		return ce.ExitCode()
	}
	return exitFailed
}

func main() { os.Exit(runMain()) }

// runMain runs the command line of the process. SIGINT and SIGTERM cancel
// the command's context: a run stops at its next check, records its report
// and releases its locks. Once the first signal has arrived the handler is
// removed, so a second one ends the process at once.
func runMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	defer startProfiles()()
	return run(ctx, os.Args, os.Stdout, os.Stderr)
}
