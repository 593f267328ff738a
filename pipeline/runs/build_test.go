package runs

import (
	"testing"
	"time"
)

type itemReport struct{ failed []string }

func (r itemReport) Summary() string      { return "did things" }
func (r itemReport) ItemErrors() []string { return r.failed }

// A report describes itself, and its item errors make a finished run one
// that needs attention; without them it is a success.
func TestBuildUsesSummarizerAndItemErrors(t *testing.T) {
	r := Build("publish", time.Now(), itemReport{failed: []string{"object x: refused"}}, nil, Options{})
	if r.Summary != "did things" || r.Outcome != Attention || len(r.Errors) != 1 || r.Errors[0] != "object x: refused" {
		t.Fatalf("%+v", r)
	}
	if r := Build("publish", time.Now(), itemReport{}, nil, Options{}); r.Outcome != Success || len(r.Errors) != 0 {
		t.Fatalf("%+v", r)
	}
}
