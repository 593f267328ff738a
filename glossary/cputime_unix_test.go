//go:build unix

package glossary

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used (user and system, all
// threads, garbage collector included). On a shared machine it measures
// the work done, where wall time also measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
