package sourcetest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Corpus returns the path of elem under the shared test corpus
// (../shared/corpus relative to the repository root; see its SOURCES.md).
// When it is missing the test is skipped on a laptop, and fails under
// CI=true: there a skip would hide that the corpus tests did not run.
func Corpus(t testing.TB, elem ...string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..") // sources/sourcetest → repository root
	p := filepath.Join(append([]string{root, "..", "shared", "corpus"}, elem...)...)
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("shared corpus missing under CI: %v (check out ../shared/corpus next to the repository)", err)
		} else {
			t.Skipf("shared corpus not present: %v", err)
		}
	}
	return p
}
