package tickets

import (
	"fmt"
	"log/slog"
	"sort"
	"strings"

	"github.com/kbops/kbops/knowledge/text/redact"
	"github.com/kbops/kbops/sources"
)

// Fields maps the logical ticket fields to the export's columns (CSV) or
// keys (JSON; dotted paths reach into objects: "requester.name"). A value
// may list alternatives separated by "|"; the first non-empty one is used.
// Empty means the field is not in the export.
type Fields struct {
	ID      string `yaml:"id,omitempty" json:"id,omitempty"`           // ticket id; derived from the content when absent
	Subject string `yaml:"subject,omitempty" json:"subject,omitempty"` // title of the scenario
	Body    string `yaml:"body,omitempty" json:"body,omitempty"`       // first customer message: the symptom
	Answer  string `yaml:"answer,omitempty" json:"answer,omitempty"`   // final agent answer: the resolution
	// Comments is an array of thread messages (Zendesk "comments",
	// Freshdesk "conversations"); it supplies Body (first message) and
	// Answer (last public agent message) when those are empty.
	Comments     string `yaml:"comments,omitempty" json:"comments,omitempty"`
	Status       string `yaml:"status,omitempty" json:"status,omitempty"`
	Type         string `yaml:"type,omitempty" json:"type,omitempty"`   // incident, problem, question… decides the unit kind
	Queue        string `yaml:"queue,omitempty" json:"queue,omitempty"` // group or queue: the scenario category
	Product      string `yaml:"product,omitempty" json:"product,omitempty"`
	Environment  string `yaml:"environment,omitempty" json:"environment,omitempty"` // versions, platform
	Language     string `yaml:"language,omitempty" json:"language,omitempty"`
	Created      string `yaml:"created,omitempty" json:"created,omitempty"`
	Solved       string `yaml:"solved,omitempty" json:"solved,omitempty"`
	Tags         string `yaml:"tags,omitempty" json:"tags,omitempty"` // a list, a comma-separated value, or columns "tag_*"
	Priority     string `yaml:"priority,omitempty" json:"priority,omitempty"`
	Satisfaction string `yaml:"satisfaction,omitempty" json:"satisfaction,omitempty"`
	RootCause    string `yaml:"root_cause,omitempty" json:"root_cause,omitempty"`
	Prevention   string `yaml:"prevention,omitempty" json:"prevention,omitempty"`
	// RequesterName and RequesterEmail are read only to find the person's
	// name and address in the text; they are never emitted.
	RequesterName  string `yaml:"requester_name,omitempty" json:"requester_name,omitempty"`
	RequesterEmail string `yaml:"requester_email,omitempty" json:"requester_email,omitempty"`
	// RequesterID tells the requester's thread messages from the agents'.
	RequesterID string `yaml:"requester_id,omitempty" json:"requester_id,omitempty"`
}

// merge returns f with the non-empty fields of o laid over it.
func (f Fields) merge(o Fields) Fields {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&f.ID, o.ID)
	set(&f.Subject, o.Subject)
	set(&f.Body, o.Body)
	set(&f.Answer, o.Answer)
	set(&f.Comments, o.Comments)
	set(&f.Status, o.Status)
	set(&f.Type, o.Type)
	set(&f.Queue, o.Queue)
	set(&f.Product, o.Product)
	set(&f.Environment, o.Environment)
	set(&f.Language, o.Language)
	set(&f.Created, o.Created)
	set(&f.Solved, o.Solved)
	set(&f.Tags, o.Tags)
	set(&f.Priority, o.Priority)
	set(&f.Satisfaction, o.Satisfaction)
	set(&f.RootCause, o.RootCause)
	set(&f.Prevention, o.Prevention)
	set(&f.RequesterName, o.RequesterName)
	set(&f.RequesterEmail, o.RequesterEmail)
	set(&f.RequesterID, o.RequesterID)
	return f
}

// Preset is a ready field mapping for one helpdesk's export.
type Preset struct {
	Name   string
	Fields Fields
	// Solved lists the status values (lower case) that mean solved.
	Solved []string
}

var defaultSolved = []string{"solved", "closed", "resolved", "done", "completed", "gelöst", "geschlossen", "erledigt",
	"resuelto", "cerrado", "résolu", "fermé", "resolvido", "fechado", "已解决", "已关闭", "解決済み"}

// Presets are the built-in field mappings, by name.
var Presets = map[string]Preset{
	// Zendesk ticket JSON (API /api/v2/tickets, incremental export, or
	// the account JSON export, which is one ticket per line).
	"zendesk": {Name: "zendesk", Fields: Fields{
		ID: "id", Subject: "subject|raw_subject", Body: "description", Comments: "comments",
		Status: "status", Type: "type", Queue: "group.name|group_name", Product: "product|brand.name",
		Language: "locale|requester.locale", Created: "created_at", Solved: "solved_at|metric_set.solved_at",
		Tags: "tags", Priority: "priority", Satisfaction: "satisfaction_rating.score",
		RequesterName: "requester.name|requester_name", RequesterEmail: "requester.email|requester_email",
		RequesterID: "requester_id",
	}, Solved: []string{"solved", "closed"}},
	// Freshdesk: the CSV export of the ticket list (Tickets > Export) and
	// the API's ticket JSON (status 4 = resolved, 5 = closed).
	"freshdesk": {Name: "freshdesk", Fields: Fields{
		ID: "Ticket ID|id", Subject: "Subject|subject", Body: "Description|description_text|description",
		Answer: "Resolution notes|Resolution|Last agent reply", Comments: "conversations",
		Status: "Status|status", Type: "Type|type", Queue: "Group|group_name", Product: "Product|product_name",
		Language: "Language|language", Created: "Created time|created_at", Solved: "Resolved time|Closed time|stats.resolved_at",
		Tags: "Tags|tags", Priority: "Priority|priority", Satisfaction: "Survey results|Satisfaction",
		RequesterName: "Full name|Requester name|Contact name|requester.name", RequesterEmail: "Email|Requester email|requester.email",
		RequesterID: "requester_id",
		// Freshdesk has no built-in root-cause field; helpdesks that add
		// one get a CSV column named by its label and an API key cf_….
		RootCause:  "Root cause|Root cause analysis|custom_fields.cf_root_cause|cf_root_cause",
		Prevention: "Prevention|Preventive action|custom_fields.cf_prevention|cf_prevention",
	}, Solved: []string{"resolved", "closed", "4", "5"}},
	// The multilingual customer-support ticket dataset (Tobias Bueck):
	// subject, body, answer, type, queue, priority, language, tag_1…; no
	// id and no status, so ids come from the content and a row with an
	// answer counts as solved.
	"tobi-bueck": {Name: "tobi-bueck", Fields: Fields{
		Subject: "subject", Body: "body", Answer: "answer", Type: "type", Queue: "queue",
		Priority: "priority", Language: "language", Tags: "tag_*",
	}},
}

// PresetNames lists the presets, sorted.
func PresetNames() []string {
	var n []string
	for k := range Presets {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// Options configure the extractor. In kbops.yaml they are a tickets
// source's `extract:`; the zero value reads any known preset.
type Options struct {
	// Preset names a built-in mapping (zendesk, freshdesk, tobi-bueck);
	// empty detects it from the header or the first record.
	Preset string `yaml:"preset,omitempty" json:"preset,omitempty"`
	// Fields override the preset's mapping field by field.
	Fields Fields `yaml:"fields,omitempty" json:"fields,omitempty"`
	// SolvedStatuses are the status values that mean solved (case does
	// not matter); default the preset's, else solved, closed, resolved and
	// their common translations. Without a status field, a ticket with an
	// answer is solved.
	SolvedStatuses []string `yaml:"solved_statuses,omitempty" json:"solved_statuses,omitempty"`
	// IncludeUnsolved also makes knowledge of unsolved tickets;
	// IncludeUnanswered of tickets without an answer. Both default false:
	// a scenario without a fix is not knowledge.
	IncludeUnsolved   bool `yaml:"include_unsolved,omitempty" json:"include_unsolved,omitempty"`
	IncludeUnanswered bool `yaml:"include_unanswered,omitempty" json:"include_unanswered,omitempty"`
	// Delimiter of CSV files (",", ";", "\t" or "|"); empty sniffs it.
	Delimiter string `yaml:"delimiter,omitempty" json:"delimiter,omitempty"`
	// Encoding of CSV files (a WHATWG name: windows-1252, iso-8859-15,
	// shift_jis, gbk, big5, euc-kr, utf-16le…); empty means UTF-8 or what
	// a byte-order mark says, falling back to windows-1252 for text that
	// is not UTF-8.
	Encoding string `yaml:"encoding,omitempty" json:"encoding,omitempty"`
	// Similarity is the estimated Jaccard similarity (0..1) of two
	// tickets' subject and first message above which they are the same
	// problem; default 0.6. 1 disables merging.
	Similarity float64 `yaml:"similarity,omitempty" json:"similarity,omitempty"`
	// Window bounds matching memory: a problem not seen in the last
	// Window tickets is no longer matched (a later report starts a new
	// scenario); default 100000, about 30 MB.
	Window int `yaml:"window,omitempty" json:"window,omitempty"`
	// Redact adds patterns and disables detectors of personal data.
	Redact redact.Config `yaml:"redact,omitempty" json:"redact,omitempty"`
	// MaxRecordBytes is the largest record (CSV row, JSON line) read;
	// larger ones are reported and skipped. Default 16 MiB.
	MaxRecordBytes int `yaml:"max_record_bytes,omitempty" json:"max_record_bytes,omitempty"`

	// MaxSize refuses exports larger than this many bytes; 0, the
	// default, reads any size: exports are streamed, and the document
	// time budget bounds how long one may take.
	MaxSize int64 `yaml:"-" json:"-"`
	// Progress, if set, is called now and then while reading.
	Progress func(Progress) `yaml:"-" json:"-"`
	// OnReport, if set, receives the report of each extracted document.
	OnReport func(Report) `yaml:"-" json:"-"`
	// Logger receives the per-document summary; default slog.Default().
	Logger *slog.Logger `yaml:"-" json:"-"`
	// TempDir holds the scenario spill file; default os.TempDir().
	TempDir string `yaml:"-" json:"-"`
}

// Progress is how far the reading of one export is.
type Progress struct {
	Key        string
	Rows       int64
	Bytes      int64 // bytes read so far
	TotalBytes int64 // -1 when unknown
}

// OptionsFromSpec decodes a tickets source's options and checks them.
func OptionsFromSpec(spec sources.Spec) (Options, error) {
	var o Options
	if err := spec.DecodeExtract(&o); err != nil {
		return o, err
	}
	// The source's redact block adds to extract.redact: both are read.
	o.Redact.Patterns = append(o.Redact.Patterns, spec.Redact.Patterns...)
	o.Redact.Disable = append(o.Redact.Disable, spec.Redact.Disable...)
	o.Redact.Allow = append(o.Redact.Allow, spec.Redact.Allow...)
	if err := o.validate(); err != nil {
		return o, fmt.Errorf("source %q extract: %w", spec.Name, err)
	}
	return o, nil
}

func (o Options) validate() error {
	if o.Preset != "" {
		if _, ok := Presets[o.Preset]; !ok {
			return sources.FieldErrorf("preset", "%q is not one of %s", o.Preset, strings.Join(PresetNames(), ", "))
		}
	}
	switch o.Delimiter {
	case "", ",", ";", "\t", "|", `\t`, "tab":
	default:
		return sources.FieldErrorf("delimiter", "%q is not one of , ; \\t |", o.Delimiter)
	}
	if o.Encoding != "" {
		if _, err := lookupEncoding(o.Encoding); err != nil {
			return sources.FieldErrorf("encoding", "%w", err)
		}
	}
	if o.Similarity < 0 || o.Similarity > 1 {
		return sources.FieldErrorf("similarity", "%v is not between 0 and 1", o.Similarity)
	}
	if o.Window < 0 {
		return sources.FieldErrorf("window", "%d is negative", o.Window)
	}
	if _, err := redact.New(o.Redact); err != nil {
		return sources.FieldErrorf("redact", "%w", err)
	}
	return nil
}

func (o Options) withDefaults() Options {
	if o.Similarity == 0 {
		o.Similarity = defaultSimilarity
	}
	if o.Window == 0 {
		o.Window = defaultWindow
	}
	if o.MaxRecordBytes == 0 {
		o.MaxRecordBytes = defaultMaxRecordBytes
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}
