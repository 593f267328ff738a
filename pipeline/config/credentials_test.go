package config

import (
	"strings"
	"testing"
)

// URLs with a user name or password are refused with the file, line and
// key, and the message does not repeat the secret.
func TestCredentialURLsRefused(t *testing.T) {
	cases := []struct{ name, src, want string }{
		{"git.remote", "version: 1\ngit:\n  remote: https://kbops:hunter2@git.example.com/kb.git\n", "kbops.yaml:3: git.remote: the URL holds a user name or password"},
		{"token as user", "git:\n  remote: https://hunter2@git.example.com/kb.git\n", "kbops.yaml:2: git.remote:"},
		{"git source", "sources:\n  - name: a\n    kind: manuals\n    owner: o\n    location: https://bob:hunter2@git.example.com/docs.git\n", "kbops.yaml:5: sources[0].location: the URL holds"},
		{"http source in a list", "sources:\n  - name: a\n    kind: manuals\n    owner: o\n    location:\n      - https://example.com/a/\n      - https://bob:hunter2@example.com/b/\n", "kbops.yaml:7: sources[0].location[1]: the URL holds"},
		{"ssh password", "sources:\n  - name: a\n    kind: manuals\n    owner: o\n    location: ssh://git:hunter2@git.example.com/docs.git\n", "kbops.yaml:5: sources[0].location"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("kbops.yaml", []byte(c.src))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want it to contain %q", err, c.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error repeats the secret: %v", err)
			}
			if !strings.Contains(err.Error(), "environment") && !strings.Contains(err.Error(), "send no credentials") {
				t.Errorf("the error does not say where the token goes: %v", err)
			}
		})
	}
	// The user of an ssh URL is not a secret.
	if _, err := Parse("kbops.yaml", []byte("git:\n  remote: ssh://git@git.example.com/kb.git\nsources:\n  - {name: a, kind: manuals, owner: o, location: git@git.example.com:docs.git}\n")); err != nil {
		t.Errorf("ssh user refused: %v", err)
	}
}

// token_env names a variable and is not taken for a secret; a value that
// is not a variable name is refused without being echoed.
func TestTokenEnvIsNotASecret(t *testing.T) {
	src := "sources:\n  - name: a\n    kind: manuals\n    owner: o\n    location: https://git.example.com/docs.git\n    options:\n      token_env: %s\n"
	if _, err := Parse("kbops.yaml", []byte(strings.Replace(src, "%s", "VENDOR_GIT_TOKEN", 1))); err != nil {
		t.Fatalf("token_env refused: %v", err)
	}
	_, err := Parse("kbops.yaml", []byte(strings.Replace(src, "%s", "ghp_16C7e42F292c6912E7710c8", 1)))
	if err == nil || !strings.Contains(err.Error(), "kbops.yaml:7: token_env: give the name of an environment variable") || strings.Contains(err.Error(), "ghp_") {
		t.Fatalf("err = %v", err)
	}
}
