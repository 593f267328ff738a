package template

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Slot is one section of a template.
type Slot struct {
	Section  Section
	Required bool
}

// Template is the shape of one kind of expert note.
type Template struct {
	// Name is what `kbops note new --template` and the note's front
	// matter (`template:`) call it.
	Name string
	// Kind is the unit kind of the note's sections.
	Kind  string
	Slots []Slot
}

var templates = map[string]Template{
	"troubleshooting": {Name: "troubleshooting", Kind: "troubleshooting", Slots: []Slot{
		{Background, false}, {Symptom, true}, {RootCause, true}, {Steps, true}, {Prevention, false},
	}},
	"spec": {Name: "spec", Kind: "spec", Slots: []Slot{
		{AppliesTo, true}, {Values, true}, {Conditions, false},
	}},
	"faq": {Name: "faq", Kind: "faq", Slots: []Slot{
		{Question, true}, {Answer, true},
	}},
	// micro is the two-minute note: one fact and when it holds.
	"micro": {Name: "micro", Kind: "note", Slots: []Slot{
		{Tip, true}, {AppliesWhen, false},
	}},
}

// Names lists the templates, sorted.
func Names() []string {
	var n []string
	for k := range templates {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Lookup returns the template called name.
func Lookup(name string) (Template, bool) {
	t, ok := templates[strings.ToLower(strings.TrimSpace(name))]
	return t, ok
}

// Note is what a new note says about itself.
type Note struct {
	Title    string
	Product  string
	Language string // BCP 47
	Owner    string // e-mail address; empty leaves it to OWNERS
	// Date is written as the note's effective date; zero leaves it out.
	Date time.Time
}

var langTag = regexp.MustCompile(`^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)

// Render writes a new note from the template: front matter as the notes
// connector reads it (title, language, product, owner, kind, template,
// effective) and the template's sections, headed in the note's language
// and empty, for the expert to fill.
func (t Template) Render(n Note) ([]byte, error) {
	if strings.TrimSpace(n.Product) == "" {
		return nil, fmt.Errorf("a note needs a product")
	}
	if !langTag.MatchString(n.Language) {
		return nil, fmt.Errorf("language %q is not a BCP 47 tag such as de or pt-BR", n.Language)
	}
	if n.Owner != "" && (!strings.Contains(n.Owner, "@") || strings.ContainsAny(n.Owner, " <>\"'`(),;:[]")) {
		return nil, fmt.Errorf("owner %q is not a plain e-mail address", n.Owner)
	}
	title := strings.TrimSpace(n.Title)
	if title == "" || strings.ContainsAny(title, "\n\r") {
		return nil, fmt.Errorf("a note needs a one-line title")
	}
	fm := yaml.Node{Kind: yaml.MappingNode}
	add := func(k, v string) {
		if v != "" {
			fm.Content = append(fm.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: k}, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v})
		}
	}
	add("title", title)
	add("language", n.Language)
	add("product", n.Product)
	add("owner", n.Owner)
	add("kind", t.Kind)
	add("template", t.Name)
	if !n.Date.IsZero() {
		add("effective", n.Date.UTC().Format(time.DateOnly))
	}
	data, err := yaml.Marshal(&fm)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	b.WriteString("---\n")
	b.Write(data)
	b.WriteString("---\n\n# ")
	b.WriteString(title)
	b.WriteString("\n")
	for _, s := range t.Slots {
		b.WriteString("\n## ")
		b.WriteString(Heading(s.Section, n.Language))
		b.WriteString("\n\n")
	}
	return []byte(b.String()), nil
}

// Gap is a required section of a note that is missing or empty.
type Gap struct {
	Section Section
	// Heading is the section's heading in the note's language.
	Heading string
	// Line is the heading's line in the body, 0 when the heading is missing.
	Line int
}

func (g Gap) String() string {
	if g.Line == 0 {
		return fmt.Sprintf("required section %q is missing", g.Heading)
	}
	return fmt.Sprintf("required section %q (line %d) is empty", g.Heading, g.Line)
}

var comment = regexp.MustCompile(`(?s)<!--.*?-->`)

// Check returns the required sections of the template that body (the
// note without its front matter) leaves missing or empty, in template
// order. A section holding only whitespace or HTML comments is empty.
// Headings are recognised in every language of the vocabulary.
func (t Template) Check(body, lang string) []Gap {
	parts := Split(body)
	var gaps []Gap
	for _, s := range t.Slots {
		if !s.Required {
			continue
		}
		g := Gap{Section: s.Section, Heading: Heading(s.Section, lang)}
		found := false
		for _, p := range parts {
			if p.Key != s.Section {
				continue
			}
			found = true
			if strings.TrimSpace(comment.ReplaceAllString(p.Text, "")) == "" {
				g.Line, g.Heading = p.Line, p.Heading
				gaps = append(gaps, g)
			}
			break
		}
		if !found {
			gaps = append(gaps, g)
		}
	}
	return gaps
}
