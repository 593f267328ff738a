package mcpserver_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/mcpserver"
	"github.com/kbops/kbops/pipeline/publish"
)

// An agent nobody here wrote: the official TypeScript SDK client lists
// the tools, asks in English about the braking resistor, which only a
// Chinese note describes (the glossary carries the question across), and
// reads that unit's resource.
func TestTypeScriptAgentSearchesAcrossLanguages(t *testing.T) {
	dir := filepath.Join("testdata", "tsclient")
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(dir, "node_modules", "@modelcontextprotocol", "sdk")); err != nil || statErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the MCP TypeScript SDK is not installed (node: %v); run `make tools`", err)
		}
		t.Skip("needs node and `make tools` (npm install in pipeline/mcpserver/testdata/tsclient)")
	}
	ws, keys, _ := fixture(t, false)
	endpoint := serveHTTP(t, ws, keys)
	cmd := exec.CommandContext(context.Background(), node, "agent.mjs", endpoint, customerKey, "braking resistor", "en")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("node agent.mjs: %v\n%s", err, ee.Stderr)
		}
		t.Fatal(err)
	}
	var got struct {
		Tools     []string        `json:"tools"`
		Hits      []mcpserver.Hit `json:"hits"`
		Resources []struct {
			URI      string            `json:"uri"`
			MIMEType string            `json:"mimeType"`
			Unit     publish.Published `json:"unit"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if !slices.Contains(got.Tools, mcpserver.ToolSearch) || !slices.Contains(got.Tools, mcpserver.ToolGetUnit) {
		t.Errorf("tools %v", got.Tools)
	}
	// An English note names the braking resistor too; the Chinese one must
	// be found beside it although it has no English word of the question.
	const want = "expert-notes/zh/parameters/加减速时间"
	i := slices.IndexFunc(got.Hits, func(h mcpserver.Hit) bool { return h.UnitID == want })
	if i < 0 || got.Hits[i].Language != "zh-CN" {
		t.Fatalf("English question: hits %+v, want the Chinese unit %s among them", got.Hits, want)
	}
	if !slices.Contains(got.Hits[i].Terms, "braking resistor") {
		t.Errorf("target_terms in English: %v", got.Hits[i].Terms)
	}
	if len(got.Resources) != len(got.Hits) {
		t.Fatalf("%d resources read for %d hits", len(got.Resources), len(got.Hits))
	}
	r := got.Resources[i]
	if r.URI != mcpserver.UnitURI(want) || r.MIMEType != "application/json" || r.Unit.UnitID != want || r.Unit.Access != "customer" || r.Unit.Link == "" {
		t.Fatalf("resource of %s: %+v", want, r)
	}
	if !strings.Contains(r.Unit.Body, "制动电阻") {
		t.Errorf("unit body: %q", r.Unit.Body)
	}
}
