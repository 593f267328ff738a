package cfgspec

import (
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

var testFields = []Field{
	{Key: "name", Type: String, Values: []string{"a", "b"}},
	{Key: "count", Type: Int, Default: "3"},
	{Key: "on", Type: Bool},
	{Key: "ratio", Type: Float, Default: "0.5"},
	{Key: "wait", Type: Duration, Default: "90s"},
	{Key: "tags", Type: Strings, Default: "[x]"},
	{Key: "fields", Type: Map, Values: []string{"id", "title"}},
	{Key: "sub", Type: Block},
	{Key: "sub.deep", Type: String, Default: "d"},
	{Key: "rules", Type: List},
	{Key: "rules[].kind", Type: String},
}

type testStruct struct {
	Name   string            `yaml:"name"`
	Count  int               `yaml:"count"`
	On     bool              `yaml:"on"`
	Ratio  float64           `yaml:"ratio"`
	Wait   time.Duration     `yaml:"wait"`
	Tags   []string          `yaml:"tags"`
	Fields map[string]string `yaml:"fields"`
	Sub    struct {
		Deep string `yaml:"deep"`
	} `yaml:"sub"`
	Rules []struct {
		Kind string `yaml:"kind"`
	} `yaml:"rules"`
	Hook func() `yaml:"-"`
}

func node(t *testing.T, src string) *yaml.Node {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	if len(n.Content) == 0 {
		return &yaml.Node{}
	}
	return n.Content[0]
}

// Check names the line and the key of unknown keys, values of the wrong
// type and values outside the allowed ones, at any depth.
func TestCheck(t *testing.T) {
	cases := []struct{ src, want string }{
		{"name: a\ncount: 2\non: true\nratio: 1\nwait: 5m\ntags: [a]\nfields: {id: x}\nsub: {deep: y}\nrules: [{kind: k}]\n", ""},
		{"", ""},
		{"nmae: a\n", "line 1: nmae: unknown key; the keys here are name, count, on, ratio, wait, tags, fields, sub, rules"},
		{"name: c\n", `line 1: name: "c" is not one of a, b`},
		{"name: [a]\n", "line 1: name: is a string"},
		{"count: 2.5\n", `line 1: count: "2.5" is not a whole number`},
		{"count: two\n", `line 1: count: "two" is not a whole number`},
		{"on: maybe\n", `line 1: on: "maybe" is not true or false`},
		{"ratio: x\n", `line 1: ratio: "x" is not a number`},
		{"wait: 5\n", `line 1: wait: "5" is not a duration`},
		{"tags: a\n", "line 1: tags: is a list of strings"},
		{"fields:\n  id: x\n  titel: y\n", "line 3: fields.titel: unknown key; the keys here are id, title"},
		{"sub:\n  deep: x\n  deeper: y\n", "line 3: sub.deeper: unknown key; the keys here are deep"},
		{"rules:\n  - kind: a\n  - knid: b\n", "line 3: rules[1].knid: unknown key; the keys here are kind"},
		{"- a\n", "line 1: : is a block of keys"},
	}
	for _, c := range cases {
		err := Check(node(t, c.src), testFields)
		if c.want == "" {
			if err != nil {
				t.Errorf("%q: %v", c.src, err)
			}
			continue
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%q: err = %v, want %q", c.src, err, c.want)
		}
	}
}

// ApplyDefaults fills zero keys, empty lists included, from the
// declarations and leaves set ones alone.
func TestApplyDefaults(t *testing.T) {
	v := testStruct{Count: 7, Tags: []string{}}
	if err := ApplyDefaults(&v, testFields); err != nil {
		t.Fatal(err)
	}
	if v.Count != 7 || v.Ratio != 0.5 || v.Wait != 90*time.Second || len(v.Tags) != 1 || v.Sub.Deep != "d" {
		t.Errorf("defaults: %+v", v)
	}
	if err := ApplyDefaults(&v, []Field{{Key: "missing", Default: "1"}}); err == nil {
		t.Error("a default for a key the struct lacks was accepted")
	}
}

// Describes finds keys declared but not read, keys read but not declared,
// and types that do not fit.
func TestDescribes(t *testing.T) {
	if p := Describes(testStruct{}, testFields); len(p) != 0 {
		t.Fatalf("problems: %v", p)
	}
	bad := append([]Field{}, testFields[1:]...) // name undeclared
	bad = append(bad, Field{Key: "extra", Type: String})
	bad[0].Type = String // count is an int
	got := strings.Join(Describes(testStruct{}, bad), "\n")
	for _, want := range []string{"name (testStruct.Name) is not declared", "count is declared as string", "extra is declared but"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

// The reference table shows the default, the allowed values and the
// example, and escapes pipes.
func TestTable(t *testing.T) {
	got := Table([]Field{
		{Key: "mode", Type: String, Default: "on", Values: []string{"on", "off"}, Description: "a|b", Example: "off"},
		{Key: "who", Type: String, Required: true, Description: "owner"},
	})
	for _, want := range []string{"| `mode` | string | on | a\\|b. One of `on`, `off`. Example: `off`. |", "| `who` | string | required | owner |"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}
