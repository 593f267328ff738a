// Package weaviatetest starts throwaway weaviate-servers for integration
// tests, on free loopback ports with data in a temporary folder.
//
// Without the binary, tests skip on a laptop; in CI (CI=true) they fail,
// because an integration test that silently skips proves nothing.
package weaviatetest

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embedded"
)

// Start returns a running server that is stopped when the test ends.
func Start(t testing.TB) *embedded.Server {
	t.Helper()
	return StartWith(t, embedded.Options{})
}

// StartWith is Start with options (Dir is always a temporary folder).
func StartWith(t testing.TB, o embedded.Options) *embedded.Server {
	t.Helper()
	if _, err := embedded.FindBinary(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("integration test needs weaviate-server: %v", err)
	}
	// The server's ports are picked free before it binds them, so a
	// process starting at the same moment (tests of other packages run in
	// parallel) can take one first; a fresh start picks new ones. Ports
	// the caller chose are not retried.
	var err error
	for attempt := 1; ; attempt++ {
		o.Dir = t.TempDir()
		var s *embedded.Server
		s, err = embedded.Start(context.Background(), o)
		if err == nil {
			t.Cleanup(func() { _ = s.Stop(context.Background()) })
			return s
		}
		if attempt == 3 || o.HTTPPort != 0 || o.GRPCPort != 0 || !strings.Contains(err.Error(), "address already in use") {
			break
		}
		t.Logf("weaviate-server lost a port to another process, starting again: %v", err)
	}
	t.Fatal(err)
	return nil
}

// Restart stops s and starts a server on the same data folder and ports
// with options o: memtables are flushed to segments on the way, as after
// a long pause. The new server is stopped when the test ends.
func Restart(t testing.TB, s *embedded.Server, o embedded.Options) *embedded.Server {
	t.Helper()
	if err := s.Stop(context.Background()); err != nil {
		t.Fatalf("stop weaviate-server: %v", err)
	}
	o.Dir, o.HTTPPort, o.GRPCPort = s.Dir(), s.HTTPPort, s.GRPCPort
	n, err := embedded.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = n.Stop(context.Background()) })
	return n
}
