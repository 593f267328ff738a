package main

import (
	"context"
	"io"
	"log/slog"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/mcpserver"
	"github.com/kbops/kbops/pipeline/workspace"
)

func mcpCommand() *cli.Command {
	return &cli.Command{
		Name:  "mcp",
		Usage: "answer an agent over the Model Context Protocol on stdin and stdout",
		Description: `Serves the knowledge base to a desktop agent over MCP on stdio: the tools
search_knowledge and get_unit and the resources kbops://unit/<unit id>.
Every answer is at the access level of the API key given with --as-key or
KBOPS_API_KEY (public without one); an unknown key stops the command. Needs
Weaviate running (weaviate.url, or kbops weaviate start). Logs go to stderr.
kbops serve offers the same over HTTP at /mcp. See docs/frontends.md.

Example (an agent's MCP configuration runs this):
   KBOPS_API_KEY=... kbops -w /srv/kb mcp`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "as-key", Usage: "the API `KEY` whose access level every answer has", EnvVars: []string{config.EnvAPIKey}},
		},
		Action: func(c *cli.Context) error {
			ws, err := openWorkspace(c)
			if err != nil {
				return err
			}
			return runMCP(c.Context, ws, c.String("as-key"), &mcp.StdioTransport{}, c.App.ErrWriter)
		},
	}
}

func runMCP(ctx context.Context, ws *workspace.Workspace, key string, t mcp.Transport, logOut io.Writer) error {
	caller, err := resolveKey(ws, key)
	if err != nil {
		return err
	}
	if err := mcpserver.Ready(ws); err != nil {
		return &exitError{exitUsage, err}
	}
	log := slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelInfo}))
	log.Info("answering MCP on stdio", "access", caller.Access, "key", caller.Name)
	return mcpserver.New(mcpserver.Options{Workspace: ws, Caller: caller, Log: log}).Run(ctx, t)
}
