package config

import (
	"strings"
	"testing"
)

// git.host is read with its default token variable, and its mistakes are
// reported with the line and key; a token in the file is refused.
func TestGitHost(t *testing.T) {
	c, err := Parse("kbops.yaml", []byte("version: 1\ngit:\n  remote: https://git.example.com/docs/kb.git\n  host:\n    kind: gitea\n    url: https://git.example.com\n    repo: docs/kb\n"))
	if err != nil {
		t.Fatal(err)
	}
	if h := c.Git.Host; !h.Enabled() || h.Kind != "gitea" || h.Repo != "docs/kb" || h.TokenVar() != EnvGitToken {
		t.Fatalf("git.host = %+v (token from %s)", h, h.TokenVar())
	}
	if c, err := Parse("kbops.yaml", []byte("version: 1\n")); err != nil || c.Git.Host.Enabled() {
		t.Fatalf("no git.host: %+v, %v; want disabled", c.Git.Host, err)
	}
	cases := []struct{ name, host, want string }{
		{"no kind", "    url: https://h\n    repo: o/r\n", "kbops.yaml:3: git.host.kind: git.host needs a kind"},
		{"bad url", "    kind: gitea\n    url: git.example.com\n    repo: o/r\n", "kbops.yaml:5: git.host.url: \"git.example.com\" is not"},
		{"bad repo", "    kind: gitea\n    url: https://h\n    repo: kb\n", "kbops.yaml:6: git.host.repo: \"kb\" is not owner/name"},
		{"credentials", "    kind: gitea\n    url: https://bot:hunter2@h\n    repo: o/r\n", "git.host.url: the URL holds a user name or password"},
		{"token in file", "    kind: gitea\n    url: https://h\n    repo: o/r\n    token: hunter2\n", "kbops.yaml:7: token: secrets do not belong"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("kbops.yaml", []byte("version: 1\ngit:\n  host:\n"+tc.host))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v; want it to contain %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("the error repeats the secret: %v", err)
			}
		})
	}
}
