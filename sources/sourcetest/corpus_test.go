package sourcetest

import (
	"fmt"
	"testing"
)

// recorder is a testing.TB that notes Fatalf and Skipf instead of
// stopping the test.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...) }
func (r *recorder) Skipf(f string, a ...any)  { r.skip = fmt.Sprintf(f, a...) }
func (r *recorder) Helper()                   {}

// Under CI=true a missing corpus fails; elsewhere it skips.
func TestMissingCorpusFailsUnderCI(t *testing.T) {
	t.Setenv("CI", "true")
	r := &recorder{TB: t}
	Corpus(r, "no-such-folder-in-the-corpus")
	if r.fatal == "" || r.skip != "" {
		t.Errorf("CI=true: fatal %q, skip %q; want a failure", r.fatal, r.skip)
	}
	t.Setenv("CI", "")
	r = &recorder{TB: t}
	Corpus(r, "no-such-folder-in-the-corpus")
	if r.skip == "" || r.fatal != "" {
		t.Errorf("laptop: fatal %q, skip %q; want a skip", r.fatal, r.skip)
	}
}
