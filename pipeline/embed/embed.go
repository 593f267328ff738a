package embed

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Protocols an embedding service may speak.
const (
	// OpenAI is POST <url>/embeddings with {"model", "input": [...]},
	// answered by {"data": [{"index", "embedding"}]}; url is the API base
	// such as https://api.openai.com/v1.
	OpenAI = "openai"
	// Ollama is POST <url>/api/embed with {"model", "input": [...]},
	// answered by {"embeddings": [[...]]}; url is the server such as
	// http://localhost:11434.
	Ollama = "ollama"
)

// Protocols lists the protocols Client speaks.
var Protocols = []string{OpenAI, Ollama}

// DefaultBatchSize is the number of inputs per request when
// Client.BatchSize is 0.
const DefaultBatchSize = 64

// Client calls one embedding service with one model. The zero value is
// not usable: URL, Protocol and Model are required.
type Client struct {
	URL      string
	Protocol string
	Model    string
	// Dimensions, when > 0, is sent to OpenAI-compatible services (the
	// "dimensions" parameter of models that can shorten their vectors)
	// and checked on every answer.
	Dimensions int
	// BatchSize is the number of inputs per request (DefaultBatchSize
	// when 0).
	BatchSize int
	// APIKey is sent as a bearer token when set.
	APIKey string
	// HTTP is the client requests go through; nil uses one with a
	// 2-minute timeout.
	HTTP *http.Client
	// Attempts is how many times a request is tried (4 when 0); the
	// waits between them double from half a second.
	Attempts int
}

// Error is an answer of the service that is not a usable embedding.
type Error struct {
	URL, Model string
	// Status is the HTTP status; 0 when the service could not be
	// reached (Unreachable) or its answer was malformed.
	Status      int
	Unreachable bool
	Msg         string
}

func (e *Error) Error() string {
	where := fmt.Sprintf("embeddings at %s (model %q)", e.URL, e.Model)
	if e.Status != 0 {
		return fmt.Sprintf("%s: HTTP %d: %s", where, e.Status, e.Msg)
	}
	return where + ": " + e.Msg
}

// Permanent reports whether trying the same request again cannot help:
// the service refused it (4xx other than 408 and 429) or answered it
// with something that is not an embedding of every input.
func (e *Error) Permanent() bool {
	if e.Status == 0 {
		return !e.Unreachable
	}
	return e.Status >= 400 && e.Status < 500 && e.Status != http.StatusTooManyRequests && e.Status != http.StatusRequestTimeout
}

// Permanent reports whether err is an embedding error that retrying the
// same inputs cannot fix (see Error.Permanent).
func Permanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent()
}

// Name is the model, as recorded on the collections it embeds.
func (c *Client) Name() string { return c.Model }

// Embed returns one vector per text, in order, sending BatchSize texts
// per request. Empty texts are sent as a single space: services refuse
// empty input.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	size := c.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += size {
		batch := texts[start:min(start+size, len(texts))]
		vecs, err := c.batch(ctx, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, vecs...)
	}
	return out, nil
}

func (c *Client) batch(ctx context.Context, texts []string) ([][]float32, error) {
	in := make([]string, len(texts))
	for i, t := range texts {
		if strings.TrimSpace(t) == "" {
			t = " "
		}
		in[i] = t
	}
	req := map[string]any{"model": c.Model, "input": in}
	endpoint := strings.TrimRight(c.URL, "/")
	switch c.Protocol {
	case OpenAI:
		endpoint += "/embeddings"
		req["encoding_format"] = "float"
		if c.Dimensions > 0 {
			req["dimensions"] = c.Dimensions
		}
	case Ollama:
		endpoint += "/api/embed"
	default:
		return nil, fmt.Errorf("embeddings protocol %q: use one of %s", c.Protocol, strings.Join(Protocols, ", "))
	}
	body, err := json.Marshal(req)
	if err != nil {
		return nil, err
	}
	attempts := c.Attempts
	if attempts <= 0 {
		attempts = 4
	}
	delay := 500 * time.Millisecond
	for i := 0; ; i++ {
		vecs, err := c.post(ctx, endpoint, body, len(in))
		if err == nil || Permanent(err) || i == attempts-1 {
			return vecs, err
		}
		select {
		case <-ctx.Done():
			return nil, errors.Join(err, ctx.Err())
		case <-time.After(delay):
		}
		delay *= 2
	}
}

func (c *Client) post(ctx context.Context, endpoint string, body []byte, n int) ([][]float32, error) {
	fail := func(status int, format string, a ...any) error {
		return &Error{URL: endpoint, Model: c.Model, Status: status, Msg: fmt.Sprintf(format, a...)}
	}
	unreachable := func(err error) error {
		return &Error{URL: endpoint, Model: c.Model, Unreachable: true, Msg: fmt.Sprintf("unreachable: %v", err)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("embeddings url %q: %w", c.URL, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if c.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.APIKey)
	}
	hc := c.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 2 * time.Minute}
	}
	resp, err := hc.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, unreachable(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, unreachable(fmt.Errorf("reading the answer: %w", err))
	}
	if resp.StatusCode != http.StatusOK {
		msg := strings.TrimSpace(string(raw))
		if len(msg) > 300 {
			msg = msg[:300] + "…"
		}
		switch resp.StatusCode {
		case http.StatusUnauthorized, http.StatusForbidden:
			msg += "; check the key in $" + EnvAPIKey
		case http.StatusNotFound:
			msg += "; check weaviate.embeddings.url (the API base, such as https://api.openai.com/v1 or http://localhost:11434) and the model name"
		}
		return nil, fail(resp.StatusCode, "%s", msg)
	}
	var vecs [][]float32
	switch c.Protocol {
	case OpenAI:
		var a struct {
			Data []struct {
				Index     int       `json:"index"`
				Embedding []float32 `json:"embedding"`
			} `json:"data"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fail(0, "not an embeddings answer: %v", err)
		}
		sort.SliceStable(a.Data, func(i, j int) bool { return a.Data[i].Index < a.Data[j].Index })
		for i, d := range a.Data {
			if d.Index != i {
				return nil, fail(0, "answer has no embedding for input %d", i)
			}
			vecs = append(vecs, d.Embedding)
		}
	case Ollama:
		var a struct {
			Embeddings [][]float32 `json:"embeddings"`
		}
		if err := json.Unmarshal(raw, &a); err != nil {
			return nil, fail(0, "not an embeddings answer: %v", err)
		}
		vecs = a.Embeddings
	}
	if len(vecs) != n {
		return nil, fail(0, "%d embeddings for %d inputs", len(vecs), n)
	}
	for i, v := range vecs {
		if len(v) == 0 {
			return nil, fail(0, "empty embedding for input %d", i)
		}
		want := len(vecs[0])
		if c.Dimensions > 0 {
			want = c.Dimensions
		}
		if len(v) != want {
			return nil, fail(0, "embedding %d has %d dimensions, expected %d", i, len(v), want)
		}
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fail(0, "embedding %d holds %v", i, x)
			}
		}
	}
	return vecs, nil
}

// EnvAPIKey is the environment variable holding the embedding service's
// API key; keys are never read from kbops.yaml.
const EnvAPIKey = "KBOPS_EMBEDDINGS_API_KEY"
