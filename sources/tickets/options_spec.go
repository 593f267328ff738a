package tickets

import (
	"strconv"

	"github.com/kbops/kbops/sources"
	"github.com/kbops/kbops/sources/cfgspec"
)

func init() {
	sources.Default.RegisterExtractOptions("tickets", ExtractFields...)
}

// Defaults of Options, applied by withDefaults and stated by ExtractFields.
const (
	defaultSimilarity     = 0.6
	defaultWindow         = 100000
	defaultMaxRecordBytes = 16 << 20
)

// ExtractFields declare Options, the keys a tickets source reads under
// `extract:`; kbops.yaml is checked against them when it is loaded.
var ExtractFields = []cfgspec.Field{
	{Key: "preset", Type: cfgspec.String, DefaultDoc: "detected from the header or the first record", Values: PresetNames(),
		Description: "a built-in field mapping (see docs/tickets.md)", Example: "zendesk"},
	{Key: "fields", Type: cfgspec.Map, DefaultDoc: "the preset's", Values: cfgspec.Keys(Fields{}),
		Description: "override the preset's mapping field by field: a logical field names a CSV column (case-insensitive) or a JSON key; dotted paths reach into objects, `a|b` lists alternatives",
		Example:     "{product: custom_fields.product}"},
	{Key: "solved_statuses", Type: cfgspec.Strings, DefaultDoc: "the preset's, else solved, closed, resolved and their common translations",
		Description: "the status values (any case) that mean solved; without a status field, a ticket with an answer is solved",
		Example:     "[solved, closed]"},
	{Key: "include_unsolved", Type: cfgspec.Bool, Default: "false",
		Description: "also make knowledge of unsolved tickets (a scenario without a fix is not knowledge)"},
	{Key: "include_unanswered", Type: cfgspec.Bool, Default: "false",
		Description: "also make knowledge of tickets without an answer"},
	{Key: "delimiter", Type: cfgspec.String, DefaultDoc: "sniffed from the header",
		Description: "CSV only: the field delimiter, `,`, `;`, `|` or a tab (`\\t` or `tab`)", Example: `";"`},
	{Key: "encoding", Type: cfgspec.String, DefaultDoc: "BOM, else UTF-8, else windows-1252",
		Description: "CSV only: a WHATWG encoding name (windows-1252, iso-8859-15, shift_jis, gbk, big5, euc-kr, utf-16le…)",
		Example:     "windows-1252"},
	{Key: "similarity", Type: cfgspec.Float, Default: strconv.FormatFloat(defaultSimilarity, 'g', -1, 64),
		Description: "estimated Jaccard similarity (0..1) of two tickets' subject and first message above which they are the same problem; 1 never merges"},
	{Key: "window", Type: cfgspec.Int, Default: strconv.Itoa(defaultWindow),
		Description: "tickets a problem stays matchable without recurring; bounds memory (100000: about 30 MB)"},
	{Key: "redact", Type: cfgspec.Block,
		Description: "more redaction for this export, added to the source's `redact:` block"},
	{Key: "redact.patterns", Type: cfgspec.List, DefaultDoc: "none",
		Description: "detectors of your own, each `{kind, regexp}`; matches become `<kind>`"},
	{Key: "redact.patterns[].kind", Type: cfgspec.String, Required: true,
		Description: "names the data and its placeholder: lower-case letters, digits, _", Example: "customer_no"},
	{Key: "redact.patterns[].regexp", Type: cfgspec.String, Required: true,
		Description: "the expression to find (RE2 syntax; `(?i)` for any case)", Example: `'\bKD-\d{6}\b'`},
	{Key: "redact.disable", Type: cfgspec.Strings, DefaultDoc: "none",
		Description: "built-in kinds not to look for"},
	{Key: "redact.allow", Type: cfgspec.Strings, DefaultDoc: "none",
		Description: "values that stay: an address, a domain (`@vendor.example`) or a phone number (compared by digits)"},
	{Key: "max_record_bytes", Type: cfgspec.Int, Default: strconv.Itoa(defaultMaxRecordBytes), DefaultDoc: "16 MiB",
		Description: "the largest record (CSV row, JSON line) read; larger ones are reported and skipped"},
}
