package gitauth

import (
	"errors"
	"testing"
)

func TestHostLoopbackCheckSend(t *testing.T) {
	for in, want := range map[string]string{
		"https://Git.Example.com/a.git":     "git.example.com:443",
		"https://git.example.com:443/a.git": "git.example.com:443",
		"http://git.example.com/a.git":      "git.example.com:80",
		"https://[::1]:8443/a.git":          "[::1]:8443",
		"git@git.example.com:a.git":         "",
		"ssh://git@git.example.com/a.git":   "",
		"/srv/a.git":                        "",
		"":                                  "",
	} {
		if got := Host(in); got != want {
			t.Errorf("Host(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]bool{
		"http://127.0.0.1:1/a": true, "http://127.9.9.9/a": true, "http://[::1]/a": true, "http://LOCALHOST/a": true,
		"http://localhost.example.com/a": false, "http://10.0.0.1/a": false, "http://example.invalid/a": false,
	} {
		if got := Loopback(in); got != want {
			t.Errorf("Loopback(%q) = %v", in, got)
		}
	}
	if err := CheckSend("http://example.invalid/a.git"); !errors.Is(err, ErrCleartext) {
		t.Errorf("plain http: %v", err)
	}
	for _, ok := range []string{"https://example.com/a.git", "http://127.0.0.1:9/a.git", "ssh://example.com/a.git"} {
		if err := CheckSend(ok); err != nil {
			t.Errorf("CheckSend(%q) = %v", ok, err)
		}
	}
}

func TestHasCredentials(t *testing.T) {
	for in, want := range map[string]bool{
		"https://u:p@h/a":                  true,
		"https://tok@h/a":                  true,
		"HTTP://u:p@h/a":                   true,
		"https://u:p%zz@h/a":               true, // url.Parse fails on it
		"ssh://git:p@h/a":                  true,
		"ssh://git@h/a":                    false,
		"git@h:a.git":                      false,
		"https://h/a@b":                    false,
		"https://h/a?x=u:p@h":              false,
		"manuals/**/*.pdf":                 false,
		"https://git.example.com/docs.git": false,
	} {
		if got := HasCredentials(in); got != want {
			t.Errorf("HasCredentials(%q) = %v, want %v", in, got, want)
		}
	}
}
