package serve

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/pipeline/tracks"
)

// ConfigFile is the name of the serve settings file at the workspace root.
const ConfigFile = "serve.yaml"

// Job names of the built-in jobs; ingestion jobs are "ingest:<source>".
const (
	JobIngest    = "ingest"
	JobPublish   = "publish"
	JobReviewDue = "review-due"
	JobHealth    = "health"
	// JobReviewSync polls the review branch's pull request on git.host,
	// as `kbops review sync` does; it exists only with git.host set.
	JobReviewSync = "review-sync"
)

// DefaultListen is the /healthz and /metrics address: loopback only, so
// nothing is exposed by default.
const DefaultListen = "127.0.0.1:9464"

// Config is serve.yaml.
type Config struct {
	// Timezone of the schedules (IANA name, e.g. Europe/Berlin); default
	// the machine's local time zone. A spec may also start with
	// CRON_TZ=Zone.
	Timezone string `yaml:"timezone"`
	// Listen is the address of /healthz and /metrics; "off" disables it.
	Listen string `yaml:"listen"`
	// Missed is the policy for runs missed while serve was down: "run"
	// (default) runs a job once at start when its last successful run is
	// older than one period of its schedule (or it never ran); "skip"
	// waits for the next scheduled time.
	Missed string `yaml:"missed"`
	// Grace is how long running jobs may take to finish after SIGTERM
	// before they are cancelled (default 30s).
	Grace Duration `yaml:"grace"`
	// KeepRuns is how many run reports are kept (default 1000).
	KeepRuns int `yaml:"keep_runs"`
	// Jobs are the schedules: ingest (the default for sources without a
	// schedule of their own in kbops.yaml), publish, review-due, health,
	// review-sync (with git.host).
	Jobs map[string]JobConfig `yaml:"jobs"`
	// Feedback thresholds of the feedback track.
	Feedback tracks.Thresholds `yaml:"feedback"`
}

// JobConfig is one job's schedule.
type JobConfig struct {
	// Schedule is a cron spec: five fields ("30 2 * * *"), six with
	// seconds ("*/10 * * * * *"), or a descriptor (@nightly, @hourly,
	// @every 15m). Empty: not scheduled.
	Schedule string `yaml:"schedule"`
	// Disabled turns a job off without losing its schedule.
	Disabled bool `yaml:"disabled"`
}

// Duration is a time.Duration written as "30s", "5m".
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 30s or 5m", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// DefaultConfig is what applies without serve.yaml.
func DefaultConfig() Config {
	return Config{
		Listen: DefaultListen, Missed: "run", Grace: Duration(30 * time.Second), KeepRuns: 1000,
		Jobs: map[string]JobConfig{
			JobPublish:   {Schedule: "@hourly"},
			JobReviewDue: {Schedule: "@daily"},
			JobHealth:    {Schedule: "@hourly"},
			// Beside the webhook, for hosts that cannot reach serve and
			// deliveries lost on the way.
			JobReviewSync: {Schedule: "@every 5m"},
		},
		Feedback: tracks.DefaultThresholds(),
	}
}

// LoadConfig reads serve.yaml at the workspace root; a missing file gives
// DefaultConfig. Unknown keys are errors naming the file and line.
func LoadConfig(root string) (Config, error) {
	c := DefaultConfig()
	p := filepath.Join(root, ConfigFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return c, fmt.Errorf("read %s: %w", p, err)
	}
	var f Config
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return c, fmt.Errorf("%s: %w; see docs/operations.md", p, err)
	}
	if f.Timezone != "" {
		c.Timezone = f.Timezone
	}
	if f.Listen != "" {
		c.Listen = f.Listen
	}
	if f.Missed != "" {
		c.Missed = f.Missed
	}
	if f.Grace != 0 {
		c.Grace = f.Grace
	}
	if f.KeepRuns != 0 {
		c.KeepRuns = f.KeepRuns
	}
	for k, v := range f.Jobs {
		c.Jobs[k] = v
	}
	c.Feedback = c.Feedback.Merge(f.Feedback)
	if c.Missed != "run" && c.Missed != "skip" {
		return c, fmt.Errorf("%s: missed: %q is not run or skip", p, c.Missed)
	}
	if _, err := time.LoadLocation(c.Timezone); err != nil {
		return c, fmt.Errorf("%s: timezone: %w (use an IANA name such as Europe/Berlin)", p, err)
	}
	return c, nil
}
