package serve_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/kbops/kbops/pipeline/lock"
	"github.com/kbops/kbops/pipeline/runs"
	"github.com/kbops/kbops/pipeline/serve"
	"github.com/kbops/kbops/pipeline/tracks/trackstest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews"
	"github.com/kbops/kbops/sources"
)

// start runs serve in the background and returns its address and a stop
// function that cancels it (as SIGTERM does) and waits for it.
func start(t *testing.T, o serve.Options) (addr string, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	o.Ready = func(a string) { ready <- a }
	if o.Listen == "" {
		o.Listen = "127.0.0.1:0"
	}
	done := make(chan error, 1)
	go func() { done <- serve.Run(ctx, o) }()
	select {
	case addr = <-ready:
	case err := <-done:
		cancel()
		t.Fatalf("serve ended at start: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not start")
	}
	var once sync.Once
	var err error
	stop = func() error {
		once.Do(func() { cancel(); err = <-done })
		return err
	}
	t.Cleanup(func() { stop() })
	return addr, stop
}

func scrape(t *testing.T, addr string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Fatalf("content type %q", ct)
	}
	var p expfmt.TextParser
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics is not valid Prometheus text: %v", err)
	}
	return fams
}

// value returns the value of the metric with the given labels.
func value(fams map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	f := fams[name]
	if f == nil {
		return 0, false
	}
next:
	for _, m := range f.Metric {
		for i := 0; i+1 < len(labels); i += 2 {
			found := false
			for _, l := range m.Label {
				if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.Counter.GetValue(), true
		case m.Gauge != nil:
			return m.Gauge.GetValue(), true
		case m.Summary != nil:
			return float64(m.Summary.GetSampleCount()), true
		}
	}
	return 0, false
}

func TestScheduledJobsNeverOverlapAndManualRunsAreTurnedAway(t *testing.T) {
	ws, _ := trackstest.Workspace(t, trackstest.Options{})
	var running, maxRunning, runsDone atomic.Int32
	inside := make(chan struct{}, 10)
	slow := serve.Job{Name: "slow", Kind: "test", Schedule: "@every 1s", Lock: lock.Repo, Run: func(ctx context.Context) (any, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for {
			m := maxRunning.Load()
			if n <= m || maxRunning.CompareAndSwap(m, n) {
				break
			}
		}
		inside <- struct{}{}
		select {
		case <-time.After(2500 * time.Millisecond):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		runsDone.Add(1)
		return nil, nil
	}}
	boom := serve.Job{Name: "boom", Kind: "test", Schedule: "* * * * * *", Run: func(context.Context) (any, error) {
		panic("deliberate")
	}}
	cfg := serve.DefaultConfig()
	cfg.Grace = serve.Duration(10 * time.Second)
	addr, stop := start(t, serve.Options{Workspace: ws, Config: cfg, Jobs: []serve.Job{slow, boom}})

	<-inside // the slow job runs and holds the repository lock
	_, err := lock.Acquire(context.Background(), lock.Dir(ws.Root), lock.Repo, false, "kbops trigger")
	if !errors.Is(err, lock.ErrBusy) || !strings.Contains(err.Error(), "kbops serve job slow") {
		t.Fatalf("a manual run during the scheduled one: want a busy error naming the job, got %v", err)
	}
	// A waiting manual run gets the lock once the job is done.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := lock.Acquire(ctx, lock.Dir(ws.Root), lock.Repo, true, "kbops ingest")
	if err != nil {
		t.Fatalf("waiting manual run: %v", err)
	}
	time.Sleep(1500 * time.Millisecond) // the next scheduled run now waits for us
	l.Release()
	for runsDone.Load() < 2 {
		select {
		case <-inside:
		case <-time.After(15 * time.Second):
			t.Fatal("slow job did not run twice")
		}
	}
	fams := scrape(t, addr)
	if maxRunning.Load() != 1 {
		t.Fatalf("slow job overlapped itself: %d at once", maxRunning.Load())
	}
	if v, _ := value(fams, serve.MetricSkipped, "job", "slow"); v < 1 {
		t.Errorf("no skipped run counted for the slow job (%v)", v)
	}
	if v, _ := value(fams, serve.MetricRuns, "job", "slow", "outcome", "success"); v < 2 {
		t.Errorf("slow job runs %v", v)
	}
	if v, _ := value(fams, serve.MetricFailures, "job", "boom"); v < 1 {
		t.Errorf("panicking job not counted as failed: %v", v)
	}
	if v, ok := value(fams, serve.MetricLastSuccess, "job", "slow"); !ok || v < float64(time.Now().Add(-time.Minute).Unix()) {
		t.Errorf("last success %v", v)
	}
	if v, ok := value(fams, serve.MetricUnits, "status", "approved"); !ok || v < 5 {
		t.Errorf("approved units %v", v)
	}
	if _, ok := value(fams, serve.MetricDuration, "job", "slow"); !ok {
		t.Error("no duration summary")
	}
	resp, err := http.Get("http://" + addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"degraded"`) || !strings.Contains(string(body), "deliberate") {
		t.Errorf("healthz %d %s", resp.StatusCode, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// Every run left a report; the panic is reported with its message.
	all, _ := runs.List(ws)
	var panicked bool
	for _, r := range all {
		if r.Job == "boom" && r.Outcome == runs.Failed && strings.Contains(r.Error, "panicked: deliberate") {
			panicked = true
		}
	}
	if !panicked {
		t.Error("no failed run report for the panicking job")
	}
}

// slowMarkdown delays each document, so a run can be stopped half-way.
type slowMarkdown struct {
	sources.Extractor
	delay   time.Duration
	started chan string
}

func (s slowMarkdown) Extract(ctx context.Context, doc sources.Document, emit func(sources.Section) error, warn func(error)) error {
	select {
	case s.started <- doc.Name:
	default:
	}
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return ctx.Err()
	}
	return s.Extractor.Extract(ctx, doc, emit, warn)
}

func slowRegistry(t *testing.T, delay time.Duration) (*sources.Registry, chan string) {
	reg := &sources.Registry{}
	f, ok := sources.Default.Scheme("folder")
	md, ok2 := sources.Default.Format("markdown")
	if !ok || !ok2 {
		t.Fatal("folder or markdown plugin missing")
	}
	started := make(chan string, 100)
	reg.RegisterScheme(f)
	md.Extractor = slowMarkdown{md.Extractor, delay, started}
	reg.RegisterFormat(md)
	return reg, started
}

func TestStopMidIngestLeavesWorkspaceConsistentAndNextRunConverges(t *testing.T) {
	ws, notes := trackstest.Workspace(t, trackstest.Options{})
	// Change every note so that the next ingestion extracts them all.
	filepath.Walk(notes, func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			os.WriteFile(p, append(b, []byte("\n\nRevised after the 2.1 firmware.\n")...), 0o644)
		}
		return nil
	})
	statePath := filepath.Join(ws.Root, workspace.StateDir, "state", "ingest.json")
	stateBefore, _ := os.ReadFile(statePath)
	reviewBefore, _, _ := ws.Repo.Branch(ws.Config.Review.Branch)
	mainBefore, _, _ := ws.Repo.Branch(ws.Config.Review.Main)

	reg, started := slowRegistry(t, 400*time.Millisecond)
	cfg := serve.DefaultConfig()
	cfg.Jobs = map[string]serve.JobConfig{"ingest": {Schedule: "@every 1h"}}
	cfg.Grace = serve.Duration(time.Millisecond)
	cfg.Listen = "off"
	_, stop := start(t, serve.Options{Workspace: ws, Config: cfg, Deps: serve.Deps{Registry: reg}})
	// The job never ran, so it runs at start (missed-run policy).
	<-started
	<-started
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	// Nothing half-done: branches and document state are as they were.
	if h, _, _ := ws.Repo.Branch(ws.Config.Review.Branch); h != reviewBefore {
		t.Fatal("review branch moved by a cancelled run")
	}
	if h, _, _ := ws.Repo.Branch(ws.Config.Review.Main); h != mainBefore {
		t.Fatal("main moved")
	}
	if b, _ := os.ReadFile(statePath); string(b) != string(stateBefore) {
		t.Fatal("document state changed by a cancelled run")
	}
	if _, err := reviews.Load(context.Background(), ws.Repo, reviewBefore); err != nil {
		t.Fatal(err)
	}
	all, _ := runs.List(ws)
	if len(all) != 1 || all[0].Outcome != runs.Failed || all[0].Trigger != runs.Startup || !strings.Contains(all[0].Error, "context canceled") {
		t.Fatalf("run reports %+v", all)
	}

	// Next start: the last run failed, so it runs again and completes.
	reg, _ = slowRegistry(t, 0)
	_, stop = start(t, serve.Options{Workspace: ws, Config: cfg, Deps: serve.Deps{Registry: reg}})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if at, ok := runs.LastSuccess(ws, "ingest:expert-notes"); ok && at.After(time.Now().Add(-time.Minute)) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the next run did not complete")
		}
		time.Sleep(100 * time.Millisecond)
	}
	stop()
	h, _, _ := ws.Repo.Branch(ws.Config.Review.Branch)
	if h == reviewBefore {
		t.Fatal("the next run committed nothing")
	}
	snap, err := reviews.Load(context.Background(), ws.Repo, h)
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for _, u := range snap.Units {
		if strings.Contains(u.Body, "Revised after the 2.1 firmware") {
			changed++
		}
	}
	if changed == 0 {
		t.Fatal("revised notes not ingested")
	}
	all, _ = runs.List(ws)
	if all[0].Outcome != runs.Success || all[0].Commit != h.String() {
		t.Fatalf("last report %+v", all[0])
	}
}
