package main

import (
	"context"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/workspace"
)

func weaviateCommand() *cli.Command {
	return &cli.Command{
		Name:  "weaviate",
		Usage: "start, stop or check the embedded Weaviate server",
		Description: `Without weaviate.url in kbops.yaml, kbops uses a local weaviate-server with its
data under .kbops/weaviate, on 127.0.0.1. publish and search start it when
needed and stop it afterwards; start it yourself to keep it running between
commands.

Example:
   kbops weaviate start && kbops publish && kbops search "grounding" && kbops weaviate stop`,
		Subcommands: []*cli.Command{
			{
				Name: "start", Usage: "start the embedded server and leave it running",
				Action: func(c *cli.Context) error {
					ws, err := openWorkspace(c)
					if err != nil {
						return err
					}
					return runWeaviateStart(c.Context, ws, c.App.Writer)
				},
			},
			{
				Name: "stop", Usage: "stop the embedded server",
				Action: func(c *cli.Context) error {
					ws, err := openWorkspace(c)
					if err != nil {
						return err
					}
					return runWeaviateStop(c.Context, ws, c.App.Writer)
				},
			},
			{
				Name: "status", Usage: "say whether the embedded server runs, and where",
				Action: func(c *cli.Context) error {
					ws, err := openWorkspace(c)
					if err != nil {
						return err
					}
					return runWeaviateStatus(c.Context, ws, c.App.Writer)
				},
			},
		},
	}
}

func runWeaviateStart(ctx context.Context, ws *workspace.Workspace, out io.Writer) error {
	if ws.Config.Weaviate.URL != "" {
		return usageErr("kbops.yaml sets weaviate.url (%s): kbops uses that server, not an embedded one", ws.Config.Weaviate.URL)
	}
	s, err := release.StartDetached(ctx, ws)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "embedded Weaviate running: http://%s (gRPC %s), pid %d, data in %s\n", s.Host(), s.GRPCHost(), s.PID, release.WeaviateDir(ws))
	return nil
}

func runWeaviateStop(ctx context.Context, ws *workspace.Workspace, out io.Writer) error {
	stopped, err := embedded.StopDir(ctx, release.WeaviateDir(ws))
	if err != nil {
		return err
	}
	if stopped {
		fmt.Fprintln(out, "embedded Weaviate stopped")
	} else {
		fmt.Fprintln(out, "embedded Weaviate was not running")
	}
	return nil
}

func runWeaviateStatus(_ context.Context, ws *workspace.Workspace, out io.Writer) error {
	if ws.Config.Weaviate.URL != "" {
		fmt.Fprintf(out, "using Weaviate at %s (weaviate.url)\n", ws.Config.Weaviate.URL)
		return nil
	}
	info, ok := embedded.Running(release.WeaviateDir(ws))
	if !ok {
		fmt.Fprintln(out, "embedded Weaviate: not running (publish and search start it when needed)")
		return &exitError{exitAttention, fmt.Errorf("embedded Weaviate is not running; start it with `kbops weaviate start`")}
	}
	fmt.Fprintf(out, "embedded Weaviate: running, http://%s (gRPC %s), pid %d, since %s\n", info.Host(), info.GRPCHost(), info.PID, info.StartedAt.Format("2006-01-02 15:04:05Z"))
	return nil
}
