package gitea

import (
	"testing"

	"github.com/kbops/kbops/reviews/githost"
)

// The cursor survives being stored as text, pending drafts included, and a
// damaged one is an error rather than a restart from the beginning.
func TestCursorRoundTrip(t *testing.T) {
	c := cursor{comment: 41, seen: map[int64]bool{3: true, 5: true, 6: true, 7: true, 9: true}}
	s := c.String()
	if s != "c=41;r=3,5-7,9" {
		t.Fatalf("cursor text %q", s)
	}
	back, err := parseCursor(s)
	if err != nil || back.comment != 41 || len(back.seen) != 5 || !back.seen[6] || back.seen[4] {
		t.Fatalf("parsed %+v, %v", back, err)
	}
	if z, err := parseCursor(""); err != nil || z.comment != 0 || len(z.seen) != 0 {
		t.Fatalf("zero cursor = %+v, %v", z, err)
	}
	for _, bad := range []githost.Cursor{"c=x", "q=1", "c=1;r=a", "r=5-3", "r=1-99999999"} {
		if _, err := parseCursor(bad); err == nil {
			t.Errorf("parseCursor(%q) accepted it", bad)
		}
	}
}
