package reviews

import (
	"strings"
	"testing"
)

// TestParseOwnersAccounts: accounts maps reviewer addresses to host
// logins without case; a login that is not one, an address that is not
// one, and two reviewers sharing an account are refused.
func TestParseOwnersAccounts(t *testing.T) {
	o, err := ParseOwners(OwnersFile, []byte("consistency: [carol@example.com]\naccounts:\n  Ana@Example.com: Ana\n  carol@example.com: carol-c\n"))
	if err != nil {
		t.Fatal(err)
	}
	for login, want := range map[string]string{"ana": "ana@example.com", "ANA": "ana@example.com", "carol-c": "carol@example.com"} {
		if got, ok := o.ReviewerForAccount(login); !ok || got != want {
			t.Errorf("ReviewerForAccount(%q) = %q, %v; want %q", login, got, ok, want)
		}
	}
	for _, login := range []string{"", "carol", "tom"} {
		if got, ok := o.ReviewerForAccount(login); ok {
			t.Errorf("ReviewerForAccount(%q) = %q; want no reviewer", login, got)
		}
	}
	for _, c := range []struct{ owners, want string }{
		{"accounts:\n  ana@example.com: \"\"\n", "OWNERS: accounts.ana@example.com: \"\" is not a host account name"},
		{"accounts:\n  ana@example.com: \"ana <x>\"\n", "is not a host account name"},
		{"accounts:\n  ana: ana\n", "OWNERS: accounts: \"ana\" is not a plain e-mail address"},
		{"accounts:\n  ana@example.com: ana\n  bob@example.com: ANA\n", "OWNERS: accounts: ana@example.com and bob@example.com both map to the host account \"ana\""},
		{"accounts: [ana]\n", "OWNERS: yaml:"},
	} {
		if _, err := ParseOwners(OwnersFile, []byte(c.owners)); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseOwners(%q) = %v; want an error with %q", c.owners, err, c.want)
		}
	}
}

// TestOwnersChangeOfAccountNeedsItsReviewer: remapping a reviewer's host
// account lets someone else decide in their name, so it needs them or an
// admin, like a change of their key.
func TestOwnersChangeOfAccountNeedsItsReviewer(t *testing.T) {
	prev, err := ParseOwners(OwnersFile, []byte("admins: [adm@example.com]\naccounts:\n  ana@example.com: ana\n"))
	if err != nil {
		t.Fatal(err)
	}
	cur, err := ParseOwners(OwnersFile, []byte("admins: [adm@example.com]\naccounts:\n  ana@example.com: mallory\n"))
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, r := range OwnersChangeRequirements(prev, cur) {
		if r.Entry == "accounts/ana@example.com" {
			found = strings.Join(r.AnyOf, ",") == "adm@example.com,ana@example.com"
		}
	}
	if !found {
		t.Fatalf("requirements %+v lack accounts/ana@example.com by ana or an admin", OwnersChangeRequirements(prev, cur))
	}
}
