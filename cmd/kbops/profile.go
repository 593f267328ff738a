package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"time"
)

// Environment variables that profile one kbops process, for measuring a
// bench step as it runs (docs/performance.md): a CPU profile of the whole
// run, and the heap profile taken when the live heap was largest.
const (
	envCPUProfile  = "KBOPS_CPUPROFILE"
	envPeakProfile = "KBOPS_HEAPPROFILE"
)

// startProfiles starts the profiles the environment asks for; the
// returned function ends them and writes the files.
func startProfiles() func() {
	var stops []func()
	if path := os.Getenv(envCPUProfile); path != "" {
		f, err := os.Create(path)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "kbops: %s: %v\n", envCPUProfile, err)
		} else {
			stops = append(stops, func() { pprof.StopCPUProfile(); _ = f.Close() })
		}
	}
	if path := os.Getenv(envPeakProfile); path != "" {
		done := make(chan struct{})
		finished := make(chan struct{})
		go func() {
			defer close(finished)
			sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
			var peak uint64
			tick := time.NewTicker(500 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-done:
					return
				case <-tick.C:
				}
				metrics.Read(sample)
				if v := sample[0].Value.Uint64(); v > peak+peak/20 {
					peak = v
					writeHeap(path)
				}
			}
		}()
		stops = append(stops, func() { close(done); <-finished })
	}
	return func() {
		for _, s := range stops {
			s()
		}
	}
}

// writeHeap writes the heap profile after a collection, so that it holds
// what is live.
func writeHeap(path string) {
	runtime.GC()
	f, err := os.Create(path + ".tmp")
	if err != nil {
		return
	}
	if pprof.WriteHeapProfile(f) == nil && f.Close() == nil {
		_ = os.Rename(path+".tmp", path)
	}
}
