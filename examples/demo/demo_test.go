package demo_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embedded"
)

// TestDemoRunsTheNightlyJob runs run.sh, as `make demo` does, with a kbops
// built from this tree and an embedded weaviate-server, and checks that
// every step the demo promises happened: all four kinds of source were
// ingested, the ticket export's personal data was redacted, the review
// went through its stages to a merge, publish wrote the units, the
// cross-language searches found their answers, and the health report was
// written where the script says.
func TestDemoRunsTheNightlyJob(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole demo (about 30 s)")
	}
	if _, err := embedded.FindBinary(""); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("the demo needs weaviate-server (make tools): %v", err)
	}
	for _, tool := range []string{"bash", "git", "go"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the demo needs %s: %v", tool, err)
		}
	}
	tmp := t.TempDir()
	kbops := filepath.Join(tmp, "kbops")
	if out, err := exec.Command("go", "build", "-o", kbops, "../../cmd/kbops").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	work := filepath.Join(tmp, "demo")
	cmd := exec.Command("bash", "run.sh")
	cmd.Env = append(os.Environ(), "KBOPS="+kbops, "DEMO_DIR="+work)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	text := out.String()
	if err != nil {
		t.Fatalf("run.sh: %v\n%s", err, text)
	}

	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`glossary/termbase.tbx: 6 concepts added`),
		regexp.MustCompile(`expert-notes: 6 documents \(0 unchanged, 6 extracted, 0 removed\); units: 11 added`),
		regexp.MustCompile(`manuals: 2 documents \(0 unchanged, 2 extracted, 0 removed\); units: \d+ added`),
		regexp.MustCompile(`faq-web: 1 document \(0 unchanged, 1 extracted, 0 removed\); units: \d+ added`),
		regexp.MustCompile(`support-tickets: 1 document \(0 unchanged, 1 extracted, 0 removed\); units: 3 added`),
		regexp.MustCompile(`redacted="email=2 name=\d+ phone=4"`),
		regexp.MustCompile(`locator: tickets 4711, 4712`),
		regexp.MustCompile(`Please call me back on <phone> or write to <email>`),
		regexp.MustCompile(`no changes: nothing committed`),
		regexp.MustCompile(`expression approved: \d+ units recorded on kbops/review as jonas.weber@example.com`),
		regexp.MustCompile(`glossary approved: 1 unit recorded on kbops/review as carol.chen@example.com`),
		regexp.MustCompile(`verify passed: \d+ units approved`),
		regexp.MustCompile(`merged kbops/review into main`),
		regexp.MustCompile(`published KnowledgeUnit at \w+: (\d+) written, 0 deleted, 0 unchanged`),
		regexp.MustCompile(`published KnowledgeUnit at \w+: 0 written, 0 deleted, \d+ unchanged`),
		// The answers the demo's search steps announce.
		regexp.MustCompile(`derating at high altitude\n1\. 2\.3 Leistungsreduzierung bei großer Aufstellhöhe  \[de,`),
		// Both editions give the cleaning interval; which ranks first is the
		// search's choice, answering from a Spanish-less manual is the point.
		regexp.MustCompile(`disipador\?\n1\. 5 (Maintenance  \[en|Wartung  \[de),`),
		regexp.MustCompile(`冷却风扇多久更换一次？\n1\. El variador se apaga con E21 por la tarde  \[es,`),
		// A German question answered from the English edition, through
		// the German section it translates.
		regexp.MustCompile(`Kühlkörper reinigen\n1\. 5 Maintenance  \[en,(?:[^\n]*\n){1,4}   through its translation: manuals/vf200_betriebsanleitung_de/5-wartung\n`),
		// The Mexican market's adaptation first, the generic note after it.
		regexp.MustCompile(`--market MX --limit 3 grounding PE terminal ground bar\n1\. Grounding in Mexico  \[en,[^\n]*\n[^\n]*\n[^\n]*\n   adapts: expert-notes/en/installation/grounding for MX\n[^\n]*\n2\. Grounding  \[en,`),
		regexp.MustCompile(`market MX: \d+ core units, 1 adapted`),
		regexp.MustCompile(`Health report: ` + regexp.QuoteMeta(filepath.Join(work, "health.html"))),
	} {
		if !want.MatchString(text) {
			t.Errorf("the demo's output has no %q", want)
		}
	}
	if t.Failed() {
		t.Logf("output:\n%s", text)
	}
	page, err := os.ReadFile(filepath.Join(work, "health.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(page), "vf-200") {
		t.Errorf("health.html does not report the product vf-200")
	}
}
