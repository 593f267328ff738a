package config

import (
	"strings"
	"testing"
)

// frontends.keys_file must point outside the repository: a relative path
// would put the keys in it; public_url must be an absolute http(s) URL.
func TestFrontendsAndPublicURL(t *testing.T) {
	ok := "frontends:\n  keys_file: /etc/kbops/access-keys.yaml\n"
	c, err := Parse("kbops.yaml", []byte(ok))
	if err != nil || c.Frontends.KeysFile != "/etc/kbops/access-keys.yaml" {
		t.Fatalf("absolute keys_file: %+v %v", c, err)
	}
	if _, err := Parse("kbops.yaml", []byte("frontends:\n  keys_file: ~/.config/kbops/keys.yaml\n")); err != nil {
		t.Errorf("~/ keys_file refused: %v", err)
	}
	_, err = Parse("kbops.yaml", []byte("version: 1\nfrontends:\n  keys_file: secrets/keys.yaml\n"))
	if err == nil || !strings.Contains(err.Error(), "kbops.yaml:3: frontends.keys_file: ") || !strings.Contains(err.Error(), "outside it") {
		t.Errorf("relative keys_file: %v", err)
	}
	src := "sources:\n  - name: m\n    kind: manuals\n    owner: o@example.com\n    location: manuals/\n    public_url: %s\n"
	if _, err := Parse("kbops.yaml", []byte(strings.Replace(src, "%s", "https://docs.example.com/manuals/", 1))); err != nil {
		t.Errorf("good public_url refused: %v", err)
	}
	_, err = Parse("kbops.yaml", []byte(strings.Replace(src, "%s", "docs.example.com/manuals", 1)))
	if err == nil || !strings.Contains(err.Error(), "kbops.yaml:6: sources[0].public_url: ") {
		t.Errorf("public_url without a scheme: %v", err)
	}
}
