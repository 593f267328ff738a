package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/apikeys"
	"github.com/kbops/kbops/pipeline/mcpserver"
	"github.com/kbops/kbops/pipeline/serve"
	"github.com/kbops/kbops/pipeline/workspace"
)

type serveOptions struct {
	Listen string
	List   bool
}

func serveCommand() *cli.Command {
	return &cli.Command{
		Name:  "serve",
		Usage: "run ingestion, publish, the review-due sweep, health snapshots and the git host's sync on their schedules, and receive the host's webhooks",
		Description: `Runs the jobs on their cron schedules until SIGTERM or Ctrl-C: one ingestion
job per source with a schedule (sources[].schedule in kbops.yaml, or
jobs.ingest in serve.yaml), publish, review-due and health (serve.yaml).
A job never overlaps itself, nor a manual command (locks in .kbops/locks).
A job whose last successful run is older than one period runs once at start.
On SIGTERM running jobs get serve.yaml's grace (30s) to finish, then stop
without committing. Logs are JSON on stderr; /healthz, /metrics
(Prometheus) and /mcp (agents over the Model Context Protocol, answered at
the access level of their API key; docs/frontends.md) listen on
127.0.0.1:9464. With git.host, a review-sync job polls the review branch's
pull request (as kbops review sync); with git.host.webhook_secret_env also
set, the host's webhook is received at /hooks/git-host on the same port
(signature checked; a bad one gets 401): a comment or review runs the sync
at once, a merge fetches main and runs publish. Every run leaves a report:
kbops runs.
See docs/operations.md.

Example:
   kbops serve --list
   kbops serve --listen 127.0.0.1:9500`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "listen", Usage: "address of /healthz, /metrics and /mcp (`HOST:PORT`, or off)"},
			&cli.BoolFlag{Name: "list", Usage: "print the jobs and their next run, then exit"},
		},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			return runServe(c.Context, ws, serveOptions{Listen: c.String("listen"), List: c.Bool("list")}, c.App.Writer, c.App.ErrWriter)
		},
	}
}

func runServe(ctx context.Context, ws *workspace.Workspace, o serveOptions, out, logOut io.Writer) error {
	cfg, err := serve.LoadConfig(ws.Root)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	// The jobs run the operations the commands run: ingest.WithStages and
	// ingest.UpdateHost, release.Publish.
	deps := serve.Deps{}
	jobs, err := serve.Jobs(ws, cfg, deps)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	if o.List {
		for _, j := range jobs {
			s, err := serve.ParseSchedule(j.Schedule)
			if err != nil {
				return &exitError{exitUsage, fmt.Errorf("job %s: %w", j.Name, err)}
			}
			fmt.Fprintf(out, "%-28s %-18s next %s\n", j.Name, j.Schedule, s.Next(timeNow()).Format("2006-01-02 15:04:05 MST"))
		}
		return nil
	}
	log := slog.New(slog.NewJSONHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// Keys are read at start: a bad key file stops serve before it answers.
	keys, err := apikeys.Load(ws.Root, ws.Config.Frontends)
	if err != nil {
		return &exitError{exitUsage, err}
	}
	mcpHandler := mcpserver.Handler(mcpserver.Options{Workspace: ws, Keys: keys, Log: log})
	if err := serve.Run(ctx, serve.Options{Workspace: ws, Config: cfg, Jobs: jobs, Deps: deps, Log: log, Listen: o.Listen,
		Handlers: map[string]http.Handler{mcpserver.Path: mcpHandler}}); err != nil {
		return &exitError{exitUsage, err}
	}
	return nil
}
