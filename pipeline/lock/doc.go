// Package lock is a cross-process lock on a file under a workspace's
// .kbops/locks folder, so that a scheduled job of `kbops serve` and a
// manual command never write the knowledge repository or Weaviate at the
// same time.
//
// The lock is an flock(2) on .kbops/locks/NAME.lock. The kernel releases it
// when the holding process exits, however it exits, so a lock file left by
// a dead process (its pid no longer alive) is taken over by the next
// Acquire without any manual cleanup. The file also records who holds the
// lock (pid, host, command, start time) for the message a waiting or
// refused caller prints.
package lock
