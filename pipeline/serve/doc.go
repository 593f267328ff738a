// Package serve runs kbops's jobs on their schedules (github.com/robfig/cron/v3):
// ingestion per source, publish, the review-due sweep and health
// snapshots, and serves /healthz and /metrics (Prometheus text format) on
// a loopback port.
//
// A job never runs twice at once: in the process, a run that comes due
// while the previous one still runs is skipped (the policy of
// cron.SkipIfStillRunning, with skips counted in kbops_job_skipped_total);
// across processes, a job holds its lock under .kbops/locks (package
// lock), so a manual `kbops ingest` and the scheduled one never collide.
// A panicking job is recovered and recorded as a failed run. Every run
// leaves a run report (package runs). When the context ends (SIGTERM),
// scheduling stops, running jobs get Options.Grace to finish, then their
// context is cancelled: ingestion commits atomically at its end, so a
// cancelled run leaves the workspace as it was and the next run converges.
//
// With git.host set, a review-sync job polls the review branch's pull
// request (hostsync.Sync, as `kbops review sync`), and with
// git.host.webhook_secret_env also set the host's webhook is received at
// hostsync.WebhookPath on the same port: a verified comment or review runs
// review-sync at once, a merge runs host-merge (main fetched, a squash or
// rebase reported) and then publish, each through the same locks, run
// reports and one-at-a-time rule as the scheduled runs.
//
// Settings beyond kbops.yaml live in serve.yaml at the workspace root; see
// docs/operations.md.
package serve
