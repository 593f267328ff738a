package serve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/kbops/kbops/pipeline/hostsync"
	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/workspace"
)

var parser = cron.NewParser(cron.SecondOptional | cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// Nightly is what @nightly means: 02:00 in the schedule's time zone, a
// quiet hour in most places. cron/v3 has no such descriptor.
const Nightly = "0 2 * * *"

// ParseSchedule reads a cron spec: five fields ("30 2 * * *"), six with
// seconds first ("*/10 * * * * *"), a descriptor (@yearly, @monthly,
// @weekly, @daily, @midnight, @hourly, @nightly, @every 15m), optionally
// prefixed with CRON_TZ=Zone.
func ParseSchedule(spec string) (cron.Schedule, error) {
	s := strings.TrimSpace(spec)
	prefix := ""
	if strings.HasPrefix(s, "CRON_TZ=") || strings.HasPrefix(s, "TZ=") {
		if i := strings.IndexByte(s, ' '); i > 0 {
			prefix, s = s[:i+1], strings.TrimSpace(s[i+1:])
		}
	}
	if s == "@nightly" {
		s = Nightly
	}
	sched, err := parser.Parse(prefix + s)
	if err != nil {
		return nil, fmt.Errorf("schedule %q: %w (five fields like \"30 2 * * *\", six with seconds, or @nightly, @hourly, @every 10m)", spec, err)
	}
	return sched, nil
}

// Job is one scheduled job.
type Job struct {
	// Name is unique: "ingest:<source>", "publish", "review-due", "health".
	Name string
	// Kind is the run report kind (ingest, publish, review-due, health).
	Kind string
	// Schedule is a cron spec or descriptor.
	Schedule string
	// Lock is the cross-process lock the job holds while it runs ("":
	// none). A job waits for the lock, so a scheduled run that comes due
	// during a manual one runs after it.
	Lock string
	// Run does the work. It returns the run's report (stored in the run
	// report's detail) and stops early, leaving things consistent, when
	// ctx ends.
	Run func(ctx context.Context) (report any, err error)
}

// Options configure Run.
type Options struct {
	Workspace *workspace.Workspace
	// Config is serve.yaml (see LoadConfig).
	Config Config
	// Jobs replaces the jobs built from the configuration (tests, custom
	// deployments); nil builds them with Jobs.
	Jobs []Job
	// Deps are what the built-in jobs need from the command line.
	Deps
	// Log receives JSON logs; nil discards.
	Log *slog.Logger
	// Listen overrides Config.Listen ("127.0.0.1:0" picks a free port).
	Listen string
	// Ready, when set, is called with the metrics address once serving.
	Ready func(addr string)
	// Grace overrides Config.Grace when non-zero.
	Grace time.Duration
	// Handlers are further routes served on the same address as /healthz
	// and /metrics, by path (the MCP transport at /mcp).
	Handlers map[string]http.Handler
}

// Server is a running scheduler; Run creates and runs one.
type server struct {
	ws      *workspace.Workspace
	log     *slog.Logger
	metrics *metrics
	jobCtx  context.Context
	wg      sync.WaitGroup
	running map[string]*atomic.Bool
	stopped atomic.Bool
	lockDir string
	keep    int
	counter func(ctx context.Context) map[string]int
}

// Run schedules the jobs and serves /healthz and /metrics until ctx ends.
// It returns nil after a clean shutdown; a bad schedule, time zone or
// listen address is an error before anything runs.
func Run(ctx context.Context, o Options) error {
	ws := o.Workspace
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	loc := time.Local
	if o.Config.Timezone != "" {
		var err error
		if loc, err = time.LoadLocation(o.Config.Timezone); err != nil {
			return fmt.Errorf("%s: timezone %q: %w; use an IANA name such as Europe/Berlin", ConfigFile, o.Config.Timezone, err)
		}
	}
	var err error
	jobs := o.Jobs
	if jobs == nil {
		if jobs, err = Jobs(ws, o.Config, o.Deps); err != nil {
			return err
		}
	}
	if len(jobs) == 0 {
		return fmt.Errorf("nothing to schedule: give sources a schedule in kbops.yaml or jobs in %s (see docs/operations.md)", ConfigFile)
	}
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelJobs()
	s := &server{ws: ws, log: log, metrics: newMetrics(), jobCtx: jobCtx, running: map[string]*atomic.Bool{},
		lockDir: lock.Dir(ws.Root), keep: o.Config.KeepRuns, counter: func(ctx context.Context) map[string]int { return CountUnits(ctx, ws) }}
	c := cron.New(cron.WithLocation(loc), cron.WithLogger(cronLogger{log}))
	type planned struct {
		job   Job
		sched cron.Schedule
		id    cron.EntryID
	}
	var plan []planned
	seen := map[string]bool{}
	for _, j := range jobs {
		if seen[j.Name] {
			return fmt.Errorf("job %s is defined twice", j.Name)
		}
		seen[j.Name] = true
		sched, err := ParseSchedule(j.Schedule)
		if err != nil {
			return fmt.Errorf("job %s: %w", j.Name, err)
		}
		s.running[j.Name] = new(atomic.Bool)
		j := j
		id := c.Schedule(sched, cron.FuncJob(func() { s.execute(j, runs.Scheduled) }))
		plan = append(plan, planned{j, sched, id})
		if last, ok := runs.LastSuccess(ws, j.Name); ok {
			s.metrics.update(j.Name, func(m *jobMetrics) { m.lastSuccess = last })
		} else {
			s.metrics.update(j.Name, func(*jobMetrics) {})
		}
	}

	hooks, err := s.webhooks(ctx, jobs, o.Deps)
	if err != nil {
		return err
	}
	listen := o.Listen
	if listen == "" {
		listen = o.Config.Listen
	}
	if hooks != nil && listen == "off" {
		return fmt.Errorf("git.host.webhook_secret_env is set but listen is off in %s: webhooks arrive on the HTTP port", ConfigFile)
	}
	var httpSrv *http.Server
	if listen != "off" {
		ln, err := net.Listen("tcp", listen)
		if err != nil {
			return fmt.Errorf("listen on %s for /healthz and /metrics: %w; set listen in %s to a free address", listen, err, ConfigFile)
		}
		mux := http.NewServeMux()
		mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
			s.metrics.write(w)
		})
		mux.HandleFunc("/healthz", s.healthz)
		paths := []string{"/healthz", "/metrics"}
		for p, h := range o.Handlers {
			if !strings.HasPrefix(p, "/") || p == "/healthz" || p == "/metrics" {
				ln.Close()
				return fmt.Errorf("cannot serve a handler at %q: want a path of its own, such as /mcp", p)
			}
			mux.Handle(p, h)
			paths = append(paths, p)
		}
		sort.Strings(paths)
		if hooks != nil {
			mux.Handle(hostsync.WebhookPath, hooks)
		}
		httpSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
		go func() { _ = httpSrv.Serve(ln) }()
		log.Info("serving "+strings.Join(paths, ", "), "addr", ln.Addr().String())
		if o.Ready != nil {
			o.Ready(ln.Addr().String())
		}
	} else if o.Ready != nil {
		o.Ready("")
	}
	s.metrics.setUnits(s.counter(ctx))

	c.Start()
	now := time.Now().In(loc)
	for _, p := range plan {
		e := c.Entry(p.id)
		s.metrics.update(p.job.Name, func(m *jobMetrics) { m.next = e.Next })
		log.Info("scheduled", "job", p.job.Name, "schedule", p.job.Schedule, "next", p.sched.Next(now))
		if o.Config.Missed == "skip" {
			continue
		}
		// Missed-run policy: a job whose last successful run is older than
		// one period (the next time after it has passed), or that never
		// ran, runs once now.
		last, ok := runs.LastSuccess(ws, p.job.Name)
		if !ok || !p.sched.Next(last.In(loc)).After(now) {
			log.Info("catching up a missed run", "job", p.job.Name, "last_success", last)
			j := p.job
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.execute(j, runs.Startup) }()
		}
	}

	<-ctx.Done()
	s.stopped.Store(true)
	log.Info("stopping: no new runs; waiting for running jobs", "grace", time.Duration(o.Config.Grace).String())
	cronDone := c.Stop()
	grace := time.Duration(o.Config.Grace)
	if o.Grace != 0 {
		grace = o.Grace
	}
	all := make(chan struct{})
	go func() { <-cronDone.Done(); s.wg.Wait(); close(all) }()
	select {
	case <-all:
	case <-time.After(grace):
		log.Warn("grace period over: cancelling running jobs; they stop without committing, and the next run redoes their work")
		cancelJobs()
		<-all
	}
	if httpSrv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = httpSrv.Shutdown(sctx)
	}
	log.Info("stopped")
	return nil
}

// execute runs one job: at most one run of it at a time in this process
// (a run that comes due while one is running is skipped and counted),
// holding its cross-process lock, recovering a panic, recording a run
// report and the metrics. It returns false when it skipped the run
// because one was running.
func (s *server) execute(j Job, trigger string) bool {
	if s.stopped.Load() {
		return true
	}
	flag := s.running[j.Name]
	if !flag.CompareAndSwap(false, true) {
		s.metrics.update(j.Name, func(m *jobMetrics) { m.skipped++ })
		s.log.Warn("skipped: the previous run is still running", "job", j.Name)
		return false
	}
	defer flag.Store(false)
	ctx := s.jobCtx
	start := time.Now()
	s.metrics.update(j.Name, func(m *jobMetrics) { m.running = true })
	s.log.Info("job started", "job", j.Name, "trigger", trigger)
	report, err := s.runLocked(ctx, j)
	end := time.Now()
	rep := runs.Build(j.Kind, start, report, err, runs.Options{Job: j.Name, Trigger: trigger, End: end})
	if serr := runs.Save(s.ws, rep); serr != nil {
		s.log.Error("could not write the run report", "job", j.Name, "err", serr)
	}
	if s.keep > 0 {
		if _, perr := runs.Prune(s.ws, s.keep); perr != nil {
			s.log.Warn("could not prune run reports", "err", perr)
		}
	}
	s.metrics.update(j.Name, func(m *jobMetrics) {
		m.running = false
		m.runs[rep.Outcome]++
		m.durationSum += end.Sub(start).Seconds()
		m.durationN++
		m.lastRun, m.lastOutcome, m.lastError = end, rep.Outcome, rep.Error
		if rep.Outcome == runs.Failed {
			m.failures++
		} else {
			m.lastSuccess = end
		}
	})
	attrs := []any{"job", j.Name, "run", rep.ID, "outcome", rep.Outcome, "seconds", rep.Seconds}
	if err != nil {
		s.log.Error("job failed", append(attrs, "err", err.Error())...)
	} else {
		s.log.Info("job finished", append(attrs, "summary", rep.Summary)...)
	}
	if ctx.Err() == nil {
		s.metrics.setUnits(s.counter(ctx))
	}
	return true
}

func (s *server) runLocked(ctx context.Context, j Job) (report any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("job %s panicked: %v; this is a bug, please report it with the run report\n%s", j.Name, r, debug.Stack())
		}
	}()
	if j.Lock != "" {
		if h, held := lock.Current(s.lockDir, j.Lock); held {
			s.log.Info("waiting for lock", "job", j.Name, "lock", j.Lock, "holder", h.String())
		}
		// The locks a manual run of the same operation takes (runs.Hold;
		// the repository's write lock is carried by ctx).
		var release func()
		if ctx, release, err = runs.Hold(ctx, s.ws, j.Lock, true, "kbops serve job "+j.Name); err != nil {
			return nil, err
		}
		defer release()
	}
	return j.Run(ctx)
}

type jobHealth struct {
	Job         string     `json:"job"`
	Running     bool       `json:"running"`
	LastOutcome string     `json:"last_outcome,omitempty"`
	LastError   string     `json:"last_error,omitempty"`
	LastSuccess *time.Time `json:"last_success,omitempty"`
	Next        *time.Time `json:"next,omitempty"`
}

// healthz answers 200 while serving (status "ok", or "degraded" when a
// job's last run failed, with the jobs listed), 503 while shutting down.
func (s *server) healthz(w http.ResponseWriter, _ *http.Request) {
	s.metrics.mu.Lock()
	out := struct {
		Status string      `json:"status"`
		Jobs   []jobHealth `json:"jobs"`
	}{Status: "ok"}
	for n, m := range s.metrics.jobs {
		h := jobHealth{Job: n, Running: m.running, LastOutcome: m.lastOutcome, LastError: firstLine(m.lastError)}
		if !m.lastSuccess.IsZero() {
			t := m.lastSuccess
			h.LastSuccess = &t
		}
		if !m.next.IsZero() {
			t := m.next
			h.Next = &t
		}
		if m.lastOutcome == runs.Failed {
			out.Status = "degraded"
		}
		out.Jobs = append(out.Jobs, h)
	}
	s.metrics.mu.Unlock()
	sort.Slice(out.Jobs, func(i, j int) bool { return out.Jobs[i].Job < out.Jobs[j].Job })
	code := http.StatusOK
	if s.stopped.Load() {
		out.Status, code = "stopping", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(out)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// cronLogger adapts slog to cron's logger.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) {
	l.log.Debug("cron: "+msg, kv...)
}

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", errorString(err))...)
}

func errorString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
