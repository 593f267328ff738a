package sources

import (
	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/sources/cfgspec"
)

// SpecFields declare Spec, one entry of kbops.yaml's `sources:`; the
// reference in docs/config.md and the `kbops init` template are generated
// from them. The checks of Validate name the same keys.
var SpecFields = []cfgspec.Field{
	{Key: "name", Type: cfgspec.String, Required: true,
		Description: "unique; unit ids start with it — never rename a published source", Example: "expert-notes"},
	{Key: "kind", Type: cfgspec.String, Required: true, Values: kindNames(),
		Description: "what the source holds; it sets the formats read, the tier and whether text is redacted", Example: "notes"},
	{Key: "location", Type: "string or list of strings", Required: true,
		Description: "a folder or glob relative to the workspace (`manuals/**/*.pdf`), one or more http(s) URLs, or a git repository URL",
		Example:     "notes/", Comment: "folder or glob, URL(s), or git repository"},
	{Key: "type", Type: cfgspec.String, DefaultDoc: "from location", Advanced: true,
		Description: "force the location type `folder`, `http` or `git` when the location does not tell"},
	{Key: "include", Type: cfgspec.Strings, DefaultDoc: "all files of the kind's formats", Advanced: true,
		Description: "glob patterns over document keys (`**` spans folders; a pattern without `/` matches base names); a document must match one",
		Example:     `["**/*.md"]`},
	{Key: "exclude", Type: cfgspec.Strings, DefaultDoc: "none", Advanced: true,
		Description: "glob patterns over document keys, as for `include`; a document matching one is left out", Example: `[drafts/**]`},
	{Key: "tier", Type: cfgspec.String, DefaultDoc: "manuals: official, notes: internal, tickets: support", Values: tierNames(), Advanced: true,
		Description: "reliability tier"},
	{Key: "owner", Type: cfgspec.String, Required: true,
		Description: "accountable knowledge owner; a document's front matter may name another",
		Example:     "owner@example.com", Comment: "accountable knowledge owner"},
	{Key: "product", Type: cfgspec.String, DefaultDoc: "none",
		Description: "product of the source's units; documents may override", Example: "example-product"},
	{Key: "markets", Type: cfgspec.Strings, DefaultDoc: "defaults.markets", Advanced: true,
		Description: "markets of the source's units; documents may override"},
	{Key: "access", Type: cfgspec.String, DefaultDoc: "defaults.access", Values: accessNames(),
		Description: "access level of the source's units; documents may override", Example: "customer"},
	{Key: "language", Type: cfgspec.String, DefaultDoc: "each document declares or is detected", Advanced: true,
		Description: "the declared BCP 47 language of the source's documents"},
	{Key: "schedule", Type: cfgspec.String, DefaultDoc: "none",
		Description: "cron spec or descriptor for `kbops serve`", Example: `"@nightly"`, Comment: "used by kbops serve"},
	{Key: "options", Type: cfgspec.Block, DefaultDoc: "none", Advanced: true,
		Description: "settings of the location, declared by each location plugin: see “`options` of … locations” below; checked when kbops.yaml is loaded"},
	{Key: "extract", Type: cfgspec.Block, DefaultDoc: "none", Advanced: true,
		Description: "settings of how documents are read, declared by the format plugin: see “`extract` of …” below (ticket exports: preset, field mapping, filters, redaction patterns; docs/tickets.md); checked when kbops.yaml is loaded"},
	{Key: "public_url", Type: cfgspec.String, DefaultDoc: "none", Advanced: true,
		Description: "an absolute http(s) URL where people can open the source's documents; a unit's `link` is this URL joined with the document's key, plus `#page=N` for a PDF page or `#anchor` for an HTML or Markdown heading. " +
			"Without it a unit links to its document only when the document was fetched over http(s); a local file gets no link",
		Example: "https://docs.example.com/manuals/"},
	{Key: "document_timeout", Type: cfgspec.Duration, DefaultDoc: "`ingest.document_timeout`", Advanced: true,
		Description: "time budget for reading and extracting one document of this source; overrides `ingest.document_timeout`", Example: "10m"},
	{Key: "redact", Type: "on, off, auto or a block", DefaultDoc: "tickets, notes: on; manuals: off", Advanced: true,
		Description: "personal data (e-mail, phone, card, IBAN, IP, the names the text gives) becomes `<email>`, `<phone>`, `<name>`… before the text becomes units. " +
			"`on`, `off` (refused for tickets), `auto`, or a block: `mode`, `allow` (values that stay: an address, a domain such as `@vendor.example`, a phone number compared by digits), " +
			"`patterns` (`{kind, regexp}` detectors of your own), `disable` (built-in kinds not to look for). `allow`, `patterns` and `disable` need redaction on. " +
			"Changing the setting extracts the source's documents again, so existing units follow. Example for a manual that prints the vendor's hotline:",
		Example: `{mode: on, allow: ["@teqsas.example", "+49 89 1234 5678"]}`},
}

// SpecExample is an example source for the reference and the init
// template.
type SpecExample struct {
	// Title says what the example shows, in one line.
	Title string
	// YAML is the `sources:` list entry.
	YAML string
}

// SpecExampleTitle introduces the example source made of SpecFields'
// examples.
const SpecExampleTitle = "Expert notes: Markdown files with front matter, from a folder."

// SpecExamples are further sources the init template offers, commented
// out, after the one made of SpecFields' examples.
var SpecExamples = []SpecExample{
	{Title: "Manuals as PDF, HTML or Markdown, highest tier (not redacted unless asked):", YAML: `- name: manuals
  kind: manuals
  location: manuals/**/*.pdf
  tier: official
  owner: owner@example.com
  redact: {mode: on, allow: ["@vendor.example", "+49 89 1234 5678"]}
`},
	{Title: "Ticket exports (CSV, JSON, JSONL); personal data is removed first:", YAML: `- name: helpdesk
  kind: tickets
  location: exports/
  owner: support-lead@example.com
`},
}

func kindNames() []string { return []string{"manuals", "tickets", "notes"} }

func tierNames() []string {
	out := make([]string, len(knowledge.Tiers))
	for i, t := range knowledge.Tiers {
		out[i] = string(t)
	}
	return out
}

func accessNames() []string {
	out := make([]string, len(knowledge.AccessLevels))
	for i, a := range knowledge.AccessLevels {
		out[i] = string(a)
	}
	return out
}
