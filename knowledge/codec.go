package knowledge

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

const fence = "---\n"

// FileError is a problem in a unit file, located by file, line and field.
type FileError struct {
	File  string // path of the unit file, as the caller named it
	Line  int    // 1-based line in the file; 0 when unknown
	Field string // front-matter field, "" when the problem is not one field's
	Msg   string
}

func (e *FileError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		fmt.Fprintf(&b, ":%d", e.Line)
	}
	b.WriteString(": ")
	if e.Field != "" {
		fmt.Fprintf(&b, "field %q: ", e.Field)
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Marshal returns the canonical bytes of u: front matter in fixed field
// order, LF line endings, the body after one blank line, one final newline.
// Marshal(Parse(Marshal(u))) == Marshal(u) for every valid u.
func Marshal(u Unit) ([]byte, error) {
	var fm bytes.Buffer
	enc := yaml.NewEncoder(&fm)
	enc.SetIndent(2)
	if err := enc.Encode(&u); err != nil {
		return nil, fmt.Errorf("encode unit %s: %w", u.ID, err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("encode unit %s: %w", u.ID, err)
	}
	var out bytes.Buffer
	out.Grow(fm.Len() + len(u.Body) + 16)
	out.WriteString(fence)
	out.Write(fm.Bytes())
	out.WriteString(fence)
	out.WriteString("\n")
	out.WriteString(NormalizeBody(u.Body))
	return out.Bytes(), nil
}

// NormalizeBody gives a body its canonical form: LF line endings, no
// trailing white space on lines, no leading or trailing blank lines, one
// final newline (none for an empty body).
func NormalizeBody(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " \t\u00a0\u3000")
	}
	s = strings.Trim(strings.Join(lines, "\n"), "\n")
	if s == "" {
		return ""
	}
	return s + "\n"
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

// Parse reads a unit file. name is used in errors only. Unknown fields,
// malformed YAML and invalid values are reported as *FileError naming the
// file, line and field.
func Parse(name string, data []byte) (Unit, error) {
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if !bytes.HasPrefix(data, []byte(fence)) {
		return Unit{}, &FileError{File: name, Line: 1, Msg: "a unit file starts with a front matter block opened by \"---\""}
	}
	rest := data[len(fence):]
	end := bytes.Index(rest, []byte("\n"+fence))
	var fm, body []byte
	switch {
	case bytes.HasPrefix(rest, []byte(fence)):
		fm, body = nil, rest[len(fence):]
	case end >= 0:
		fm, body = rest[:end+1], rest[end+1+len(fence):]
	case bytes.HasSuffix(rest, []byte("\n---")):
		fm, body = rest[:len(rest)-3], nil
	default:
		return Unit{}, &FileError{File: name, Line: 1, Msg: "front matter is not closed by a \"---\" line"}
	}

	var u Unit
	dec := yaml.NewDecoder(bytes.NewReader(fm))
	dec.KnownFields(true)
	if err := dec.Decode(&u); err != nil {
		return Unit{}, yamlError(name, err)
	}
	u.Body = NormalizeBody(string(body))
	if err := u.Validate(); err != nil {
		var fe *FieldError
		if errors.As(err, &fe) {
			// The node tree only places an invalid field: building it
			// for every file doubled the cost of parsing a base.
			var node yaml.Node
			_ = yaml.Unmarshal(fm, &node) // it decoded above
			line := fieldLine(&node, fe.Field)
			if fe.BodyLine > 0 {
				line = bodyLine(data, body, fe.BodyLine)
			}
			return u, &FileError{File: name, Line: line, Field: fe.Field, Msg: fe.Msg}
		}
		return u, &FileError{File: name, Msg: err.Error()}
	}
	return u, nil
}

// yamlError turns a yaml.v3 error into a FileError with the line counted
// from the top of the file (the front matter starts on line 2).
func yamlError(name string, err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "yaml: ")
	msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
	line := 0
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		line = n + 1
		msg = strings.TrimSpace(strings.Replace(msg, m[0]+":", "", 1))
	}
	if i := strings.Index(msg, " not found in type"); i > 0 && strings.HasPrefix(msg, "field ") {
		field := strings.TrimPrefix(msg[:i], "field ")
		return &FileError{File: name, Line: line, Field: field, Msg: "unknown field; see docs/unit-format.md for the fields a unit has"}
	}
	return &FileError{File: name, Line: line, Msg: msg}
}

// fieldLine finds the file line of a dotted front-matter key ("source.uri"),
// or of the front matter's start when the key is absent.
func fieldLine(doc *yaml.Node, field string) int {
	n := doc
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := 1
	for _, part := range strings.Split(field, ".") {
		if n == nil || n.Kind != yaml.MappingNode {
			return line
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == part {
				line = n.Content[i].Line + 1
				next = n.Content[i+1]
				break
			}
		}
		if next == nil {
			return line
		}
		n = next
	}
	return line
}

// bodyLine turns a line of the normalised body into a line of the file:
// the body starts after the lines before it and its leading blank lines.
func bodyLine(data, body []byte, n int) int {
	before := bytes.Count(data[:len(data)-len(body)], []byte("\n"))
	for len(body) > 0 {
		i := bytes.IndexByte(body, '\n')
		if i < 0 || len(bytes.TrimSpace(body[:i])) > 0 {
			break
		}
		before++
		body = body[i+1:]
	}
	return before + n
}
