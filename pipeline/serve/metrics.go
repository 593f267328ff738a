package serve

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// metrics are kept in the process and written in the Prometheus text
// exposition format (version 0.0.4); no client library is needed for a
// handful of counters and gauges.
type metrics struct {
	mu   sync.Mutex
	jobs map[string]*jobMetrics
	// units by status, from the last count.
	units     map[string]int
	unitsAt   time.Time
	startedAt time.Time
}

type jobMetrics struct {
	runs        map[string]int // outcome → count
	failures    int
	skipped     int
	durationSum float64
	durationN   int
	lastSuccess time.Time
	lastRun     time.Time
	lastOutcome string
	lastError   string
	running     bool
	next        time.Time
}

func newMetrics() *metrics {
	return &metrics{jobs: map[string]*jobMetrics{}, units: map[string]int{}, startedAt: time.Now()}
}

func (m *metrics) job(name string) *jobMetrics {
	j := m.jobs[name]
	if j == nil {
		j = &jobMetrics{runs: map[string]int{}}
		m.jobs[name] = j
	}
	return j
}

func (m *metrics) update(name string, f func(j *jobMetrics)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	f(m.job(name))
}

func (m *metrics) setUnits(c map[string]int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.units, m.unitsAt = c, time.Now()
}

// Metric names; documented in docs/operations.md.
const (
	MetricRuns        = "kbops_job_runs_total"
	MetricFailures    = "kbops_job_failures_total"
	MetricSkipped     = "kbops_job_skipped_total"
	MetricDuration    = "kbops_job_duration_seconds"
	MetricLastSuccess = "kbops_job_last_success_timestamp_seconds"
	MetricRunning     = "kbops_job_running"
	MetricUnits       = "kbops_units"
	MetricUp          = "kbops_serve_start_timestamp_seconds"
)

func (m *metrics) write(w io.Writer) {
	m.mu.Lock()
	defer m.mu.Unlock()
	names := make([]string, 0, len(m.jobs))
	for n := range m.jobs {
		names = append(names, n)
	}
	sort.Strings(names)
	head := func(name, typ, help string) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	head(MetricUp, "gauge", "Unix time kbops serve started.")
	fmt.Fprintf(w, "%s %d\n", MetricUp, m.startedAt.Unix())
	head(MetricRuns, "counter", "Finished job runs by outcome (success, attention, failed).")
	for _, n := range names {
		j := m.jobs[n]
		outs := make([]string, 0, len(j.runs))
		for o := range j.runs {
			outs = append(outs, o)
		}
		sort.Strings(outs)
		for _, o := range outs {
			fmt.Fprintf(w, "%s{job=%s,outcome=%s} %d\n", MetricRuns, quote(n), quote(o), j.runs[o])
		}
	}
	head(MetricFailures, "counter", "Job runs that failed (error or panic).")
	for _, n := range names {
		fmt.Fprintf(w, "%s{job=%s} %d\n", MetricFailures, quote(n), m.jobs[n].failures)
	}
	head(MetricSkipped, "counter", "Scheduled runs skipped because the previous run of the job was still running.")
	for _, n := range names {
		fmt.Fprintf(w, "%s{job=%s} %d\n", MetricSkipped, quote(n), m.jobs[n].skipped)
	}
	head(MetricDuration, "summary", "Duration of finished job runs.")
	for _, n := range names {
		j := m.jobs[n]
		fmt.Fprintf(w, "%s_sum{job=%s} %g\n%s_count{job=%s} %d\n", MetricDuration, quote(n), j.durationSum, MetricDuration, quote(n), j.durationN)
	}
	head(MetricLastSuccess, "gauge", "Unix time of the job's last successful run (0: none since start and no run report).")
	for _, n := range names {
		var ts int64
		if !m.jobs[n].lastSuccess.IsZero() {
			ts = m.jobs[n].lastSuccess.Unix()
		}
		fmt.Fprintf(w, "%s{job=%s} %d\n", MetricLastSuccess, quote(n), ts)
	}
	head(MetricRunning, "gauge", "1 while the job runs.")
	for _, n := range names {
		v := 0
		if m.jobs[n].running {
			v = 1
		}
		fmt.Fprintf(w, "%s{job=%s} %d\n", MetricRunning, quote(n), v)
	}
	head(MetricUnits, "gauge", "Knowledge units by status (approved, unapproved, retired on main; pending on the review branch; due for review).")
	sts := make([]string, 0, len(m.units))
	for s := range m.units {
		sts = append(sts, s)
	}
	sort.Strings(sts)
	for _, s := range sts {
		fmt.Fprintf(w, "%s{status=%s} %d\n", MetricUnits, quote(s), m.units[s])
	}
}

// quote writes a label value: backslash, double quote and newline are
// escaped, as the text format requires.
func quote(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
