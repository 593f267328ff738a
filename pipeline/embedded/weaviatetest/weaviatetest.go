// Package weaviatetest starts throwaway weaviate-servers for integration
// tests, on free loopback ports with data in a temporary folder.
//
// Without the binary, tests skip on a laptop; in CI (CI=true) they fail,
// because an integration test that silently skips proves nothing.
package weaviatetest

import (
	"context"
	"os"
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
	o.Dir = t.TempDir()
	s, err := embedded.Start(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Stop(context.Background()) })
	return s
}
