// Package embedtest is a loopback embedding service for tests: it speaks
// the OpenAI embeddings protocol (POST /v1/embeddings) and Ollama's
// (POST /api/embed) with a small deterministic embedder written for the
// tests — hashed character trigrams of the lowercased words, seeded by the
// model name, L2-normalised. It checks kbops's side of the protocol
// (requests, batching, keys, errors, vectors stored and sent back to
// Weaviate), not retrieval quality: its vectors know spelling, not
// meaning, and say nothing about how a real model ranks.
package embedtest

import (
	"encoding/json"
	"hash/fnv"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"unicode"
)

// Server is a running stand-in. Its fields may be set before the first
// request and read at any time through the methods.
type Server struct {
	*httptest.Server
	// Dim is the vector length (64 when 0).
	Dim int
	// Key, when set, must be sent as the bearer token.
	Key string
	// Reject makes the server refuse (HTTP 400) a request holding an
	// input that contains it, as a service refuses an input over its
	// context length.
	Reject string
	// Reversed lists the answer's data last to first, each with its
	// index: the protocol allows it, and clients must order by index.
	Reversed bool

	mu       sync.Mutex
	requests int
	inputs   int
	models   map[string]int
	down     bool
}

// Start starts a stand-in on a free loopback port; stop it with Close.
func Start() *Server {
	s := &Server{models: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/embeddings", func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, false) })
	mux.HandleFunc("POST /api/embed", func(w http.ResponseWriter, r *http.Request) { s.serve(w, r, true) })
	s.Server = httptest.NewServer(mux)
	return s
}

// OpenAIBase is the API base an OpenAI-compatible client is given.
func (s *Server) OpenAIBase() string { return s.URL + "/v1" }

// SetDown makes every request fail with 503 (true) or be served again.
func (s *Server) SetDown(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }

// Requests returns the number of requests received (refused ones too)
// and of inputs embedded.
func (s *Server) Requests() (requests, inputs int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests, s.inputs
}

// Inputs returns how many inputs were embedded with model.
func (s *Server) Inputs(model string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.models[model]
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, ollama bool) {
	s.mu.Lock()
	down := s.down
	s.requests++
	s.mu.Unlock()
	if down {
		http.Error(w, `{"error":"overloaded"}`, http.StatusServiceUnavailable)
		return
	}
	if s.Key != "" && r.Header.Get("Authorization") != "Bearer "+s.Key {
		http.Error(w, `{"error":{"message":"Incorrect API key provided"}}`, http.StatusUnauthorized)
		return
	}
	var req struct {
		Model      string          `json:"model"`
		Input      json.RawMessage `json:"input"`
		Dimensions int             `json:"dimensions"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Model == "" {
		http.Error(w, `{"error":"a JSON body with model and input is required"}`, http.StatusBadRequest)
		return
	}
	var inputs []string
	if err := json.Unmarshal(req.Input, &inputs); err != nil {
		var one string
		if err := json.Unmarshal(req.Input, &one); err != nil {
			http.Error(w, `{"error":"input is a string or an array of strings"}`, http.StatusBadRequest)
			return
		}
		inputs = []string{one}
	}
	for _, in := range inputs {
		if in == "" {
			http.Error(w, `{"error":"input must not be empty"}`, http.StatusBadRequest)
			return
		}
		if s.Reject != "" && strings.Contains(in, s.Reject) {
			http.Error(w, `{"error":"input too long for the model's context"}`, http.StatusBadRequest)
			return
		}
	}
	dim := s.Dim
	if dim <= 0 {
		dim = 64
	}
	if req.Dimensions > 0 && !ollama {
		dim = req.Dimensions
	}
	vecs := make([][]float32, len(inputs))
	for i, in := range inputs {
		vecs[i] = Vector(req.Model, in, dim)
	}
	s.mu.Lock()
	s.inputs += len(inputs)
	s.models[req.Model] += len(inputs)
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if ollama {
		_ = json.NewEncoder(w).Encode(map[string]any{"model": req.Model, "embeddings": vecs})
		return
	}
	data := make([]map[string]any, len(vecs))
	tokens := 0
	for i := range vecs {
		j := i
		if s.Reversed {
			j = len(vecs) - 1 - i
		}
		data[i] = map[string]any{"object": "embedding", "index": j, "embedding": vecs[j]}
		tokens += len(strings.Fields(inputs[i]))
	}
	// OpenAI's rate-limit headers and usage: clients such as Weaviate's
	// text2vec-openai module read them.
	h := w.Header()
	h.Set("x-ratelimit-limit-requests", "10000")
	h.Set("x-ratelimit-remaining-requests", "9999")
	h.Set("x-ratelimit-reset-requests", "6ms")
	h.Set("x-ratelimit-limit-tokens", "10000000")
	h.Set("x-ratelimit-remaining-tokens", "9990000")
	h.Set("x-ratelimit-reset-tokens", "0s")
	_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "model": req.Model, "data": data,
		"usage": map[string]int{"prompt_tokens": tokens, "total_tokens": tokens}})
}

// Vector is the stand-in's embedding of text with model: the counts of
// the character trigrams of its lowercased words (with word boundaries)
// hashed into dim buckets, the model name in the hash, L2-normalised.
// Texts sharing spellings get close vectors, so a misspelt query finds
// its unit; nothing about meaning is in it.
func Vector(model, text string, dim int) []float32 {
	v := make([]float64, dim)
	for _, w := range strings.FieldsFunc(strings.ToLower(text), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) }) {
		rs := []rune(" " + w + " ")
		for i := 0; i+3 <= len(rs); i++ {
			h := fnv.New32a()
			h.Write([]byte(model))
			h.Write([]byte{0})
			h.Write([]byte(string(rs[i : i+3])))
			x := h.Sum32()
			sign := 1.0
			if x&1 == 1 {
				sign = -1
			}
			v[int(x>>1)%dim] += sign
		}
	}
	var n float64
	for _, x := range v {
		n += x * x
	}
	out := make([]float32, dim)
	if n == 0 {
		out[0] = 1
		return out
	}
	n = math.Sqrt(n)
	for i, x := range v {
		out[i] = float32(x / n)
	}
	return out
}
