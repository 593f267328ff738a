package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"
	"github.com/weaviate/weaviate-go-client/v5/weaviate"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
)

// openWorkspace opens the workspace named by --workspace or found from
// the current folder. Config errors exit with the usage code.
func openWorkspace(c *cli.Context) (*workspace.Workspace, error) {
	dir := c.String("workspace")
	if dir == "" {
		dir = "."
	}
	ws, err := workspace.Open(dir)
	if err != nil {
		return nil, &exitError{exitUsage, err}
	}
	return ws, nil
}

// weaviateDir is where the embedded server keeps its data and state.
func weaviateDir(ws *workspace.Workspace) string {
	return filepath.Join(ws.Root, workspace.StateDir, "weaviate")
}

// connectWeaviate connects to the configured Weaviate, or to the embedded
// one, starting it when it is not running. done stops a server started
// here, so a one-off command leaves nothing running behind.
func connectWeaviate(ctx context.Context, ws *workspace.Workspace, progress func(string)) (client *weaviate.Client, done func(), err error) {
	cfg := ws.Config.Weaviate
	apiKey := os.Getenv(config.EnvWeaviateAPIKey)
	if cfg.URL != "" {
		c, err := publish.Connect(ctx, cfg.URL, cfg.GRPC, apiKey)
		return c, func() {}, err
	}
	dir := weaviateDir(ws)
	if info, ok := embedded.Running(dir); ok {
		c, err := publish.Connect(ctx, "http://"+info.Host(), info.GRPCHost(), "")
		return c, func() {}, err
	}
	if progress != nil {
		progress("starting embedded Weaviate (data in " + dir + ")")
	}
	s, err := embedded.Start(ctx, embedded.Options{
		Binary: cfg.Embedded.Binary, Dir: dir, HTTPPort: cfg.Embedded.HTTPPort, GRPCPort: cfg.Embedded.GRPCPort,
	})
	if err != nil {
		return nil, nil, err
	}
	stop := func() { _ = s.Stop(context.Background()) }
	c, err := publish.Connect(ctx, "http://"+s.Host(), s.GRPCHost(), "")
	if err != nil {
		stop()
		return nil, nil, err
	}
	return c, stop, nil
}

// openTarget connects to Weaviate and returns the publish target the
// config describes (alias, consistency, replication, vectorizer).
func openTarget(ctx context.Context, ws *workspace.Workspace, progress func(string)) (*publish.Target, func(), error) {
	c, done, err := connectWeaviate(ctx, ws, progress)
	if err != nil {
		return nil, nil, err
	}
	w := ws.Config.Weaviate
	return &publish.Target{
		Client: c, Alias: w.Collection, Consistency: w.Consistency, Replication: w.ReplicationFactor,
		Vectorizer: w.Vectorizer.Module, ModuleConfig: w.Vectorizer.Settings,
	}, done, nil
}

// accessTarget is a publish target and the access level it holds ("" for
// all levels in one collection).
type accessTarget struct {
	*publish.Target
	Access knowledge.Access
}

// openTargets returns one target, or one per access level when
// weaviate.split_by_access is set.
func openTargets(ctx context.Context, ws *workspace.Workspace, progress func(string)) ([]accessTarget, func(), error) {
	t, done, err := openTarget(ctx, ws, progress)
	if err != nil {
		return nil, nil, err
	}
	if !ws.Config.Weaviate.SplitByAccess {
		return []accessTarget{{Target: t}}, done, nil
	}
	var out []accessTarget
	for _, a := range knowledge.AccessLevels {
		c := *t
		c.Alias = publish.AccessAlias(t.Alias, a)
		out = append(out, accessTarget{Target: &c, Access: a})
	}
	return out, done, nil
}

// unitsFor returns the units a target holds.
func (at accessTarget) unitsFor(units []*knowledge.Unit) []*knowledge.Unit {
	if at.Access == "" {
		return units
	}
	return publish.ByAccess(units)[at.Access]
}

// openParseCache opens the workspace's cache of parsed unit and approval
// files (nil when the state folder cannot be made: then nothing is cached).
func openParseCache(ws *workspace.Workspace) *reviews.ParseCache {
	p, err := ws.State("cache", "parsed.gob")
	if err != nil {
		return nil
	}
	return reviews.OpenParseCache(p)
}

// saveParseCache writes the cache; failing costs the next run time only.
func saveParseCache(c *reviews.ParseCache) {
	if err := c.Save(); err != nil {
		slog.Warn("parse cache not saved; the next run parses every unit again", "error", err)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}
