package publish_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/kbops/kbops/pipeline/publish"
)

// A client nobody here wrote: the official TypeScript client queries the
// published collection through the alias, as an agent front-end would.
func TestTypeScriptClientFindsPublishedUnits(t *testing.T) {
	dir := filepath.Join("testdata", "tsclient")
	node, err := exec.LookPath("node")
	if _, statErr := os.Stat(filepath.Join(dir, "node_modules", "weaviate-client")); err != nil || statErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and the TypeScript client is not installed (node: %v); run `make tools`", err)
		}
		t.Skip("needs node and `make tools` (npm install in pipeline/publish/testdata/tsclient)")
	}
	tg := target(t)
	pub(t, tg, corpus(20), publish.Options{})
	srvHTTP, srvGRPC := ports(t, tg)
	query := func(q, lang string) []map[string]any {
		t.Helper()
		args := []string{"query.mjs", srvHTTP, srvGRPC, tg.Alias, q}
		if lang != "" {
			args = append(args, lang)
		}
		cmd := exec.CommandContext(context.Background(), node, args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			if ee, ok := err.(*exec.ExitError); ok {
				t.Fatalf("node query.mjs: %v\n%s", err, ee.Stderr)
			}
			t.Fatal(err)
		}
		var hits []map[string]any
		if err := json.Unmarshal(out, &hits); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		return hits
	}
	hits := query("ramp time motor 7", "")
	if len(hits) == 0 || hits[0]["unit_id"] != "m/en/doc7/section" || hits[0]["source_uri"] == "" {
		t.Errorf("English query: %v", hits)
	}
	hits = query("接地排", "zh")
	if len(hits) != 1 || hits[0]["unit_id"] != "m/zh/a/接地" {
		t.Errorf("Chinese query with a language filter: %v", hits)
	}
}

// ports returns the HTTP and gRPC ports the target's client talks to.
func ports(t *testing.T, tg *publish.Target) (string, string) {
	t.Helper()
	info := servers[tg]
	return strconv.Itoa(info[0]), strconv.Itoa(info[1])
}
