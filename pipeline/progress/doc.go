// Package progress shows the progress of long runs on a terminal: per
// stage, the count done (of the total when known), the rate and the time
// left.
//
// It writes nothing unless stderr is a terminal, so cron mail, CI logs and
// `kbops serve` logs never fill with progress lines; TERM=dumb turns it off
// too (no cursor control), and NO_COLOR is respected (no colour is used at
// all).
package progress
