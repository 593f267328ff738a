package markup

import (
	"strings"
	"testing"
)

// A unit-sized body with the markup that real manuals carry: links,
// images, a few harmless tags and comparison signs.
var benchBody = strings.Repeat("Connect PE to the ground bar; torque < 5 Nm. See [the manual](https://example.com/m.pdf#p12) and ![wiring](img/w.png). Use <b>4 mm²</b> wire.\n", 30)

func BenchmarkFind(b *testing.B) {
	b.SetBytes(int64(len(benchBody)))
	for b.Loop() {
		if Find(benchBody) != nil {
			b.Fatal("problem")
		}
	}
}

func BenchmarkClean(b *testing.B) {
	s := benchBody + "<script>alert(1)</script> [x](javascript:alert(1))\n"
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		Clean(s)
	}
}
