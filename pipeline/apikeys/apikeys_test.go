package apikeys_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/apikeys"
	"github.com/kbops/kbops/pipeline/config"
)

const (
	customerKey = "cust-0123456789abcdef"
	internalKey = "intl-0123456789abcdef"
)

func writeKeys(t *testing.T, dir, text string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, "access-keys.yaml")
	if err := os.WriteFile(p, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
	return p
}

// Keys from the file and from the environment map to their levels; no
// key is public; a wrong key is refused, not treated as public.
func TestResolve(t *testing.T) {
	root := t.TempDir()
	file := writeKeys(t, t.TempDir(), "keys:\n  - name: support-bot\n    access: customer\n    key: "+customerKey+"\n", 0o600)
	t.Setenv(config.EnvAccessKeys, "internal:"+internalKey)
	t.Setenv(config.EnvAccessKeysFile, "")
	k, err := apikeys.Load(root, config.Frontends{KeysFile: file})
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]apikeys.Caller{
		"":          {Access: knowledge.AccessPublic},
		customerKey: {Name: "support-bot", Access: knowledge.AccessCustomer},
		internalKey: {Name: "env", Access: knowledge.AccessInternal},
	} {
		got, err := k.Resolve(key)
		if err != nil || got != want {
			t.Errorf("Resolve(%q) = %+v, %v; want %+v", key, got, err, want)
		}
	}
	for _, bad := range []string{"nope", customerKey + "x", customerKey[:len(customerKey)-1], strings.ToUpper(customerKey)} {
		if c, err := k.Resolve(bad); !errors.Is(err, apikeys.ErrUnknownKey) {
			t.Errorf("Resolve(%q) = %+v, %v; want ErrUnknownKey", bad, c, err)
		}
	}
}

// A key file in the knowledge repository is refused, also through a
// symbolic link from outside, and so is one any user can read.
func TestKeyFileRefused(t *testing.T) {
	t.Setenv(config.EnvAccessKeys, "")
	t.Setenv(config.EnvAccessKeysFile, "")
	root := t.TempDir()
	text := "keys:\n  - name: bot\n    access: customer\n    key: " + customerKey + "\n"
	in := writeKeys(t, filepath.Join(root), text, 0o600)
	link := filepath.Join(t.TempDir(), "keys.yaml")
	if err := os.Symlink(in, link); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{in, link} {
		_, err := apikeys.Load(root, config.Frontends{KeysFile: f})
		if err == nil || !strings.Contains(err.Error(), "inside the knowledge repository") {
			t.Errorf("key file %s: err = %v", f, err)
		}
	}
	t.Setenv(config.EnvAccessKeysFile, in)
	if _, err := apikeys.Load(root, config.Frontends{}); err == nil || !strings.Contains(err.Error(), config.EnvAccessKeysFile) {
		t.Errorf("key file from the environment inside the repository: err = %v", err)
	}
	t.Setenv(config.EnvAccessKeysFile, "")
	open := writeKeys(t, t.TempDir(), text, 0o644)
	if _, err := apikeys.Load(root, config.Frontends{KeysFile: open}); err == nil || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("world-readable key file: err = %v", err)
	}
}

// Bad entries are refused with the file and line.
func TestKeyFileErrors(t *testing.T) {
	t.Setenv(config.EnvAccessKeysFile, "")
	for text, want := range map[string]string{
		"keys:\n  - name: a\n    access: customer\n    key: short\n":                                                                                ":2: keys[0] (a): key is 5 characters",
		"keys:\n  - name: a\n    access: admin\n    key: " + customerKey + "\n":                                                                     "access \"admin\"",
		"keys:\n  - name: a\n    access: customer\n    key: " + customerKey + "\n  - name: b\n    access: internal\n    key: " + customerKey + "\n": ":5: keys[1] (b): key is also given to \"a\"",
		"keys:\n  - access: customer\n    key: " + customerKey + "\n":                                                                               "name is missing",
		"keys:\n  - name: a\n    level: customer\n":                                                                                                 "field level not found",
	} {
		t.Setenv(config.EnvAccessKeys, "")
		f := writeKeys(t, t.TempDir(), text, 0o600)
		_, err := apikeys.Load(t.TempDir(), config.Frontends{KeysFile: f})
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), f) {
			t.Errorf("%q: err = %v; want %q and the file", text, err, want)
		}
	}
	t.Setenv(config.EnvAccessKeys, customerKey)
	if _, err := apikeys.Load(t.TempDir(), config.Frontends{}); err == nil || !strings.Contains(err.Error(), "want level:key") {
		t.Errorf("env without a level: %v", err)
	}
}

// A caller never gets more than its level, whatever it asks for.
func TestClamp(t *testing.T) {
	for _, c := range []struct {
		asked  string
		caller knowledge.Access
		want   knowledge.Access
	}{
		{"internal", knowledge.AccessCustomer, knowledge.AccessCustomer},
		{"public", knowledge.AccessCustomer, knowledge.AccessPublic},
		{"", knowledge.AccessPartner, knowledge.AccessPartner},
		{"everything", knowledge.AccessPublic, knowledge.AccessPublic},
		{"partner", knowledge.AccessInternal, knowledge.AccessPartner},
	} {
		if got := apikeys.Clamp(c.asked, c.caller); got != c.want {
			t.Errorf("Clamp(%q, %s) = %s, want %s", c.asked, c.caller, got, c.want)
		}
	}
}
