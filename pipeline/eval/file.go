package eval

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"
)

// File is a query file.
type File struct {
	// Path is where the file was read from, for messages.
	Path string `yaml:"-" json:"-"`
	// Limit is how many hits each search asks for (default and minimum
	// 10, for nDCG@10).
	Limit int `yaml:"limit,omitempty" json:"limit,omitempty"`
	// Thresholds are minimum figures by group name: a pair such as
	// "en→de" or "en→de (no filter)", or one of the summary groups
	// (GroupSame, GroupCross, GroupCrossNoFilter, GroupOverall).
	Thresholds map[string]Metrics `yaml:"thresholds,omitempty" json:"thresholds,omitempty"`
	Queries    []Query            `yaml:"queries" json:"queries,omitempty"`
}

// Query is one question and what answers it.
type Query struct {
	Query string `yaml:"query" json:"query"`
	// Lang is the language the question is written in.
	Lang string `yaml:"lang" json:"lang"`
	// Target is the language filter the question is asked with; empty
	// asks without one.
	Target string `yaml:"target,omitempty" json:"target,omitempty"`
	// Answer is the language of the expected units; it defaults to
	// Target and is required without one.
	Answer string   `yaml:"answer,omitempty" json:"answer,omitempty"`
	Expect []Expect `yaml:"expect" json:"expect"`
	// Line is the query's line in the file (1-based).
	Line int `yaml:"-" json:"line,omitempty"`
}

// Expect names an answering unit: by id, or by the document it came from
// (the source's document name, e.g. the file name) and its heading (the
// unit's title). A heading may match several units of the document; each
// of them answers.
type Expect struct {
	Unit     string `yaml:"unit,omitempty" json:"unit,omitempty"`
	Document string `yaml:"document,omitempty" json:"document,omitempty"`
	Heading  string `yaml:"heading,omitempty" json:"heading,omitempty"`
}

// Metrics are retrieval figures, each between 0 and 1. As thresholds,
// zero sets no minimum.
type Metrics struct {
	Hit1   float64 `yaml:"hit@1,omitempty" json:"hit@1"`
	Hit5   float64 `yaml:"hit@5,omitempty" json:"hit@5"`
	MRR    float64 `yaml:"mrr,omitempty" json:"mrr"`
	NDCG10 float64 `yaml:"ndcg@10,omitempty" json:"ndcg@10"`
}

// Load reads a query file: JSON Lines when the name ends in .jsonl (one
// query per line; a line {"thresholds": {...}} or {"limit": N} sets those),
// YAML otherwise. Errors name the file and line.
func Load(path string) (File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return File{}, fmt.Errorf("query file: %w", err)
	}
	var f File
	if strings.EqualFold(filepath.Ext(path), ".jsonl") {
		f, err = parseJSONL(path, b)
	} else {
		f, err = parseYAML(path, b)
	}
	if err != nil {
		return File{}, err
	}
	f.Path = path
	return f, f.validate()
}

func parseYAML(path string, b []byte) (File, error) {
	var f File
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		if errors.Is(err, io.EOF) {
			return f, fmt.Errorf("%s: empty query file", path)
		}
		return f, fmt.Errorf("%s: %w", path, err)
	}
	// The decoded structs carry no positions: the node tree gives each
	// query its line for messages.
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err == nil && len(doc.Content) == 1 {
		m := doc.Content[0]
		for i := 0; i+1 < len(m.Content); i += 2 {
			if m.Content[i].Value == "queries" {
				for j, item := range m.Content[i+1].Content {
					if j < len(f.Queries) {
						f.Queries[j].Line = item.Line
					}
				}
			}
		}
	}
	return f, nil
}

func parseJSONL(path string, b []byte) (File, error) {
	var f File
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64*1024), 4*1024*1024)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "//") {
			continue
		}
		var probe map[string]json.RawMessage
		if err := json.Unmarshal([]byte(text), &probe); err != nil {
			return f, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		dec := json.NewDecoder(strings.NewReader(text))
		dec.DisallowUnknownFields()
		if _, ok := probe["query"]; !ok {
			var head File
			if err := dec.Decode(&head); err != nil {
				return f, fmt.Errorf("%s:%d: %w", path, line, err)
			}
			if head.Thresholds != nil {
				f.Thresholds = head.Thresholds
			}
			if head.Limit != 0 {
				f.Limit = head.Limit
			}
			continue
		}
		var q Query
		if err := dec.Decode(&q); err != nil {
			return f, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		q.Line = line
		f.Queries = append(f.Queries, q)
	}
	if err := sc.Err(); err != nil {
		return f, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

func (f *File) validate() error {
	if len(f.Queries) == 0 {
		return fmt.Errorf("%s: no queries", f.Path)
	}
	if f.Limit < 10 {
		f.Limit = 10
	}
	groups := map[string]bool{GroupSame: true, GroupCross: true, GroupCrossNoFilter: true, GroupOverall: true}
	for i := range f.Queries {
		q := &f.Queries[i]
		at := fmt.Sprintf("%s:%d", f.Path, q.Line)
		if strings.TrimSpace(q.Query) == "" {
			return fmt.Errorf("%s: query %d has no text", at, i+1)
		}
		if q.Lang == "" {
			return fmt.Errorf("%s: query %q has no lang (the question's language)", at, q.Query)
		}
		if q.Answer == "" {
			q.Answer = q.Target
		}
		if q.Answer == "" {
			return fmt.Errorf("%s: query %q has neither target nor answer (the answer's language)", at, q.Query)
		}
		if len(q.Expect) == 0 {
			return fmt.Errorf("%s: query %q expects nothing", at, q.Query)
		}
		for _, e := range q.Expect {
			if e.Unit == "" && (e.Document == "" || e.Heading == "") {
				return fmt.Errorf("%s: query %q: an expected answer needs unit, or document and heading", at, q.Query)
			}
		}
		groups[q.pair()] = true
	}
	for name, m := range f.Thresholds {
		if !groups[name] {
			return fmt.Errorf("%s: threshold for %q: no such group (a pair of the file such as \"en→de\", or %q, %q, %q, %q)",
				f.Path, name, GroupSame, GroupCross, GroupCrossNoFilter, GroupOverall)
		}
		for _, v := range []float64{m.Hit1, m.Hit5, m.MRR, m.NDCG10} {
			if v < 0 || v > 1 {
				return fmt.Errorf("%s: threshold for %q: %v is not between 0 and 1", f.Path, name, v)
			}
		}
	}
	return nil
}

// pair is the query's language-pair group: question → answer language,
// marked when it is asked without a language filter.
func (q Query) pair() string {
	p := q.Lang + "→" + q.Answer
	if q.Target == "" {
		p += " (no filter)"
	}
	return p
}
