package config

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/cfgspec"
)

// envVar is an environment variable for the reference.
type envVar struct{ Name, Use string }

// EnvWorkspace names the workspace folder, as --workspace does; the
// command line reads it.
const EnvWorkspace = "KBOPS_WORKSPACE"

var envVars = []envVar{
	{EnvWeaviateAPIKey, "API key of a Weaviate cluster (`weaviate.url`)"},
	{EnvGitToken, "token for pushing and fetching the review branch at `git.remote`, and for git sources on the same host (host:port) as `git.remote`; a git source elsewhere names its own variable in `options.token_env`. A token is sent only over https, or plain http to a loopback host (127.0.0.0/8, ::1, localhost)"},
	{EnvReviewer, "`Name <email>` of the person running `kbops review approve/reject/merge` (else `--as`, else git's user.email)"},
	{EnvWorkspace, "workspace folder (same as `--workspace`)"},
	{"KBOPS_RECORDER_KEY", "armored OpenPGP private key file that signs the decisions `kbops review sync` and serve record from the git host; its address names the recorder in OWNERS `recorders:` (strict mode needs it there); passphrase from `KBOPS_RECORDER_PASSPHRASE`"},
}

const docIntro = "`kbops init` writes a commented example. Unknown keys and bad values are\n" +
	"errors naming the file, line and key (`kbops.yaml:12: sources[0].kind: \"manual\" is not one of manuals, tickets, notes`),\n" +
	"also under a source's `options` and `extract`, which are checked against the settings their plugins declare when\n" +
	"kbops.yaml is loaded (`kbops.yaml:9: sources[0].options.max_file_sise: unknown key; the keys here are …`).\n" +
	"Secrets are refused in the file: set them in the environment. That\n" +
	"includes URLs with a user name or password (`https://user:token@host/…`) in\n" +
	"`git.remote` and in source locations: they are refused with the file, line\n" +
	"and key, without repeating the secret, because URLs are also printed in logs\n" +
	"and stored in run reports.\n"

// DocsFile is where the reference is kept, relative to the repository root.
const DocsFile = "docs/config.md"

// Reference returns docs/config.md: every key of kbops.yaml from Fields,
// and the options and extract settings the plugins in reg declared.
func Reference(reg *sources.Registry) string {
	var b strings.Builder
	b.WriteString("# kbops.yaml reference\n\n")
	b.WriteString("<!-- Generated from the key declarations next to the code that reads them; do not edit. Run `go generate ./pipeline/config`. -->\n\n")
	b.WriteString(docIntro)
	b.WriteString("\n| environment variable | used for |\n|---|---|\n")
	for _, e := range envVars {
		fmt.Fprintf(&b, "| `%s` | %s |\n", e.Name, e.Use)
	}
	b.WriteString("\n## Top level\n\n")
	b.WriteString(cfgspec.Table(topFields))

	b.WriteString("\n## `sources[]`\n\n")
	b.WriteString(cfgspec.Table(sources.SpecFields))
	b.WriteString("\nExamples:\n\n```yaml\nsources:\n")
	b.WriteString(indent(sourceExample(), "  "))
	for _, ex := range sources.SpecExamples {
		b.WriteString("  # " + ex.Title + "\n")
		b.WriteString(indent(ex.YAML, "  "))
	}
	b.WriteString("```\n")

	for _, scheme := range reg.Schemes() {
		fields, ok := reg.LocationOptions(scheme)
		if !ok || len(fields) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n### `options` of `%s` locations\n\n", scheme)
		b.WriteString(cfgspec.Table(fields))
	}
	var none []string
	for _, format := range reg.Formats() {
		fields, ok := reg.ExtractOptions(format)
		if !ok {
			continue
		}
		if len(fields) == 0 {
			none = append(none, "`"+format+"`")
			continue
		}
		fmt.Fprintf(&b, "\n### `extract` of `%s` documents\n\n", format)
		b.WriteString(cfgspec.Table(fields))
	}
	if len(none) > 0 {
		fmt.Fprintf(&b, "\nThe %s extractors read no `extract` settings: a source of a kind read only by them takes none.\n", strings.Join(none, ", "))
	}

	for _, sec := range []struct {
		name   string
		fields []cfgspec.Field
	}{{"ingest", ingestFields}, {"review", reviewFields}, {"weaviate", weaviateFields}, {"git", gitFields}, {"frontends", frontendsFields}} {
		fmt.Fprintf(&b, "\n## `%s`\n\n", sec.name)
		b.WriteString(cfgspec.Table(unprefixed(sec.name+".", sec.fields)))
	}
	return b.String()
}

func unprefixed(prefix string, fields []cfgspec.Field) []cfgspec.Field {
	var out []cfgspec.Field
	for _, f := range fields {
		if k, ok := strings.CutPrefix(f.Key, prefix); ok {
			f.Key = k
			out = append(out, f)
		}
	}
	return out
}

func indent(s, by string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(by + l)
		}
	}
	return b.String()
}

const templateHeader = `# kbops workspace configuration. Reference: docs/config.md.
# Secrets never go here (this file is committed): set KBOPS_WEAVIATE_API_KEY
# and KBOPS_GIT_TOKEN in the environment.
`

// commentColumn is where the template's notes after a value start.
const commentColumn = 29

// TemplateText returns the commented kbops.yaml `kbops init` writes, made
// of the examples and defaults of the keys not marked advanced; the
// Template constant holds it (see gen).
func TemplateText() string {
	fields := Fields()
	var b strings.Builder
	b.WriteString(templateHeader)
	sep := ""
	for _, f := range cfgspec.Children(fields, "") {
		var one strings.Builder
		writeField(&one, fields, f, f.Key, "")
		if one.Len() == 0 {
			continue // an advanced block: no blank line for it
		}
		b.WriteString(sep + one.String())
		sep = "\n"
	}
	return b.String()
}

// writeField writes one key of the template, with its children.
func writeField(b *strings.Builder, all []cfgspec.Field, f cfgspec.Field, name, ind string) {
	if f.Advanced {
		return
	}
	comment := noteOf(f)
	switch f.Type {
	case cfgspec.Block:
		var kids strings.Builder
		for _, c := range cfgspec.Children(all, f.Key+".") {
			writeField(&kids, all, c, strings.TrimPrefix(c.Key, f.Key+"."), ind+"  ")
		}
		if kids.Len() == 0 {
			return
		}
		writeLine(b, ind, name+":", comment)
		b.WriteString(kids.String())
		return
	case cfgspec.List:
		writeLine(b, ind, name+":", comment)
		if f.Key == "sources" {
			b.WriteString(ind + "  # " + sources.SpecExampleTitle + "\n")
			b.WriteString(sourceTemplate(ind+"  ", true))
			for _, ex := range sources.SpecExamples {
				b.WriteString(ind + "  # " + ex.Title + "\n")
				for _, l := range strings.Split(strings.TrimRight(ex.YAML, "\n"), "\n") {
					b.WriteString(ind + "  # " + l + "\n")
				}
			}
		}
		return
	}
	value := f.Example
	if value == "" {
		value = f.Default
	}
	if value == "" {
		return
	}
	var n yaml.Node
	if f.Type == cfgspec.Map && yaml.Unmarshal([]byte(value), &n) == nil && len(n.Content) == 1 && n.Content[0].Kind == yaml.MappingNode {
		writeLine(b, ind, name+":", comment)
		m := n.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			writeLine(b, ind+"  ", m.Content[i].Value+": "+m.Content[i+1].Value, "")
		}
		return
	}
	writeLine(b, ind, name+": "+value, comment)
}

// writeLine writes a template line with its note: after the value when it
// fits, else above it.
func writeLine(b *strings.Builder, ind, text, comment string) {
	line := ind + text
	if comment == "" {
		b.WriteString(line + "\n")
		return
	}
	if max(len(line)+1, commentColumn)+2+len(comment) > 96 {
		for _, l := range wrap(comment, 76-len(ind)) {
			b.WriteString(ind + "# " + l + "\n")
		}
		b.WriteString(line + "\n")
		return
	}
	pad := commentColumn - len(line)
	if pad < 1 {
		pad = 1
	}
	b.WriteString(line + strings.Repeat(" ", pad) + "# " + comment + "\n")
}

func wrap(s string, width int) []string {
	var lines []string
	cur := ""
	for _, w := range strings.Fields(s) {
		if cur != "" && len(cur)+1+len(w) > width {
			lines = append(lines, cur)
			cur = w
			continue
		}
		if cur != "" {
			cur += " "
		}
		cur += w
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines
}

// sourceTemplate writes the example source made of the sources' keys not
// marked advanced, as a list entry indented by ind; notes is false for the
// reference, which explains the keys in its table.
func sourceTemplate(ind string, notes bool) string {
	var b strings.Builder
	lead := ind + "- "
	for _, f := range cfgspec.Children(sources.SpecFields, "") {
		value := f.Example
		if f.Advanced || value == "" {
			continue
		}
		comment := ""
		if notes {
			comment = noteOf(f)
		}
		writeLine(&b, lead, f.Key+": "+value, comment)
		lead = ind + "  "
	}
	return b.String()
}

// noteOf is a key's note in the template: its comment, else its values.
func noteOf(f cfgspec.Field) string {
	if f.Comment == "" && len(f.Values) > 0 && f.Type != cfgspec.Map {
		return strings.Join(f.Values, " | ")
	}
	return f.Comment
}

// sourceExample is the example source of the reference.
func sourceExample() string { return sourceTemplate("", false) }

// TemplateFile is the Go file holding Template, relative to the
// repository root.
const TemplateFile = "pipeline/config/template.go"

// TemplateSource returns the Go source of TemplateFile.
func TemplateSource() string {
	return "// Code generated by `go generate ./pipeline/config`; DO NOT EDIT.\n\n" +
		"package config\n\n" +
		"// Template is the commented kbops.yaml that `kbops init` writes, made by\n" +
		"// TemplateText from the key declarations. It must parse: a test keeps it\n" +
		"// honest, and another that it is current.\n" +
		"const Template = `" + TemplateText() + "`\n"
}
