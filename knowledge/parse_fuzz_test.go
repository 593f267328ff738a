package knowledge

import (
	"os"
	"testing"
)

// FuzzParse feeds arbitrary unit files to Parse: it must return a unit or
// an error, never panic or hang, and a unit it accepts must survive a
// Marshal/Parse round trip with the same content hash.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("testdata/unit.golden.md"); err == nil {
		f.Add(b)
	}
	f.Add([]byte("---\nid: a/b\nversion: 1\n---\nbody\n"))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\ntitle: [unclosed\n---\n"))
	f.Add([]byte("---\nsource: {fetched_at: 2026-13-45}\n---\n"))
	f.Add([]byte("no front matter at all"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		u, err := Parse("fuzz/unit", data)
		if err != nil {
			return
		}
		b, err := Marshal(u)
		if err != nil {
			return // Parse is lenient where Marshal validates
		}
		v, err := Parse("fuzz/unit", b)
		if err != nil {
			t.Fatalf("Parse of Marshal output failed: %v\n%s", err, b)
		}
		if ComputeHash(u) != ComputeHash(v) {
			t.Fatalf("round trip changed the content hash\nin:  %q\nout: %q", data, b)
		}
	})
}
