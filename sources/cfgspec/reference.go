package cfgspec

import (
	"strings"
)

// Table renders fields as a Markdown reference table: key, type, default
// and meaning (the description, the allowed values and the example).
// Blocks appear only through their keys.
func Table(fields []Field) string {
	var b strings.Builder
	b.WriteString("| key | type | default | meaning |\n|---|---|---|---|\n")
	for _, f := range fields {
		if f.Type == Block && f.Description == "" {
			continue
		}
		b.WriteString("| `" + f.Key + "` | " + string(f.Type) + " | " + cell(DefaultText(f)) + " | " + cell(Meaning(f)) + " |\n")
	}
	return b.String()
}

// DefaultText is the default as the reference states it.
func DefaultText(f Field) string {
	switch {
	case f.DefaultDoc != "":
		return f.DefaultDoc
	case f.Required:
		return "required"
	case f.Default != "":
		return f.Default
	}
	return "none"
}

// Meaning is the description followed by the allowed values and the
// example, as the reference shows them.
func Meaning(f Field) string {
	s := strings.TrimSpace(f.Description)
	if len(f.Values) > 0 && f.Type != Map {
		s = sentence(s) + "One of " + codeList(f.Values) + "."
	}
	if f.Example != "" {
		if strings.HasSuffix(s, ":") { // the description introduces it
			s += " `" + f.Example + "`."
		} else {
			s = sentence(s) + "Example: `" + f.Example + "`."
		}
	}
	return s
}

func sentence(s string) string {
	if s == "" {
		return ""
	}
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s + " "
}

func codeList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = "`" + v + "`"
	}
	return strings.Join(q, ", ")
}

// cell keeps a table cell on one row: pipes are escaped, newlines joined.
func cell(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	return strings.ReplaceAll(s, "|", `\|`)
}
