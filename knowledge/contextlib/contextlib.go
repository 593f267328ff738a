package contextlib

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/kbops/kbops/knowledge"
)

// File is the library's path in the knowledge repository.
const File = "context.yaml"

// Market is one market of the library.
type Market struct {
	Name        string   `yaml:"name,omitempty"`
	Regulations []string `yaml:"regulations,omitempty"`
	// Units is the system of units answers use there: metric or imperial.
	Units string `yaml:"units,omitempty"`
	// Supply is the mains supply, for people ("120 V 60 Hz").
	Supply string `yaml:"supply,omitempty"`
	// Adaptation is "required" when every core unit that applies to the
	// market needs a context unit adapting it there; "" or "optional"
	// otherwise.
	Adaptation string `yaml:"adaptation,omitempty"`
}

// Library is the content of context.yaml.
type Library struct {
	Markets    map[string]Market `yaml:"markets"`
	Industries []string          `yaml:"industries"`
	Audiences  []string          `yaml:"audiences"`
}

// Parse reads and validates a library; name is used in errors, which give
// the line where YAML knows it.
func Parse(name string, b []byte) (*Library, error) {
	var l Library
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(&l); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	for id, m := range l.Markets {
		if strings.TrimSpace(id) == "" || strings.ContainsAny(id, " ,") {
			return nil, fmt.Errorf("%s: markets: %q is not a market id (one word, e.g. US, EU, MX)", name, id)
		}
		if m.Units != "" && m.Units != "metric" && m.Units != "imperial" {
			return nil, fmt.Errorf("%s: markets.%s.units: %q is not metric or imperial", name, id, m.Units)
		}
		if m.Adaptation != "" && m.Adaptation != "required" && m.Adaptation != "optional" {
			return nil, fmt.Errorf("%s: markets.%s.adaptation: %q is not required or optional", name, id, m.Adaptation)
		}
	}
	for field, ids := range map[string][]string{"industries": l.Industries, "audiences": l.Audiences} {
		seen := map[string]bool{}
		for _, id := range ids {
			if strings.TrimSpace(id) == "" || seen[id] {
				return nil, fmt.Errorf("%s: %s: %q is empty or listed twice", name, field, id)
			}
			seen[id] = true
		}
	}
	return &l, nil
}

// Check returns what in u's context fields the library does not know, as
// one-line findings ("market \"BR\" is not in context.yaml").
func (l *Library) Check(u *knowledge.Unit) []string {
	var out []string
	for _, m := range u.Markets {
		if _, ok := l.Markets[m]; !ok {
			out = append(out, fmt.Sprintf("market %q is not in %s", m, File))
		}
	}
	for _, x := range u.Industries {
		if !slices.Contains(l.Industries, x) {
			out = append(out, fmt.Sprintf("industry %q is not in %s", x, File))
		}
	}
	for _, x := range u.Audiences {
		if !slices.Contains(l.Audiences, x) {
			out = append(out, fmt.Sprintf("audience %q is not in %s", x, File))
		}
	}
	return out
}

// Coverage is how well one market that requires adaptations is covered.
type Coverage struct {
	Market string `json:"market"`
	// Core counts the active core units that apply to the market (they
	// name it, or no market at all); Adapted those with an active context
	// unit adapting them for it.
	Core    int `json:"core_units"`
	Adapted int `json:"adapted"`
	// Missing are the ids of the core units without one, sorted.
	Missing []string `json:"missing,omitempty"`
}

// Coverage returns, for each market whose adaptation is required, the
// core units that apply there and which of them lack an adaptation, in
// market order.
func (l *Library) Coverage(units []*knowledge.Unit) []Coverage {
	adapted := map[string]map[string]bool{} // market → adapted unit ids
	for _, u := range units {
		if u.Status != knowledge.StatusActive || u.Adapts == "" {
			continue
		}
		for _, m := range u.Markets {
			if adapted[m] == nil {
				adapted[m] = map[string]bool{}
			}
			adapted[m][u.Adapts] = true
		}
	}
	var markets []string
	for id, m := range l.Markets {
		if m.Adaptation == "required" {
			markets = append(markets, id)
		}
	}
	sort.Strings(markets)
	var out []Coverage
	for _, m := range markets {
		c := Coverage{Market: m}
		for _, u := range units {
			if u.Status != knowledge.StatusActive || u.Layer != knowledge.LayerCore || u.Adapts != "" {
				continue
			}
			if len(u.Markets) > 0 && !slices.Contains(u.Markets, m) {
				continue
			}
			c.Core++
			if adapted[m][u.ID] {
				c.Adapted++
			} else {
				c.Missing = append(c.Missing, u.ID)
			}
		}
		sort.Strings(c.Missing)
		out = append(out, c)
	}
	return out
}
