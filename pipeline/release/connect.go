package release

import (
	"context"
	"os"
	"path/filepath"

	"github.com/weaviate/weaviate-go-client/v5/weaviate"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/embed"
	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/publish"
	"github.com/kbops/kbops/pipeline/workspace"
)

// WeaviateDir is where the embedded server of a workspace keeps its data
// and state (.kbops/weaviate).
func WeaviateDir(ws *workspace.Workspace) string {
	return filepath.Join(ws.Root, workspace.StateDir, "weaviate")
}

// HasWeaviate reports whether the workspace may hold anything in Weaviate:
// weaviate.url is set, or the embedded server has a data folder. Without
// either nothing was ever published from here.
func HasWeaviate(ws *workspace.Workspace) bool {
	if ws.Config.Weaviate.URL != "" {
		return true
	}
	_, err := os.Stat(WeaviateDir(ws))
	return err == nil
}

// Connect connects to the configured Weaviate (weaviate.url, with the API
// key from the environment), or to the workspace's embedded one, starting
// it when it is not running; status, when set, is told that it starts.
// done stops a server started here, so a one-off command leaves nothing
// running behind; it is never nil when err is nil.
func Connect(ctx context.Context, ws *workspace.Workspace, status func(string)) (client *weaviate.Client, done func(), err error) {
	cfg := ws.Config.Weaviate
	if cfg.URL != "" {
		c, err := publish.Connect(ctx, cfg.URL, cfg.GRPC, os.Getenv(config.EnvWeaviateAPIKey))
		return c, func() {}, err
	}
	dir := WeaviateDir(ws)
	if info, ok := embedded.Running(dir); ok {
		c, err := publish.Connect(ctx, "http://"+info.Host(), info.GRPCHost(), "")
		return c, func() {}, err
	}
	if status != nil {
		status("starting embedded Weaviate (data in " + dir + ")")
	}
	s, err := embedded.Start(ctx, embedded.Options{
		Binary: cfg.Embedded.Binary, Dir: dir, HTTPPort: cfg.Embedded.HTTPPort, GRPCPort: cfg.Embedded.GRPCPort,
	})
	if err != nil {
		return nil, nil, err
	}
	// Stopping uses its own context: the run's may be cancelled already,
	// and the server must not outlive the command.
	stop := func() { _ = s.Stop(context.WithoutCancel(ctx)) }
	c, err := publish.Connect(ctx, "http://"+s.Host(), s.GRPCHost(), "")
	if err != nil {
		stop()
		return nil, nil, err
	}
	return c, stop, nil
}

// StartDetached starts the embedded server and leaves it running after
// this process exits (`kbops weaviate start`).
func StartDetached(ctx context.Context, ws *workspace.Workspace) (*embedded.Server, error) {
	e := ws.Config.Weaviate.Embedded
	return embedded.Start(ctx, embedded.Options{Binary: e.Binary, Dir: WeaviateDir(ws), HTTPPort: e.HTTPPort, GRPCPort: e.GRPCPort, Detach: true})
}

// OpenTarget connects to Weaviate and returns the target of the base
// alias (weaviate.collection) with the configured consistency,
// replication and vectorizer. Erasure starts from it: its Family covers
// every access level's collections too.
func OpenTarget(ctx context.Context, ws *workspace.Workspace, status func(string)) (*publish.Target, func(), error) {
	c, done, err := Connect(ctx, ws, status)
	if err != nil {
		return nil, nil, err
	}
	w := ws.Config.Weaviate
	t := &publish.Target{
		Client: c, Alias: w.Collection, Consistency: w.Consistency, Replication: w.ReplicationFactor,
		Vectorizer: w.Vectorizer.Module, ModuleConfig: w.Vectorizer.Settings,
	}
	if e := Embedder(ws.Config); e != nil {
		t.Embedder = e
	}
	return t, done, nil
}

// Embedder returns the client of the configured embedding service
// (weaviate.embeddings) with the key from the environment, or nil when
// none is configured.
func Embedder(cfg *config.Config) *embed.Client {
	e := cfg.Weaviate.Embeddings
	if e.URL == "" {
		return nil
	}
	return &embed.Client{
		URL: e.URL, Protocol: e.Protocol, Model: e.Model, Dimensions: e.Dimensions,
		BatchSize: e.BatchSize, APIKey: os.Getenv(embed.EnvAPIKey),
	}
}

// Connector returns a function opening the base target, the form
// forget.Options.Connect takes.
func Connector(ws *workspace.Workspace, status func(string)) func(context.Context) (*publish.Target, func(), error) {
	return func(ctx context.Context) (*publish.Target, func(), error) { return OpenTarget(ctx, ws, status) }
}

// Target is a publish target and the access level it holds ("" for all
// levels in one collection).
type Target struct {
	*publish.Target
	Access knowledge.Access
}

// Units returns the units the target holds.
func (t Target) Units(units []*knowledge.Unit) []*knowledge.Unit {
	if t.Access == "" {
		return units
	}
	return publish.ByAccess(units)[t.Access]
}

// OpenTargets returns the targets of the configuration: the base alias,
// or with weaviate.split_by_access one per access level (most open first),
// each in its own alias (publish.AccessAlias). All share one connection;
// done releases it.
func OpenTargets(ctx context.Context, ws *workspace.Workspace, status func(string)) ([]Target, func(), error) {
	t, done, err := OpenTarget(ctx, ws, status)
	if err != nil {
		return nil, nil, err
	}
	if !ws.Config.Weaviate.SplitByAccess {
		return []Target{{Target: t}}, done, nil
	}
	out := make([]Target, 0, len(knowledge.AccessLevels))
	for _, a := range knowledge.AccessLevels {
		c := *t
		c.Alias = publish.AccessAlias(t.Alias, a)
		out = append(out, Target{Target: &c, Access: a})
	}
	return out, done, nil
}
