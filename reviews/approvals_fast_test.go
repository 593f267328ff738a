package reviews

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// encoderApprovals is MarshalApprovals by the YAML encoder alone.
func encoderApprovals(t *testing.T, f ApprovalFile) []byte {
	t.Helper()
	var b bytes.Buffer
	b.WriteString("# Review decisions for " + f.Unit + ". Written by `kbops review approve|reject`; verified by `kbops review verify`.\n")
	if err := encodeApprovals(&b, f); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// The hand-written path writes exactly what the encoder writes, for the
// strings it takes and for those it hands back: generated files whose
// strings come from pieces YAML treats specially (booleans, nulls,
// numbers, ": ", " #", quotes, leading or trailing spaces, non-ASCII,
// long words and long sentences) and realistic ones.
func TestPlainApprovalsAreWhatTheEncoderWrites(t *testing.T) {
	pieces := []string{"", " ", "  ", "a", "Z", "ok", "yes", "No", "TRUE", "off", "null", "Null", "~", "y", "n", "0", "1.5", "0x1F", "1e3",
		".inf", "-", "-a", "a-", ":", "a:b", "a: b", "a:", "#", "a #b", "a#b", "'", "\"", "@x", "x@example.com", "sha256:9400fbeb7116c68f",
		"notes/es/doc0000/seccion-2", "ä", "中文", "\t", "\n", "a\nb", "[x]", "{x}", "!x", "&x", "*x", "%x", "|", ">", "?", ",", "`x`",
		"editions of one manual", "personal-data", "conflict", "2026-12-04", "12:30", "<<", "=", strings.Repeat("word ", 30), strings.TrimSpace(strings.Repeat("word ", 30)), strings.Repeat("x", 120)}
	rng := rand.New(rand.NewPCG(1, 2))
	str := func() string {
		var s string
		for range rng.IntN(4) {
			s += pieces[rng.IntN(len(pieces))]
		}
		return s
	}
	at := time.Date(2026, 12, 4, 21, 41, 11, 0, time.UTC)
	var plain, handed int
	for i := range 20000 {
		f := ApprovalFile{Unit: str()}
		if i%3 == 0 {
			f.Unit = "manuals/md/p00/manual-00000/encoder-settings-0-3"
		}
		for j := range rng.IntN(4) {
			r := Record{Stage: Stage(str()), Verdict: Verdict(str()), Reviewer: str(), Version: rng.IntN(5) - 1, ContentHash: str(), At: at.Add(time.Duration(j*rng.IntN(1e6)) * time.Millisecond)}
			if i%3 == 0 {
				r.Stage, r.Verdict, r.Reviewer, r.ContentHash = Stages[j%3], Approved, "carol@example.com", "sha256:9400fbeb7116c68f6708b5bfa9f654dce43d536dd85bebc54c8313744edeb17b"
			}
			if rng.IntN(3) == 0 {
				r.Comment = str()
			}
			if j == 1 && i%7 == 0 {
				r.At = r.At.In(time.FixedZone("", 3600))
			}
			for range rng.IntN(3) {
				r.Waived = append(r.Waived, Waiver{Code: str(), Reason: str()})
			}
			for range rng.IntN(2) {
				r.Pins = append(r.Pins, Pin{Over: str(), Version: rng.IntN(3), ContentHash: str(), Reason: str()})
			}
			f.Records = append(f.Records, r)
		}
		if i%11 == 0 {
			f.Records = []Record{}
		}
		got, err := MarshalApprovals(f)
		if err != nil {
			t.Fatal(err)
		}
		if want := encoderApprovals(t, f); !bytes.Equal(got, want) {
			t.Fatalf("file %d differs:\n%s\nthe encoder writes:\n%s", i, got, want)
		}
		var b bytes.Buffer
		if appendPlainApprovals(&b, f) {
			plain++
		} else {
			handed++
		}
	}
	t.Logf("%d files by hand, %d by the encoder", plain, handed)
	if plain < 2000 || handed < 2000 {
		t.Errorf("%d files took the hand-written path and %d the encoder: the test does not cover both", plain, handed)
	}
}

// BenchmarkMarshalApprovals writes the approvals file of a unit after its
// third stage, the file every consistency approval writes.
func BenchmarkMarshalApprovals(b *testing.B) {
	at := time.Date(2026, 12, 4, 21, 41, 11, 0, time.UTC)
	f := ApprovalFile{Unit: "manuals/md/p00/manual-00000/encoder-settings-0-3"}
	for i, who := range []string{"ana@example.com", "tom@example.com", "carol@example.com"} {
		f.Records = append(f.Records, Record{Stage: Stages[i], Verdict: Approved, Reviewer: who, Version: 1,
			ContentHash: "sha256:9400fbeb7116c68f6708b5bfa9f654dce43d536dd85bebc54c8313744edeb17b", At: at})
	}
	b.ReportAllocs()
	for range b.N {
		if _, err := MarshalApprovals(f); err != nil {
			b.Fatal(err)
		}
	}
}
