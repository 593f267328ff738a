package giteatest

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Without a binary on PATH, in GOBIN, GOPATH/bin or ~/go/bin, the error
// says so and tells how to install it.
func TestFindBinaryMissing(t *testing.T) {
	empty := t.TempDir()
	for _, k := range []string{"PATH", "GOBIN", "GOPATH", "HOME"} {
		t.Setenv(k, empty)
	}
	_, err := FindBinary()
	if !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), "make tools") {
		t.Fatalf("FindBinary = %v; want ErrNotInstalled naming make tools", err)
	}
}

// KBOPS_GITEA_STATIC wins, then bin.static; a folder without locales is
// not taken.
func TestFindStatic(t *testing.T) {
	dir := t.TempDir()
	good, other := filepath.Join(dir, "src"), filepath.Join(dir, "other")
	for _, d := range []string{good, other} {
		if err := os.MkdirAll(filepath.Join(d, "options", "locale"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "gitea")
	if err := os.WriteFile(bin+".static", []byte(other+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvStatic, good)
	if got, err := FindStatic(bin); err != nil || got != good {
		t.Fatalf("with %s: %q, %v; want %s", EnvStatic, got, err, good)
	}
	t.Setenv(EnvStatic, "")
	if got, err := FindStatic(bin); err != nil || got != other {
		t.Fatalf("with gitea.static: %q, %v; want %s", got, err, other)
	}
	t.Setenv(EnvStatic, dir) // no options/locale there
	t.Setenv("PATH", t.TempDir())
	if err := os.WriteFile(bin+".static", []byte(dir), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := FindStatic(bin); !errors.Is(err, ErrNotInstalled) || !strings.Contains(err.Error(), EnvStatic) {
		t.Fatalf("without locales: %v; want ErrNotInstalled naming %s", err, EnvStatic)
	}
}

// A started server answers the API as its admin, and users it creates
// get working tokens.
func TestStart(t *testing.T) {
	s := Start(t)
	t.Logf("start time: %s", s.Started)
	var me struct {
		Login   string `json:"login"`
		IsAdmin bool   `json:"is_admin"`
	}
	s.MustDo(t, s.Admin.Token, http.MethodGet, "/user", nil, &me)
	if me.Login != s.Admin.Login || !me.IsAdmin {
		t.Fatalf("/user as admin = %+v", me)
	}
	u := s.CreateUser(t, "ana", "ana.ruiz@example.com")
	if err := s.Do(context.Background(), u.Token, http.MethodGet, "/user", nil, &me); err != nil || me.Login != "ana" {
		t.Fatalf("/user as ana = %+v, %v", me, err)
	}
}
