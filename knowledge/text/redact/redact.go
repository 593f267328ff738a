package redact

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"
)

// Kind is a kind of personal data. Its placeholder in redacted text is
// "<" + kind + ">".
type Kind string

// Built-in kinds. Patterns from the configuration add their own.
const (
	Email Kind = "email"
	Phone Kind = "phone"
	Card  Kind = "card"
	IBAN  Kind = "iban"
	IP    Kind = "ip"
	Name  Kind = "name"
)

// Placeholder returns the text that replaces a match of kind k.
func (k Kind) Placeholder() string { return "<" + string(k) + ">" }

// priority decides which of two overlapping matches wins: the more
// specific detector first (an e-mail address contains a name, an IBAN
// contains digit groups that look like a phone number).
func priority(k Kind) int {
	switch k {
	case Email:
		return 0
	case IBAN:
		return 1
	case Card:
		return 2
	case IP:
		return 3
	case Phone:
		return 4
	case Name:
		return 6
	}
	return 5 // configured patterns
}

// Match is one piece of personal data found in a text: its kind and its
// byte offsets [Start, End). It deliberately holds no copy of the value.
type Match struct {
	Kind       Kind
	Start, End int
}

// String describes the match without its value.
func (m Match) String() string { return fmt.Sprintf("%s at bytes %d-%d", m.Kind, m.Start, m.End) }

// Pattern is a configured detector: text matching Regexp (Go RE2 syntax)
// is replaced by "<Kind>".
type Pattern struct {
	// Kind names the data and its placeholder: lower-case letters, digits
	// and underscores, e.g. "customer_no".
	Kind string `yaml:"kind" json:"kind"`
	// Regexp is the expression to find. Use (?i) for case-insensitive.
	Regexp string `yaml:"regexp" json:"regexp"`
}

// Config configures a Redactor. The zero value detects all built-in kinds.
type Config struct {
	// Patterns are extra detectors (customer numbers, contract ids).
	Patterns []Pattern `yaml:"patterns,omitempty" json:"patterns,omitempty"`
	// Disable lists built-in kinds not to search for. Disabling is for
	// sources known to be free of that kind and whose text it harms;
	// names cannot be disabled (they are only searched when given).
	Disable []Kind `yaml:"disable,omitempty" json:"disable,omitempty"`
	// Allow lists values that stay although they look like personal data:
	// a vendor's support address or hotline printed in a manual. An entry
	// is a value as written (compared without regard to case), a domain
	// ("example.com" or "@example.com": every address at it or at its
	// subdomains stays), or a phone number (compared by its digits, a
	// leading 00 read as +).
	Allow []string `yaml:"allow,omitempty" json:"allow,omitempty"`
}

var kindName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

type compiled struct {
	kind Kind
	re   *regexp.Regexp
}

// Redactor finds personal data. It is safe for concurrent use.
type Redactor struct {
	custom   []compiled
	disabled map[Kind]bool
	allow    allowList
}

// allowList is Config.Allow prepared for lookups.
type allowList struct {
	values  map[string]bool // lower-cased
	domains []string        // lower-cased, without "@"
	phones  map[string]bool // digits, "+" for an international prefix
}

func (a allowList) empty() bool { return len(a.values) == 0 && len(a.domains) == 0 }

// phoneKey reduces a phone number to its digits, with "00" read as "+".
func phoneKey(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) || s[i] == '+' && b.Len() == 0 {
			b.WriteByte(s[i])
		}
	}
	k := b.String()
	if strings.HasPrefix(k, "00") {
		k = "+" + k[2:]
	}
	return k
}

func (a allowList) allows(k Kind, v string) bool {
	l := strings.ToLower(v)
	if a.values[l] {
		return true
	}
	switch k {
	case Email:
		_, dom, _ := strings.Cut(l, "@")
		for _, d := range a.domains {
			if dom == d || strings.HasSuffix(dom, "."+d) {
				return true
			}
		}
	case Phone:
		return a.phones[phoneKey(v)]
	}
	return false
}

// New returns a Redactor for cfg. It fails when a pattern does not compile
// or has a bad kind name; the error names the pattern by its index and
// kind, never its text.
func New(cfg Config) (*Redactor, error) {
	r := &Redactor{disabled: map[Kind]bool{}}
	for _, k := range cfg.Disable {
		switch k {
		case Email, Phone, Card, IBAN, IP:
			r.disabled[k] = true
		default:
			return nil, fmt.Errorf("redact: disable: %q is not one of email, phone, card, iban, ip", k)
		}
	}
	for i, v := range cfg.Allow {
		v = strings.TrimSpace(v)
		if v == "" {
			return nil, fmt.Errorf("redact: allow[%d] is empty", i)
		}
		l := strings.ToLower(v)
		if r.allow.values == nil {
			r.allow.values, r.allow.phones = map[string]bool{}, map[string]bool{}
		}
		r.allow.values[l] = true
		switch d := strings.TrimPrefix(l, "@"); {
		case !strings.ContainsAny(d, "@ ") && strings.Contains(d, ".") && strings.ContainsFunc(d, isLetterRune):
			r.allow.domains = append(r.allow.domains, d)
		case len(strings.TrimLeft(phoneKey(v), "+")) >= 7:
			r.allow.phones[phoneKey(v)] = true
		}
	}
	for i, p := range cfg.Patterns {
		if !kindName.MatchString(p.Kind) {
			return nil, fmt.Errorf("redact: patterns[%d]: kind %q must be lower-case letters, digits and _", i, p.Kind)
		}
		re, err := regexp.Compile(p.Regexp)
		if err != nil {
			return nil, fmt.Errorf("redact: patterns[%d] (kind %s): %w", i, p.Kind, err)
		}
		if re.MatchString("") {
			return nil, fmt.Errorf("redact: patterns[%d] (kind %s) matches the empty string", i, p.Kind)
		}
		r.custom = append(r.custom, compiled{Kind(p.Kind), re})
	}
	return r, nil
}

// Default is a Redactor with the built-in detectors only.
func Default() *Redactor {
	r, _ := New(Config{})
	return r
}

// Find returns the personal data in text, sorted by offset and never
// overlapping. names are the people whose names to look for (nil for none).
func (r *Redactor) Find(text string, names *Names) []Match {
	var all []Match
	add := func(k Kind, s, e int) { all = append(all, Match{k, s, e}) }
	if !r.disabled[Email] && strings.IndexByte(text, '@') >= 0 {
		findEmails(text, add)
	}
	if !r.disabled[IBAN] {
		findIBANs(text, add)
	}
	if strings.ContainsAny(text, "0123456789") {
		findNumbers(text, !r.disabled[Card], !r.disabled[Phone], !r.disabled[IP], add)
	}
	if !r.disabled[IP] && strings.Count(text, ":") >= 2 {
		findIPv6(text, add)
	}
	for _, c := range r.custom {
		for _, loc := range c.re.FindAllStringIndex(text, -1) {
			add(c.kind, loc[0], loc[1])
		}
	}
	if names != nil {
		names.find(text, add)
	}
	if len(all) == 0 {
		return nil
	}
	kept := resolve(text, all)
	if r.allow.empty() {
		return kept
	}
	out := kept[:0]
	for _, m := range kept {
		if !r.allow.allows(m.Kind, text[m.Start:m.End]) {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

func isLetterRune(r rune) bool { return unicode.IsLetter(r) }

// resolve drops matches overlapping a higher-priority one, and matches
// inside placeholders already in the text ("<name>", "<tel_num>").
func resolve(text string, all []Match) []Match {
	sort.SliceStable(all, func(i, j int) bool {
		pi, pj := priority(all[i].Kind), priority(all[j].Kind)
		if pi != pj {
			return pi < pj
		}
		if all[i].Start != all[j].Start {
			return all[i].Start < all[j].Start
		}
		return all[i].End > all[j].End
	})
	var kept []Match
	for _, m := range all {
		if m.End <= m.Start || insidePlaceholder(text, m) {
			continue
		}
		ok := true
		for _, k := range kept {
			if m.Start < k.End && k.Start < m.End {
				ok = false
				break
			}
		}
		if ok {
			kept = append(kept, m)
		}
	}
	sort.Slice(kept, func(i, j int) bool { return kept[i].Start < kept[j].Start })
	return kept
}

// insidePlaceholder reports whether m lies within "<word>" (a placeholder
// left by an earlier redaction), so that redacting twice changes nothing.
func insidePlaceholder(text string, m Match) bool {
	if m.Start == 0 || text[m.Start-1] != '<' && !isWordByte(text[m.Start-1]) {
		return false
	}
	open := strings.LastIndexByte(text[:m.Start], '<')
	if open < 0 {
		return false
	}
	close := strings.IndexByte(text[m.Start:], '>')
	if close < 0 {
		return false
	}
	inner := text[open+1 : m.Start+close]
	for i := 0; i < len(inner); i++ {
		if !isWordByte(inner[i]) {
			return false
		}
	}
	return true
}

func isWordByte(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// Redact returns text with every match replaced by its kind's placeholder
// and adds the number of replacements per kind to counts (if not nil).
func (r *Redactor) Redact(text string, names *Names, counts Counts) string {
	ms := r.Find(text, names)
	if len(ms) == 0 {
		return text
	}
	var b strings.Builder
	b.Grow(len(text))
	last := 0
	for _, m := range ms {
		b.WriteString(text[last:m.Start])
		b.WriteString(m.Kind.Placeholder())
		last = m.End
		if counts != nil {
			counts[m.Kind]++
		}
	}
	b.WriteString(text[last:])
	return b.String()
}

// Counts is the number of replacements per kind. It never holds values.
type Counts map[Kind]int

// Add adds o to c.
func (c Counts) Add(o Counts) {
	for k, n := range o {
		c[k] += n
	}
}

// Total is the number of replacements of all kinds.
func (c Counts) Total() int {
	n := 0
	for _, v := range c {
		n += v
	}
	return n
}

// String lists the counts by kind, e.g. "email=2 phone=1"; "none" when empty.
func (c Counts) String() string {
	if c.Total() == 0 {
		return "none"
	}
	keys := make([]string, 0, len(c))
	for k, n := range c {
		if n > 0 {
			keys = append(keys, string(k))
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, c[Kind(k)])
	}
	return strings.Join(parts, " ")
}
