package serve

import (
	"context"
	"fmt"
	"os"
	"sort"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/health"
	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/release"
	"github.com/kbops/kbops/pipeline/tracks"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/sources"
)

// Deps are what the built-in jobs take from the command line, so that a
// scheduled run writes exactly what the manual command writes.
type Deps struct {
	// Registry of source plugins; nil means sources.Default.
	Registry *sources.Registry
	// Ingest completes ingestion options with its stages; nil is
	// ingest.WithStages, the stages `kbops ingest` uses.
	Ingest func(ingest.Options) ingest.Options
}

// Jobs builds the scheduled jobs of a workspace: one ingestion job per
// source with a schedule (its own in kbops.yaml, else jobs.ingest in
// serve.yaml), publish, review-due, health, and review-sync when git.host
// is set.
// Jobs without a schedule, or disabled, are left out.
func Jobs(ws *workspace.Workspace, c Config, d Deps) ([]Job, error) {
	var out []Job
	def := c.Jobs[JobIngest]
	for _, spec := range ws.Config.Sources {
		name := JobIngest + ":" + spec.Name
		jc, own := c.Jobs[name]
		sched := spec.Schedule
		switch {
		case own && jc.Schedule != "":
			sched = jc.Schedule
		case sched == "":
			sched = def.Schedule
		}
		if sched == "" || jc.Disabled || (def.Disabled && !own) {
			continue
		}
		out = append(out, Job{Name: name, Kind: "ingest", Schedule: sched, Lock: lock.Repo, Run: IngestJob(ws, spec.Name, d)})
	}
	add := func(name, kind, lk string, run func(context.Context) (any, error)) {
		jc := c.Jobs[name]
		if jc.Schedule == "" || jc.Disabled || run == nil {
			return
		}
		out = append(out, Job{Name: name, Kind: kind, Schedule: jc.Schedule, Lock: lk, Run: run})
	}
	add(JobPublish, "publish", lock.Publish, PublishJob(ws))
	add(JobReviewDue, "review-due", lock.Repo, func(ctx context.Context) (any, error) {
		return tracks.Sweep(ctx, ws, time.Now())
	})
	add(JobHealth, "health", "", HealthJob(ws))
	if ws.Config.Git.Host.Enabled() {
		add(JobReviewSync, "review-sync", lock.Repo, ReviewSyncJob(ws, d))
	}
	for name := range c.Jobs {
		known := name == JobIngest || name == JobPublish || name == JobReviewDue || name == JobHealth || name == JobReviewSync
		if !known {
			if _, ok := ws.Config.Source(trimIngest(name)); !ok {
				return nil, fmt.Errorf("%s: jobs.%s: no such job (jobs are ingest, ingest:<source>, publish, review-due, health, review-sync)", ConfigFile, name)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func trimIngest(name string) string {
	const p = JobIngest + ":"
	if len(name) > len(p) && name[:len(p)] == p {
		return name[len(p):]
	}
	return "\x00"
}

// IngestJob ingests one source, with the same pipeline stages as `kbops
// ingest` (segmentation, language detection) and pushes when git.remote is
// set, then updates git.host as `kbops ingest --push` does
// (ingest.UpdateHost: the pull request and its kbops/verify status). A
// cancelled run returns before its commit: the review branch and the
// document state stay as they were.
func IngestJob(ws *workspace.Workspace, source string, d Deps) func(context.Context) (any, error) {
	return func(ctx context.Context) (any, error) {
		o := ingest.Options{
			Sources: []string{source}, Now: time.Now(), Registry: d.Registry,
			Push: ws.Config.Git.Remote != "", GitToken: os.Getenv(config.EnvGitToken),
		}
		if d.Ingest != nil {
			o = d.Ingest(o)
		} else {
			o = ingest.WithStages(o)
		}
		rep, err := ingest.Run(ctx, ws, o)
		if err != nil || !o.Push {
			return rep, err
		}
		host, err := ingest.UpdateHost(ctx, ws, rep)
		return ingestJobReport{Report: rep, Host: host}, err
	}
}

// ingestJobReport is the ingest job's run report: the ingestion's, with
// what it did on git.host beside it.
type ingestJobReport struct {
	ingest.Report
	Host ingest.HostResult `json:"host"`
}

// PublishJob publishes the approved units on main with release.Publish,
// the operation `kbops publish` runs: every target (one per access level
// with weaviate.split_by_access), the terms of the termbase at main as it
// is at this run, published.json written or the run failed. Its report is
// a release.Result.
func PublishJob(ws *workspace.Workspace) func(context.Context) (any, error) {
	return func(ctx context.Context) (any, error) {
		return release.Publish(ctx, ws, release.Options{})
	}
}

// HealthJob writes a health snapshot (.kbops/health/health.json and
// health.html); see package health.
func HealthJob(ws *workspace.Workspace) func(context.Context) (any, error) {
	return func(ctx context.Context) (any, error) {
		f := health.Filter{}
		if cfg, err := LoadConfig(ws.Root); err == nil {
			f.Thresholds = &cfg.Feedback // the usage rule as the feedback track applies it
		}
		return health.Snapshot(ctx, ws, f, time.Now())
	}
}

// CountUnits counts units by status for kbops_units: on main approved,
// unapproved (active, not approved) and retired; pending (units changed on
// the review branch and not approved); due (open due entries).
func CountUnits(ctx context.Context, ws *workspace.Workspace) map[string]int {
	out := map[string]int{"approved": 0, "unapproved": 0, "retired": 0, "pending": 0, "due": 0}
	st, err := tracks.Load(ctx, ws)
	if err != nil {
		return out
	}
	if st.Main != nil {
		for _, id := range st.Main.IDs() {
			u := st.Main.Units[id]
			switch {
			case u.Status == knowledge.StatusRetired:
				out["retired"]++
			case st.Main.Status(id).State == reviews.StateApproved:
				out["approved"]++
			default:
				out["unapproved"]++
			}
		}
	}
	if st.Main == nil || st.Snap.Commit != st.Main.Commit {
		base := st.Main
		if base == nil {
			base = &reviews.Snapshot{}
		}
		for _, id := range st.Snap.ChangedUnits(base) {
			if _, ok := st.Snap.Units[id]; ok && st.Snap.Status(id).State != reviews.StateApproved {
				out["pending"]++
			}
		}
	}
	out["due"] = len(st.OpenDue())
	return out
}
