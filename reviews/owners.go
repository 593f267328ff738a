package reviews

import (
	"bytes"
	"fmt"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge"
)

// OwnersFile is the repository path of the file that says who may approve
// which stage of which units.
const OwnersFile = "OWNERS"

// Owners is the parsed OWNERS file.
type Owners struct {
	// Technical lists technical reviewers per product; "*" applies to all
	// products. A unit's own `owner` may always approve its technical stage.
	Technical map[string][]string `yaml:"technical"`
	// Expression lists expression reviewers per language: a primary tag
	// ("es") covers all its regions, a full tag ("es-MX") only that one.
	Expression map[string][]string `yaml:"expression"`
	// Consistency lists the consistency reviewers.
	Consistency []string `yaml:"consistency"`
	// Glossary lists who may approve changes to the termbase
	// (glossary/termbase.tbx); empty means the consistency reviewers.
	Glossary []string `yaml:"glossary"`
	// Admins may approve changes to OWNERS itself together with the owners
	// a change affects.
	Admins []string `yaml:"admins"`
	// Strict requires every approval to be committed by its reviewer in a
	// commit signed with an OpenPGP key listed for them in Keys.
	Strict bool `yaml:"strict,omitempty"`
	// Keys maps a reviewer's e-mail address to their armored OpenPGP
	// public key (`gpg --export --armor ADDRESS`).
	Keys map[string]string `yaml:"keys,omitempty"`
	// Accounts maps a reviewer's e-mail address to their account on the
	// git host (git.host), so that a command they type in the pull request
	// (`/approve technical`) is recorded as their decision. Without an
	// entry, their commands on the host are refused. In default mode this
	// mapping and the host's login are all that make a host comment the
	// reviewer's (docs/review-model.md, "Git hosts").
	Accounts map[string]string `yaml:"accounts,omitempty"`
	// Recorders maps the address of a recorder — the identity kbops signs
	// with when it records decisions typed on the git host (`kbops review
	// sync`, serve's webhook) — to its armored OpenPGP public key. In
	// strict mode such a decision counts when its commit is signed with a
	// listed recorder's key and names the host account Accounts maps the
	// reviewer to (docs/review-model.md, "Strict mode on the git host").
	Recorders map[string]string `yaml:"recorders,omitempty"`
}

// ReviewerForAccount returns the e-mail address Accounts maps the host
// account login to (host logins compare without case); ok is false when
// no reviewer has that account.
func (o *Owners) ReviewerForAccount(login string) (email string, ok bool) {
	login = strings.ToLower(strings.TrimSpace(login))
	if login == "" {
		return "", false
	}
	for e, l := range o.Accounts {
		if l == login {
			return e, true
		}
	}
	return "", false
}

// Stage is a review stage.
type Stage string

// Stages, in the order they run.
const (
	Technical   Stage = "technical"
	Expression  Stage = "expression"
	Consistency Stage = "consistency"
)

// Stages lists the stages in order.
var Stages = []Stage{Technical, Expression, Consistency}

// ParseStage checks a stage name.
func ParseStage(s string) (Stage, error) {
	st := Stage(strings.ToLower(s))
	if !slices.Contains(Stages, st) && st != OwnersStage && st != GlossaryStage && st != RemovalStage {
		return "", fmt.Errorf("stage %q is not one of technical, expression, consistency (or owners for a change of OWNERS, glossary for the termbase, removal for a deleted unit)", s)
	}
	return st, nil
}

// OwnersStage is the stage of an approval of a change to OWNERS itself,
// recorded in approvals/OWNERS.yaml; it is not a stage of units.
const OwnersStage Stage = "owners"

// Index is the stage's position, 0 for technical.
func (s Stage) Index() int { return slices.Index(Stages, s) }

// ParseOwners reads an OWNERS file; name is used in errors.
func ParseOwners(name string, b []byte) (*Owners, error) {
	o := &Owners{}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(o); err != nil && err.Error() != "EOF" {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	o.normalise()
	if err := o.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return o, nil
}

// check refuses reviewer entries that are not plain e-mail addresses: they
// are matched against commit identities and shown in reports and review
// pages, so a value with markup in it must not get that far.
func (o *Owners) check() error {
	list := func(field string, xs []string) error {
		for i, x := range xs {
			if err := knowledge.ValidateEmail(x); err != nil {
				return fmt.Errorf("%s[%d]: %w", field, i, err)
			}
		}
		return nil
	}
	for _, m := range []struct {
		field string
		m     map[string][]string
	}{{"technical", o.Technical}, {"expression", o.Expression}} {
		keys := make([]string, 0, len(m.m))
		for k := range m.m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if err := list(fmt.Sprintf("%s.%s", m.field, k), m.m[k]); err != nil {
				return err
			}
		}
	}
	for _, l := range []struct {
		field string
		xs    []string
	}{{"consistency", o.Consistency}, {"glossary", o.Glossary}, {"admins", o.Admins}} {
		if err := list(l.field, l.xs); err != nil {
			return err
		}
	}
	for k := range o.Keys {
		if err := knowledge.ValidateEmail(k); err != nil {
			return fmt.Errorf("keys: %w", err)
		}
	}
	for k := range o.Recorders {
		if err := knowledge.ValidateEmail(k); err != nil {
			return fmt.Errorf("recorders: %w", err)
		}
	}
	emails := make([]string, 0, len(o.Accounts))
	for e := range o.Accounts {
		emails = append(emails, e)
	}
	sort.Strings(emails)
	owner := map[string]string{}
	for _, e := range emails {
		if err := knowledge.ValidateEmail(e); err != nil {
			return fmt.Errorf("accounts: %w", err)
		}
		l := o.Accounts[e]
		if l == "" || strings.ContainsAny(l, " \t\r\n<>@/`*[]()") {
			return fmt.Errorf("accounts.%s: %q is not a host account name (the login, e.g. ana)", e, l)
		}
		// One account deciding as two reviewers would let one person
		// approve two stages.
		if prev, dup := owner[l]; dup {
			return fmt.Errorf("accounts: %s and %s both map to the host account %q; give each reviewer their own account", prev, e, l)
		}
		owner[l] = e
	}
	return nil
}

func (o *Owners) normalise() {
	low := func(xs []string) []string {
		out := make([]string, 0, len(xs))
		for _, x := range xs {
			out = append(out, Identity(x))
		}
		return out
	}
	for k, v := range o.Technical {
		o.Technical[k] = low(v)
	}
	for k, v := range o.Expression {
		o.Expression[k] = low(v)
	}
	o.Consistency = low(o.Consistency)
	o.Glossary = low(o.Glossary)
	o.Admins = low(o.Admins)
	if len(o.Keys) > 0 {
		keys := make(map[string]string, len(o.Keys))
		for k, v := range o.Keys {
			keys[Identity(k)] = v
		}
		o.Keys = keys
	}
	if len(o.Recorders) > 0 {
		rec := make(map[string]string, len(o.Recorders))
		for k, v := range o.Recorders {
			rec[Identity(k)] = v
		}
		o.Recorders = rec
	}
	if len(o.Accounts) > 0 {
		acc := make(map[string]string, len(o.Accounts))
		for k, v := range o.Accounts {
			acc[Identity(k)] = strings.ToLower(strings.TrimSpace(v))
		}
		o.Accounts = acc
	}
}

// Identity reduces "Name <email>" or an e-mail to the lower-case address
// that identifies a reviewer.
func Identity(who string) string {
	who = strings.TrimSpace(who)
	if i := strings.LastIndex(who, "<"); i >= 0 {
		if j := strings.LastIndex(who, ">"); j > i {
			who = who[i+1 : j]
		}
	}
	return strings.ToLower(strings.TrimSpace(who))
}

// May reports whether reviewer may approve stage for unit u, and if not,
// who may.
func (o *Owners) May(reviewer string, stage Stage, u *knowledge.Unit) (bool, []string) {
	who := Identity(reviewer)
	allowed := o.Allowed(stage, u)
	return slices.Contains(allowed, who), allowed
}

// Allowed lists who may approve stage for u, sorted.
func (o *Owners) Allowed(stage Stage, u *knowledge.Unit) []string {
	return o.allowed(stage, u, u.Owner)
}

// allowed is Allowed with the unit owner's right to decide the technical
// stage given to owner instead ("" gives it to nobody).
func (o *Owners) allowed(stage Stage, u *knowledge.Unit, owner string) []string {
	set := map[string]bool{}
	switch stage {
	case Technical:
		if owner != "" {
			set[Identity(owner)] = true
		}
		for _, k := range []string{u.Product, "*"} {
			for _, p := range o.Technical[k] {
				set[p] = true
			}
		}
	case Expression:
		for _, k := range []string{u.Language, knowledge.PrimaryLanguage(u.Language), "*"} {
			for _, p := range o.Expression[k] {
				set[p] = true
			}
		}
	case Consistency:
		for _, p := range o.Consistency {
			set[p] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// OwnersTemplate is the commented OWNERS file `kbops init` writes.
const OwnersTemplate = `# Who may approve which review stage. Reference: docs/review-model.md.
# Reviewers are named by e-mail address (the address in their git identity).

# technical: is it right? Per product; "*" covers every product. A unit's own
# owner (its "owner" field) may always approve its technical stage.
technical:
  "*": [owner@example.com]

# expression: is it clear and well written for its market? Per language:
# "es" covers es-ES and es-MX, "es-MX" only Mexican Spanish.
expression:
  en: [editor@example.com]

# consistency: does it agree with the rest of the knowledge and the glossary?
consistency: [consistency@example.com]

# admins approve changes to this file together with the owners it affects
# (kbops review approve --stage owners); until they have, the previous
# version stays in force.
admins: [owner@example.com]

# strict: true requires every approval to be in a commit signed by its
# reviewer with the key listed here (kbops review approve --sign-key FILE).
# keys:
#   owner@example.com: |
#     -----BEGIN PGP PUBLIC KEY BLOCK-----
#     ...

# accounts: each reviewer's login on the git host (git.host), so that their
# "/approve technical" in the pull request counts as their decision
# (kbops review sync). Without an entry their commands there are refused.
# accounts:
#   owner@example.com: owner
`
