package release_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/config"
	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/publish"
)

// frontEndRole is the Weaviate role docs/frontends.md gives a customer
// front-end under weaviate.split_by_access: read the objects and the
// configuration of the public and customer collections, and resolve
// their aliases. Data permissions are checked on the collection behind
// an alias, hence the patterns over the timestamped names.
var frontEndRole = map[string]any{
	"name": "kbops-customer-frontend",
	"permissions": []map[string]any{
		{"action": "read_data", "data": map[string]any{"collection": "KnowledgeUnitPublic_*"}},
		{"action": "read_data", "data": map[string]any{"collection": "KnowledgeUnitCustomer_*"}},
		{"action": "read_collections", "collections": map[string]any{"collection": "KnowledgeUnitPublic_*"}},
		{"action": "read_collections", "collections": map[string]any{"collection": "KnowledgeUnitCustomer_*"}},
		{"action": "read_aliases", "aliases": map[string]any{"alias": "KnowledgeUnitPublic", "collection": "KnowledgeUnitPublic_*"}},
		{"action": "read_aliases", "aliases": map[string]any{"alias": "KnowledgeUnitCustomer", "collection": "KnowledgeUnitCustomer_*"}},
	},
}

// With weaviate.split_by_access and Weaviate's RBAC on, a front-end whose
// key has the customer role reads the customer collection through either
// framework, and is refused the internal one by Weaviate, whatever it
// asks: the server, not the front-end's filter, keeps internal units out.
func TestFrontEndRoleReadsOnlyItsLevels(t *testing.T) {
	node := frameworkNode(t)
	const adminKey = "kbops-admin-key"
	srv := weaviatetest.StartWith(t, embedded.Options{Env: []string{
		"AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=false",
		"AUTHENTICATION_APIKEY_ENABLED=true",
		"AUTHENTICATION_APIKEY_ALLOWED_KEYS=" + adminKey,
		"AUTHENTICATION_APIKEY_USERS=kbops",
		"AUTHENTICATION_DB_USERS_ENABLED=true",
		"AUTHORIZATION_RBAC_ENABLED=true",
		"AUTHORIZATION_RBAC_ROOT_USERS=kbops",
	}})
	t.Setenv(config.EnvWeaviateAPIKey, adminKey)
	demoPublished(t, srv, true)
	ctx := context.Background()

	rest := func(key, method, path string, body any) (int, []byte) {
		t.Helper()
		var r io.Reader
		if body != nil {
			b, err := json.Marshal(body)
			if err != nil {
				t.Fatal(err)
			}
			r = bytes.NewReader(b)
		}
		req, err := http.NewRequestWithContext(ctx, method, "http://"+srv.Host()+path, r)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+key)
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		out, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, out
	}
	if code, out := rest(adminKey, "POST", "/v1/authz/roles", frontEndRole); code != http.StatusCreated {
		t.Fatalf("create role: %d %s", code, out)
	}
	code, out := rest(adminKey, "POST", "/v1/users/db/support-bot", nil)
	var user struct {
		APIKey string `json:"apikey"`
	}
	if err := json.Unmarshal(out, &user); code != http.StatusCreated || err != nil || user.APIKey == "" {
		t.Fatalf("create user: %d %s %v", code, out, err)
	}
	if code, out := rest(adminKey, "POST", "/v1/authz/users/support-bot/assign", map[string]any{"roles": []string{"kbops-customer-frontend"}, "userType": "db"}); code != http.StatusOK {
		t.Fatalf("assign role: %d %s", code, out)
	}
	t.Setenv("WEAVIATE_API_KEY", user.APIKey) // the scripts' key
	// resolve is what a LlamaIndex front-end does first, with its own key.
	resolve := func(alias string) (string, int) {
		code, out := rest(user.APIKey, "GET", "/v1/aliases/"+alias, nil)
		var a struct{ Class string }
		_ = json.Unmarshal(out, &a)
		return a.Class, code
	}
	run := frameworkRunner(t, node, srv)

	customer := publish.AccessAlias("KnowledgeUnit", "customer")
	internal := publish.AccessAlias("KnowledgeUnit", "internal")
	physical, code := resolve(customer)
	if code != http.StatusOK || physical == "" {
		t.Fatalf("the front-end resolving %s: %d %q", customer, code, physical)
	}
	for _, f := range []struct{ script, collection string }{{"langchain.mjs", customer}, {"llamaindex.mjs", physical}} {
		rows, err := run(f.script, f.collection, publish.Query{Text: "grounding wire", Language: "en"})
		if err != nil {
			t.Fatalf("%s on %s with the customer role: %v", f.script, f.collection, err)
		}
		if got := ids(t, f.script, rows); len(got) == 0 || got[0] != "expert-notes/en/installation/grounding" {
			t.Errorf("%s on %s with the customer role: %v", f.script, f.collection, got)
		}
	}

	// The internal level: the alias is not resolved for this key, and a
	// query through it, or on the collection by name, is refused.
	if c, code := resolve(internal); code != http.StatusForbidden || c != "" {
		t.Errorf("the customer role resolved %s: %d %q", internal, code, c)
	}
	code, out = rest(adminKey, "GET", "/v1/aliases/"+internal, nil)
	var a struct{ Class string }
	if err := json.Unmarshal(out, &a); code != http.StatusOK || err != nil || a.Class == "" {
		t.Fatalf("resolve %s as kbops: %d %s", internal, code, out)
	}
	for _, f := range []struct{ script, collection string }{{"langchain.mjs", internal}, {"llamaindex.mjs", a.Class}} {
		rows, err := run(f.script, f.collection, publish.Query{Text: "service menu calibration"})
		if err == nil {
			t.Errorf("%s read %s with the customer role: %v", f.script, f.collection, rows)
		} else if !strings.Contains(strings.ToLower(err.Error()), "forbidden") && !strings.Contains(err.Error(), "PERMISSION_DENIED") && !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("%s on %s with the customer role failed, but not for want of permission: %v", f.script, f.collection, err)
		}
	}
}
