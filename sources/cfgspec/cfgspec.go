// Package cfgspec describes configuration keys: name, type, default,
// description and example, declared once next to the code that reads
// them. From these declarations kbops.yaml's plugin settings are checked
// when the file is loaded, defaults are applied, and the `kbops init`
// template and docs/config.md are generated, so the reference cannot
// disagree with the code.
//
// The package imports nothing of kbops, so that both the config loader and
// the source plugins can use it.
package cfgspec

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Type is a key's value type as the reference names it. The types below
// are checked by Check; any other text is shown in the reference and not
// checked (the owner of the key decodes it itself).
type Type string

// Checked types.
const (
	String   Type = "string"
	Int      Type = "integer"
	Bool     Type = "bool"
	Float    Type = "number"
	Duration Type = "duration" // Go syntax: 90s, 5m, 1h30m
	Strings  Type = "list of strings"
	// Map is a block of arbitrary keys with scalar values; Values, when
	// given, lists the keys allowed.
	Map Type = "map"
	// Block is a block whose keys are the fields named Key + "." + name.
	Block Type = "block"
	// List is a list of blocks whose keys are the fields named
	// Key + "[]." + name.
	List Type = "list of blocks"
)

// Field describes one configuration key.
type Field struct {
	// Key is the key's path below the block the field list describes:
	// "branch", "embedded.http_port", "patterns[].kind".
	Key  string
	Type Type
	// Default is the value, in YAML, that applies when the key is absent
	// or zero; ApplyDefaults sets it. Empty: no value default.
	Default string
	// DefaultDoc states the default in the reference when it is not a
	// plain value ("from the kind"); it overrides Default there.
	DefaultDoc string
	// Required keys have no default; the reference says so.
	Required bool
	// Description is the reference text (Markdown, one paragraph).
	Description string
	// Example is a value, in YAML, for the reference and the init
	// template; Default stands in for it in the template when empty.
	Example string
	// Values are the allowed values of a scalar (or the allowed keys of a
	// Map); Check refuses others.
	Values []string
	// Comment is the short note next to the key in the init template;
	// empty: the allowed values, if any.
	Comment string
	// Advanced keys are left out of the init template.
	Advanced bool
}

// Error is a problem with one key; Line is the line in the YAML file, Key
// the path of the key below the checked block.
type Error struct {
	Line int
	Key  string
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Key, e.Msg)
}

// Find returns the field with the key.
func Find(fields []Field, key string) (Field, bool) {
	for _, f := range fields {
		if f.Key == key {
			return f, true
		}
	}
	return Field{}, false
}

// Children returns the fields directly below prefix ("" for the top, else
// a block's key followed by "." or "[].").
func Children(fields []Field, prefix string) []Field {
	var out []Field
	for _, f := range fields {
		rest, ok := strings.CutPrefix(f.Key, prefix)
		if ok && rest != "" && !strings.ContainsAny(rest, ".[") {
			out = append(out, f)
		}
	}
	return out
}

// Prefixed returns fields with prefix put before each key, to describe a
// block inside another.
func Prefixed(prefix string, fields []Field) []Field {
	out := make([]Field, len(fields))
	for i, f := range fields {
		f.Key = prefix + f.Key
		out[i] = f
	}
	return out
}

// Check checks a block of settings (a mapping node, or an empty node for
// none) against fields: every key must be one of them, with a value of
// its type and, if the field lists values, one of those. The error is an
// *Error with the line of the offending key or value.
func Check(n *yaml.Node, fields []Field) error {
	return checkBlock(n, "", "", fields)
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == 0 || (n.Kind == yaml.ScalarNode && n.Tag == "!!null")
}

func checkBlock(n *yaml.Node, prefix, shown string, fields []Field) error {
	if isNull(n) {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	if n.Kind != yaml.MappingNode {
		return &Error{Line: n.Line, Key: strings.TrimSuffix(shown, "."), Msg: "is a block of keys (key: value)"}
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		f, ok := Find(fields, prefix+k.Value)
		if !ok {
			var known []string
			for _, c := range Children(fields, prefix) {
				known = append(known, strings.TrimPrefix(c.Key, prefix))
			}
			msg := "unknown key; nothing is read here, see docs/config.md"
			if len(known) > 0 {
				msg = "unknown key; the keys here are " + strings.Join(known, ", ")
			}
			return &Error{Line: k.Line, Key: shown + k.Value, Msg: msg}
		}
		if err := checkValue(v, f, shown+k.Value, fields); err != nil {
			return err
		}
	}
	return nil
}

func checkValue(v *yaml.Node, f Field, shown string, fields []Field) error {
	if isNull(v) {
		return nil
	}
	if v.Kind == yaml.AliasNode {
		v = v.Alias
	}
	bad := func(format string, a ...any) error {
		return &Error{Line: v.Line, Key: shown, Msg: fmt.Sprintf(format, a...)}
	}
	scalar := v.Kind == yaml.ScalarNode
	switch f.Type {
	case String:
		if !scalar {
			return bad("is a string")
		}
	case Int:
		var x int64
		if !scalar || v.Tag != "!!int" || v.Decode(&x) != nil {
			return bad("%s is not a whole number", shownValue(v))
		}
	case Bool:
		var x bool
		if !scalar || v.Decode(&x) != nil {
			return bad("%s is not true or false", shownValue(v))
		}
	case Float:
		var x float64
		if !scalar || v.Decode(&x) != nil {
			return bad("%s is not a number", shownValue(v))
		}
	case Duration:
		var d time.Duration
		if !scalar || v.Decode(&d) != nil {
			return bad("%s is not a duration such as 90s, 5m or 1h30m", shownValue(v))
		}
	case Strings:
		var x []string
		if v.Kind != yaml.SequenceNode || v.Decode(&x) != nil {
			return bad("is a list of strings ([a, b])")
		}
	case Map:
		if v.Kind != yaml.MappingNode {
			return bad("is a block of keys (key: value)")
		}
		for i := 0; i+1 < len(v.Content); i += 2 {
			k, val := v.Content[i], v.Content[i+1]
			if len(f.Values) > 0 && !slices.Contains(f.Values, k.Value) {
				return &Error{Line: k.Line, Key: shown + "." + k.Value, Msg: "unknown key; the keys here are " + strings.Join(f.Values, ", ")}
			}
			if val.Kind != yaml.ScalarNode {
				return &Error{Line: val.Line, Key: shown + "." + k.Value, Msg: "is a single value"}
			}
		}
		return nil
	case Block:
		return checkBlock(v, f.Key+".", shown+".", fields)
	case List:
		if v.Kind != yaml.SequenceNode {
			return bad("is a list")
		}
		for i, item := range v.Content {
			if err := checkBlock(item, f.Key+"[].", fmt.Sprintf("%s[%d].", shown, i), fields); err != nil {
				return err
			}
		}
		return nil
	}
	if len(f.Values) > 0 && scalar && !slices.Contains(f.Values, v.Value) {
		return bad("%q is not one of %s", v.Value, strings.Join(f.Values, ", "))
	}
	return nil
}

// shownValue quotes a scalar for a message; other nodes are named by kind.
func shownValue(v *yaml.Node) string {
	switch v.Kind {
	case yaml.ScalarNode:
		return fmt.Sprintf("%q", v.Value)
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a block"
	}
	return "the value"
}

// ApplyDefaults sets each field with a Default whose key is zero (or an
// empty list or map) in the struct v points to; keys are matched to struct fields by their yaml
// tags. Fields inside lists are left alone. An error means the fields do
// not describe v: a programming error that the packages' tests catch.
func ApplyDefaults(v any, fields []Field) error {
	root := reflect.ValueOf(v)
	if root.Kind() != reflect.Pointer || root.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("cfgspec: ApplyDefaults needs a pointer to a struct, got %T", v)
	}
	for _, f := range fields {
		if f.Default == "" || strings.Contains(f.Key, "[]") {
			continue
		}
		fv, err := fieldByKey(root.Elem(), f.Key)
		if err != nil {
			return err
		}
		empty := fv.IsZero() || ((fv.Kind() == reflect.Slice || fv.Kind() == reflect.Map) && fv.Len() == 0)
		if !empty {
			continue
		}
		if err := yaml.Unmarshal([]byte(f.Default), fv.Addr().Interface()); err != nil {
			return fmt.Errorf("cfgspec: default of %s: %w", f.Key, err)
		}
	}
	return nil
}

// fieldByKey follows a dotted key through structs by yaml tag.
func fieldByKey(v reflect.Value, key string) (reflect.Value, error) {
	for _, part := range strings.Split(key, ".") {
		if v.Kind() != reflect.Struct {
			return reflect.Value{}, fmt.Errorf("cfgspec: %s: %s is not a block in %s", key, part, v.Type())
		}
		next, ok := structField(v, part)
		if !ok {
			return reflect.Value{}, fmt.Errorf("cfgspec: %s: no field with yaml key %q in %s", key, part, v.Type())
		}
		v = next
	}
	return v, nil
}

func structField(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag, opts := yamlTag(sf)
		if tag == "-" || !sf.IsExported() {
			continue
		}
		if strings.Contains(opts, "inline") {
			if fv, ok := structField(v.Field(i), name); ok {
				return fv, true
			}
			continue
		}
		if tag == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}

// yamlTag returns a struct field's yaml key (the lower-cased field name
// when untagged, as yaml.v3 does) and its options.
func yamlTag(sf reflect.StructField) (name, opts string) {
	tag := sf.Tag.Get("yaml")
	name, opts, _ = strings.Cut(tag, ",")
	if name == "" && tag != "-" {
		name = strings.ToLower(sf.Name)
	}
	return name, opts
}

var durationType = reflect.TypeOf(time.Duration(0))

// Describes reports how fields and the struct type of v disagree: a yaml
// key of the struct without a field, a field without a key, or a type
// that does not fit. Blocks and lists of blocks are followed; keys whose
// Go type decodes itself (a yaml.Node, a type with UnmarshalYAML) are
// not. Tests use it to keep a plugin's declared options and its Options
// struct together.
func Describes(v any, fields []Field) []string {
	var problems []string
	seen := map[string]bool{}
	describe(reflect.TypeOf(v), "", fields, seen, &problems)
	for _, f := range fields {
		if !seen[f.Key] {
			problems = append(problems, fmt.Sprintf("%s is declared but %T has no such key", f.Key, v))
		}
	}
	return problems
}

// Keys returns the yaml keys of the fields of the struct v, in order: the
// Values of a Map field that a struct of fixed keys decodes.
func Keys(v any) []string { return structKeys(reflect.TypeOf(v)) }

func structKeys(t reflect.Type) []string {
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if name, _ := yamlTag(t.Field(i)); name != "-" && t.Field(i).IsExported() {
			keys = append(keys, name)
		}
	}
	return keys
}

var unmarshalerType = reflect.TypeOf((*yaml.Unmarshaler)(nil)).Elem()

func describe(t reflect.Type, prefix string, fields []Field, seen map[string]bool, problems *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		name, opts := yamlTag(sf)
		if name == "-" || !sf.IsExported() {
			continue
		}
		if strings.Contains(opts, "inline") {
			describe(sf.Type, prefix, fields, seen, problems)
			continue
		}
		key := prefix + name
		f, ok := Find(fields, key)
		if !ok {
			*problems = append(*problems, fmt.Sprintf("%s (%s.%s) is not declared", key, t.Name(), sf.Name))
			continue
		}
		seen[key] = true
		ft := sf.Type
		if reflect.PointerTo(ft).Implements(unmarshalerType) || ft == reflect.TypeOf(yaml.Node{}) {
			continue // decodes itself; its Type is documentation
		}
		kind := ft.Kind()
		fits := true
		switch f.Type {
		case String:
			fits = kind == reflect.String
		case Int:
			fits = ft != durationType && kind >= reflect.Int && kind <= reflect.Uint64
		case Bool:
			fits = kind == reflect.Bool
		case Float:
			fits = kind == reflect.Float32 || kind == reflect.Float64
		case Duration:
			fits = ft == durationType
		case Strings:
			fits = kind == reflect.Slice && ft.Elem().Kind() == reflect.String
		case Map:
			// A struct of strings is a map whose keys Values lists.
			fits = kind == reflect.Map || (kind == reflect.Struct && slices.Equal(structKeys(ft), f.Values))
		case Block:
			fits = kind == reflect.Struct
			if fits {
				describe(ft, key+".", fields, seen, problems)
			}
		case List:
			fits = kind == reflect.Slice && ft.Elem().Kind() == reflect.Struct
			if fits {
				describe(ft.Elem(), key+"[].", fields, seen, problems)
			}
		}
		if !fits {
			*problems = append(*problems, fmt.Sprintf("%s is declared as %s but %s.%s is %s", key, f.Type, t.Name(), sf.Name, ft))
		}
	}
}
