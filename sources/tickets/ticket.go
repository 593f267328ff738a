package tickets

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"path"
	"regexp"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/kbops/kbops/knowledge/text/redact"
)

// Ticket is one ticket after mapping and redaction. Nothing in it is
// personal data any more (the requester fields are used and dropped).
type Ticket struct {
	ID, Subject, Body, Answer           string
	Status, Type, Queue, Product        string
	Environment, Language, Priority     string
	Satisfaction, RootCause, Prevention string
	Tags                                []string
	Created, Solved                     time.Time
	// DerivedID is set when the export has no id and ID was made from
	// the content.
	DerivedID bool
}

// str turns a JSON or CSV value into text.
func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		if x {
			return "true"
		}
		return "false"
	case []any:
		var parts []string
		for _, e := range x {
			if s := str(e); s != "" {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		for _, k := range []string{"name", "value", "score", "title"} {
			if s := str(x[k]); s != "" {
				return s
			}
		}
	}
	return ""
}

// field returns the first non-empty alternative of a mapping.
func field(r record, spec string) any {
	if spec == "" {
		return nil
	}
	for _, alt := range strings.Split(spec, "|") {
		switch v := r.get(strings.TrimSpace(alt)).(type) {
		case nil:
		case []any:
			if len(v) > 0 {
				return v
			}
		case map[string]any:
			if len(v) > 0 {
				return v
			}
		default:
			if str(v) != "" {
				return v
			}
		}
	}
	return nil
}

func text(r record, spec string) string { return strings.TrimSpace(str(field(r, spec))) }

// tags reads a list, a comma-separated value or, for a pattern such as
// "tag_*", every matching column.
func tags(r record, spec string) []string {
	var out []string
	addSplit := func(v any) {
		switch x := v.(type) {
		case []any:
			for _, e := range x {
				if s := strings.TrimSpace(str(e)); s != "" {
					out = append(out, s)
				}
			}
		default:
			for _, s := range strings.FieldsFunc(str(v), func(r rune) bool { return r == ',' || r == ';' }) {
				if s = strings.TrimSpace(s); s != "" {
					out = append(out, s)
				}
			}
		}
	}
	for _, alt := range strings.Split(spec, "|") {
		alt = strings.TrimSpace(alt)
		if strings.ContainsAny(alt, "*?[") {
			for _, k := range r.keys() {
				if ok, _ := path.Match(strings.ToLower(alt), strings.ToLower(strings.TrimSpace(k))); ok {
					addSplit(r.get(k))
				}
			}
		} else if alt != "" {
			addSplit(r.get(alt))
		}
		if len(out) > 0 {
			break
		}
	}
	return out
}

var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02", "02/01/2006 15:04", "Mon, 02 Jan 2006 15:04:05 -0700"}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

var (
	htmlTag  = regexp.MustCompile(`(?i)</?(?:p|div|br|span|b|i|u|strong|em|ul|ol|li|a|table|tbody|thead|tr|td|th|h[1-6]|img|blockquote|pre|code|font|hr)\b[^>]*>`)
	blockTag = regexp.MustCompile(`(?i)<(?:br\s*/?|/p|/div|/li|/h[1-6]|/tr|hr\s*/?)>`)
	manyNL   = regexp.MustCompile(`\n{3,}`)
	// literalNL is a lone "\n" escape that ends a sentence or line.
	literalNL = regexp.MustCompile(`[.!?:,;)]\\n|\\n$|\\n[A-ZÄÖÜ]`)
)

// clean normalises a text field: line ends, literal "\n" escapes that
// some exports write instead of line breaks, and HTML markup.
func clean(s string) string {
	if s == "" {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	// Literal escapes: only when the field has them more than once and no
	// real line breaks, so "C:\new" in a single-line path is left alone.
	if n := strings.Count(s, `\n`); n >= 2 || n == 1 && !strings.Contains(s, "\n") && literalNL.MatchString(s) {
		s = strings.NewReplacer(`\r\n`, "\n", `\n`, "\n", `\t`, "\t").Replace(s)
	}
	if strings.Contains(s, "<") && htmlTag.MatchString(s) {
		s = blockTag.ReplaceAllString(s, "\n")
		s = htmlTag.ReplaceAllString(s, "")
		s = html.UnescapeString(s)
	}
	s = manyNL.ReplaceAllString(s, "\n\n")
	return strings.TrimSpace(s)
}

// normLang returns the BCP 47 form of a language field ("DE" -> "de",
// "pt_BR" -> "pt-BR", "English" -> "en"), or "" when it is not one.
func normLang(s string) string {
	s = strings.TrimSpace(strings.ReplaceAll(s, "_", "-"))
	if s == "" {
		return ""
	}
	if t, err := language.Parse(s); err == nil {
		return t.String()
	}
	switch strings.ToLower(s) {
	case "english":
		return "en"
	case "german", "deutsch":
		return "de"
	case "spanish", "español", "espanol":
		return "es"
	case "french", "français", "francais":
		return "fr"
	case "portuguese", "português", "portugues":
		return "pt"
	case "chinese", "中文":
		return "zh"
	case "japanese", "日本語":
		return "ja"
	case "russian", "русский":
		return "ru"
	case "arabic", "العربية":
		return "ar"
	case "italian", "italiano":
		return "it"
	}
	return ""
}

// thread fills body and answer from a comment array: the first message is
// the customer's description, the last public message not written by the
// requester is the agent's answer.
func thread(v any, requesterID string) (first, lastAgent string) {
	list, ok := v.([]any)
	if !ok {
		return "", ""
	}
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			continue
		}
		body := ""
		for _, k := range []string{"plain_body", "body_text", "body", "html_body", "text"} {
			if s := str(m[k]); s != "" {
				body = s
				break
			}
		}
		if body == "" {
			continue
		}
		if i == 0 || first == "" {
			first = body
		}
		if pub, ok := m["public"].(bool); ok && !pub {
			continue
		}
		if priv, ok := m["private"].(bool); ok && priv {
			continue
		}
		agent := false
		switch {
		case m["incoming"] != nil: // Freshdesk: incoming = from the customer
			in, _ := m["incoming"].(bool)
			agent = !in
		case requesterID != "" && m["author_id"] != nil:
			agent = str(m["author_id"]) != requesterID
		case i > 0:
			agent = true
		}
		if agent && i > 0 {
			lastAgent = body
		}
	}
	return first, lastAgent
}

// mapTicket reads one record through the mapping and redacts it. bad
// reports a problem with a field that does not stop the ticket.
func mapTicket(r record, f Fields, red *redact.Redactor, counts redact.Counts, bad func(what string)) Ticket {
	t := Ticket{
		Subject: text(r, f.Subject), Body: text(r, f.Body), Answer: text(r, f.Answer),
		Status: text(r, f.Status), Type: text(r, f.Type), Queue: text(r, f.Queue),
		Product: text(r, f.Product), Environment: text(r, f.Environment), Priority: text(r, f.Priority),
		Satisfaction: text(r, f.Satisfaction), RootCause: text(r, f.RootCause), Prevention: text(r, f.Prevention),
		Tags: tags(r, f.Tags),
	}
	if f.Comments != "" && (t.Body == "" || t.Answer == "") {
		first, last := thread(field(r, f.Comments), text(r, f.RequesterID))
		if t.Body == "" {
			t.Body = first
		}
		if t.Answer == "" {
			t.Answer = last
		}
	}
	if l := text(r, f.Language); l != "" {
		if t.Language = normLang(l); t.Language == "" {
			bad("language is not a BCP 47 tag")
		}
	}
	var ok bool
	if t.Created, ok = parseDate(text(r, f.Created)); !ok {
		bad("created date not understood")
	}
	if t.Solved, ok = parseDate(text(r, f.Solved)); !ok {
		bad("solved date not understood")
	}
	// The requester's fields name the person; without them (or besides
	// them) the texts do: "my name is …", "Dear …,", "Best regards, …".
	names := redact.Learn([]string{text(r, f.RequesterName), text(r, f.RequesterEmail)},
		clean(t.Subject), clean(t.Body), clean(t.Answer))
	rd := func(s string) string { return red.Redact(clean(s), names, counts) }
	for _, p := range []*string{&t.Subject, &t.Body, &t.Answer, &t.Status, &t.Type, &t.Queue, &t.Product,
		&t.Environment, &t.Priority, &t.Satisfaction, &t.RootCause, &t.Prevention} {
		*p = rd(*p)
	}
	for i := range t.Tags {
		t.Tags[i] = rd(t.Tags[i])
	}
	t.Subject = strings.Join(strings.Fields(t.Subject), " ")
	if id := text(r, f.ID); id != "" {
		t.ID = red.Redact(strings.Join(strings.Fields(id), " "), names, counts)
	} else {
		// Stable across runs and exports: a hash of the redacted content.
		h := sha256.Sum256([]byte(t.Subject + "\x00" + t.Body + "\x00" + t.Answer))
		t.ID = hex.EncodeToString(h[:6])
		t.DerivedID = true
	}
	return t
}

// solved reports whether the ticket's status is one of the solved ones.
// Without a status field every ticket passes here, and one without an
// answer is left out as unanswered.
func (t Ticket) solved(statuses map[string]bool, hasStatus bool) bool {
	if !hasStatus {
		return true
	}
	return statuses[strings.ToLower(strings.TrimSpace(t.Status))]
}

// kind is the unit kind by ticket type.
func (t Ticket) kind() string {
	switch strings.ToLower(strings.TrimSpace(t.Type)) {
	case "question", "request", "change", "feature request", "service request", "task", "how-to", "howto", "faq",
		"frage", "anfrage", "pregunta", "solicitud", "demande", "pergunta", "solicitação":
		return "faq"
	}
	return "troubleshooting"
}

// category is the first level of the scenario's heading path.
func (t Ticket) category() string {
	for _, c := range append([]string{t.Queue}, t.Tags...) {
		if c = strings.TrimSpace(c); c != "" {
			return c
		}
	}
	if t.Type != "" {
		return t.Type
	}
	return "General"
}

func (t Ticket) String() string { return fmt.Sprintf("ticket %s", t.ID) }
