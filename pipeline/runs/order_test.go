package runs

import (
	"slices"
	"testing"

	"github.com/kbops/kbops/pipeline/lock"
)

// TestLockOrderIsFixed: however a caller lists them, the repository lock
// sorts before the publish lock, the order that keeps two runs holding
// both from waiting on each other.
func TestLockOrderIsFixed(t *testing.T) {
	for _, in := range [][]string{{lock.Publish, lock.Repo}, {lock.Repo, lock.Publish}, {lock.Publish, lock.Repo, lock.Publish}} {
		got := lockOrder(in)
		if !slices.Equal(got, []string{lock.Repo, lock.Publish}) {
			t.Fatalf("%v sorts to %v", in, got)
		}
	}
}
