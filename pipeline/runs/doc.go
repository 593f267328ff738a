// Package runs keeps run reports: every run of a job, scheduled by `kbops
// serve` or started by hand, leaves a JSON report under .kbops/runs/ID.json
// with what it did per source, its findings, its errors with their places,
// and how long it took. `kbops runs` lists them; `kbops runs show ID` prints
// one.
//
// Report ids sort by time: 20260131T020000Z-ingest-3f9a.
package runs
