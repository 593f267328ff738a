package embed_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/kbops/kbops/pipeline/embed"
	"github.com/kbops/kbops/pipeline/embed/embedtest"
)

// The stand-in (embedtest) checks the protocol, not retrieval quality.

func TestBothProtocolsEmbedInOrderInBatches(t *testing.T) {
	s := embedtest.Start()
	defer s.Close()
	s.Reversed = true
	texts := []string{"Ramp time", "Akku laden", "接地排", "", "torque", "Drehmoment", "x"}
	for _, c := range []*embed.Client{
		{URL: s.OpenAIBase(), Protocol: embed.OpenAI, Model: "m1", BatchSize: 3},
		{URL: s.URL, Protocol: embed.Ollama, Model: "m1", BatchSize: 3},
	} {
		before, _ := s.Requests()
		vecs, err := c.Embed(context.Background(), texts)
		if err != nil {
			t.Fatalf("%s: %v", c.Protocol, err)
		}
		after, _ := s.Requests()
		if after-before != 3 {
			t.Errorf("%s: %d requests for 7 inputs in batches of 3, want 3", c.Protocol, after-before)
		}
		for i, text := range texts {
			if text == "" {
				text = " "
			}
			if !slices.Equal(vecs[i], embedtest.Vector("m1", text, 64)) {
				t.Errorf("%s: vector %d is not the embedding of %q", c.Protocol, i, text)
			}
		}
	}
}

func TestDimensionsAreSentAndChecked(t *testing.T) {
	s := embedtest.Start()
	defer s.Close()
	c := &embed.Client{URL: s.OpenAIBase(), Protocol: embed.OpenAI, Model: "m", Dimensions: 16}
	vecs, err := c.Embed(context.Background(), []string{"a b"})
	if err != nil || len(vecs[0]) != 16 {
		t.Fatalf("got %d dimensions, %v", len(vecs), err)
	}
	// Ollama has no dimensions parameter: a model answering 64 is refused.
	o := &embed.Client{URL: s.URL, Protocol: embed.Ollama, Model: "m", Dimensions: 16}
	if _, err := o.Embed(context.Background(), []string{"a b"}); err == nil || !strings.Contains(err.Error(), "64 dimensions, expected 16") {
		t.Errorf("a wrong length passed: %v", err)
	}
}

func TestErrorsNameTheServiceAndSayWhatToDo(t *testing.T) {
	s := embedtest.Start()
	defer s.Close()
	s.Key = "k-123"
	c := &embed.Client{URL: s.OpenAIBase(), Protocol: embed.OpenAI, Model: "m", Attempts: 2}
	_, err := c.Embed(context.Background(), []string{"a"})
	if err == nil || !embed.Permanent(err) || !strings.Contains(err.Error(), "HTTP 401") ||
		!strings.Contains(err.Error(), embed.EnvAPIKey) || !strings.Contains(err.Error(), s.OpenAIBase()) {
		t.Errorf("no key: %v", err)
	}
	c.APIKey = "k-123"
	s.Reject = "TOO LONG"
	_, err = c.Embed(context.Background(), []string{"fine", "this is TOO LONG"})
	if err == nil || !embed.Permanent(err) || !strings.Contains(err.Error(), "HTTP 400") {
		t.Errorf("a refused input: %v", err)
	}
	s.SetDown(true)
	_, err = c.Embed(context.Background(), []string{"fine"})
	if err == nil || embed.Permanent(err) || !strings.Contains(err.Error(), "HTTP 503") {
		t.Errorf("an overloaded service: %v (a later try may work: not permanent)", err)
	}
	s.Close()
	_, err = c.Embed(context.Background(), []string{"fine"})
	if err == nil || embed.Permanent(err) || !strings.Contains(err.Error(), "unreachable") {
		t.Errorf("a stopped service: %v", err)
	}
	bad := &embed.Client{URL: s.OpenAIBase(), Protocol: "grpc", Model: "m"}
	if _, err := bad.Embed(context.Background(), []string{"a"}); err == nil || !strings.Contains(err.Error(), "openai, ollama") {
		t.Errorf("unknown protocol: %v", err)
	}
}

func TestMalformedAnswersAreRefused(t *testing.T) {
	for name, body := range map[string]string{
		"fewer vectors": `{"data":[{"index":0,"embedding":[1,0]}]}`,
		"a gap":         `{"data":[{"index":0,"embedding":[1,0]},{"index":2,"embedding":[0,1]}]}`,
		"two lengths":   `{"data":[{"index":0,"embedding":[1,0]},{"index":1,"embedding":[0,1,0]}]}`,
		"empty":         `{"data":[{"index":0,"embedding":[]},{"index":1,"embedding":[]}]}`,
		"not JSON":      `<html>gateway</html>`,
	} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(body)) }))
		c := &embed.Client{URL: srv.URL, Protocol: embed.OpenAI, Model: "m"}
		if _, err := c.Embed(context.Background(), []string{"a", "b"}); err == nil || !embed.Permanent(err) {
			t.Errorf("%s: %v", name, err)
		}
		srv.Close()
	}
}
