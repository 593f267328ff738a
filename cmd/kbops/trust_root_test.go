package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/reviews/kbrepo"
)

// `kbops init` pins the workspace's first commit as the root trust starts
// from, and tells the user what default and strict mode trust.
func TestInitPinsTrustRootAndExplainsModes(t *testing.T) {
	ws := filepath.Join(t.TempDir(), "kb")
	var out bytes.Buffer
	if code := run(context.Background(), []string{"kbops", "init", ws}, &out, &out); code != 0 {
		t.Fatalf("init: exit %d\n%s", code, out.String())
	}
	r, err := kbrepo.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	h, _, _ := r.Branch("main")
	roots, err := r.Roots(context.Background(), h)
	if err != nil || len(roots) != 1 {
		t.Fatalf("roots of a new workspace: %v %v", roots, err)
	}
	pin, ok, err := r.TrustRoot()
	if err != nil || !ok || pin != roots[0] {
		t.Errorf("trust root = %v (pinned %v, %v), want the first commit %v", pin, ok, err, roots[0])
	}
	for _, want := range []string{"default mode", "strict: true", "--sign-key", "Trust model"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("init output does not mention %q:\n%s", want, out.String())
		}
	}
}
