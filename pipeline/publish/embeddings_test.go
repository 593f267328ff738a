package publish_test

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embed"
	"github.com/kbops/kbops/pipeline/embed/embedtest"
	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/publish"
)

// These tests run the whole vector path — publish computing vectors by
// calling an embedding service, Weaviate storing them as a named vector,
// search embedding the question and fusing — against embedtest, a
// loopback server speaking the OpenAI and Ollama embeddings protocols
// with a deterministic trigram embedder written for the tests. They check
// the protocol and kbops's handling of it, not retrieval quality: the
// stand-in's vectors know spelling, not meaning.

const testDim = 256

func standIn(t *testing.T) *embedtest.Server {
	t.Helper()
	s := embedtest.Start()
	s.Dim, s.Key = testDim, "test-key"
	t.Cleanup(s.Close)
	return s
}

func embedder(s *embedtest.Server, model string) *embed.Client {
	return &embed.Client{URL: s.OpenAIBase(), Protocol: embed.OpenAI, Model: model, APIKey: "test-key", BatchSize: 3, Attempts: 2}
}

// storedVector returns the named vector of a unit's object.
func storedVector(t *testing.T, tg *publish.Target, unitID string) []float32 {
	t.Helper()
	coll, err := tg.Resolve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	objs, err := tg.Client.Data().ObjectsGetter().WithClassName(coll).WithID(publish.ObjectID(unitID)).WithVector().Do(context.Background())
	if err != nil || len(objs) != 1 {
		t.Fatalf("get %s: %v", unitID, err)
	}
	var out []float32
	switch v := objs[0].Vectors[publish.VectorName].(type) {
	case []float32:
		out = v
	case []any:
		for _, x := range v {
			f, _ := x.(float64)
			out = append(out, float32(f))
		}
	}
	return out
}

func near(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if math.Abs(float64(a[i]-b[i])) > 1e-5 {
			return false
		}
	}
	return true
}

func kinds(h publish.Hit) []string {
	var k []string
	var sum float64
	for _, r := range h.Why {
		k = append(k, r.Kind)
		sum += r.Score
	}
	if math.Abs(sum-h.Score) > 1e-6 {
		k = append(k, "SUM≠SCORE")
	}
	return k
}

func TestEmbeddingsArePublishedAndSearchedAsHybrid(t *testing.T) {
	s := standIn(t)
	tg := target(t)
	tg.Embedder = embedder(s, "mini-a")
	units := mixedCorpus()
	pub(t, tg, units, publish.Options{})

	coll, _ := tg.Resolve(context.Background())
	class, err := tg.Client.Schema().ClassGetter().WithClassName(coll).Do(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := class.VectorConfig[publish.VectorName]; !ok || !strings.Contains(class.Description, "mini-a") {
		t.Errorf("collection: vectors %v, description %q; want the named vector and the model recorded", class.VectorConfig, class.Description)
	}
	for _, u := range units {
		want := embedtest.Vector("mini-a", u.Title+"\n\n"+u.Body, testDim)
		if got := storedVector(t, tg, u.ID); !near(got, want) {
			t.Errorf("%s: stored vector (%d dims) is not the service's embedding of title and body", u.ID, len(got))
		}
	}

	// Misspelt, so no word matches: keyword search finds nothing, the
	// vectors find the unit that has these spellings.
	q := publish.Query{Text: "Neigungsmeser Kartn", Limit: 3}
	hs := searchHits(t, tg, q)
	if len(hs) == 0 || hs[0].UnitID != "lap/de/lieferumfang" {
		t.Fatalf("misspelt query: %v; want lap/de/lieferumfang first", ids(hs))
	}
	if k := kinds(hs[0]); !slices.Equal(k, []string{"vector"}) {
		t.Errorf("why %v; want the vector search alone", k)
	}
	plain := target(t)
	pub(t, plain, units, publish.Options{})
	if hs := searchHits(t, plain, q); len(hs) != 0 {
		t.Errorf("keyword search found %v for a misspelt query; the test proves nothing", ids(hs))
	}
	// A question whose words match gets both halves, and says so.
	hs = searchHits(t, tg, publish.Query{Text: "Akku laden", Limit: 3})
	if len(hs) == 0 || hs[0].UnitID != "lap/de/akku" || !slices.Contains(kinds(hs[0]), "bm25") || !slices.Contains(kinds(hs[0]), "vector") {
		t.Errorf("Akku laden: %v, why %v", ids(hs), kinds(hs[0]))
	}

	// Only what is written is embedded: a no-op publish asks nothing, a
	// changed unit is embedded alone.
	_, before := s.Requests()
	pub(t, tg, units, publish.Options{})
	if _, after := s.Requests(); after != before {
		t.Errorf("a publish with nothing to write embedded %d texts", after-before)
	}
	units[0] = mkUnit(units[0].ID, "en", units[0].Title, units[0].Body+" Never charge it above 45 °C.")
	pub(t, tg, units, publish.Options{})
	if _, after := s.Requests(); after != before+1 {
		t.Errorf("one changed unit: %d texts embedded", after-before)
	}
	if got := storedVector(t, tg, units[0].ID); !near(got, embedtest.Vector("mini-a", units[0].Title+"\n\n"+units[0].Body, testDim)) {
		t.Error("the changed unit kept its old vector")
	}
}

func TestVectorsOfAnotherModelOrNoneTakeAReindex(t *testing.T) {
	s := standIn(t)
	ctx := context.Background()
	units := mixedCorpus()

	// A collection without vectors: publishing with embeddings would
	// leave its objects without; searching it stays keyword search and
	// calls no service.
	tg := target(t)
	pub(t, tg, units, publish.Options{})
	tg.Embedder = embedder(s, "mini-a")
	if _, err := publish.Publish(ctx, tg, units, publish.Options{}); err == nil || !strings.Contains(err.Error(), "has no vectors") || !strings.Contains(err.Error(), "kbops reindex") {
		t.Errorf("publish with embeddings into a collection without vectors: %v", err)
	}
	if hs := searchHits(t, tg, publish.Query{Text: "Akku laden"}); len(hs) == 0 || slices.Contains(kinds(hs[0]), "vector") {
		t.Errorf("search of a collection without vectors: %v", hs)
	}
	if n, _ := s.Requests(); n != 0 {
		t.Errorf("%d requests to the embedding service for a collection without vectors", n)
	}
	// Reindex builds one with vectors.
	if _, err := publish.Reindex(ctx, tg, units, publish.Options{}, 2); err != nil {
		t.Fatal(err)
	}
	if got := storedVector(t, tg, "lap/de/akku"); len(got) != testDim {
		t.Fatalf("after reindex: a vector of %d dims", len(got))
	}

	// Another model: refused until a reindex; searches meanwhile stay
	// keyword-only rather than comparing two models' vectors.
	tg.Embedder = embedder(s, "mini-b")
	_, err := publish.Publish(ctx, tg, units, publish.Options{})
	if err == nil || !strings.Contains(err.Error(), `"mini-a"`) || !strings.Contains(err.Error(), `"mini-b"`) || !strings.Contains(err.Error(), "kbops reindex") {
		t.Errorf("publish after a model change: %v", err)
	}
	if hs := searchHits(t, tg, publish.Query{Text: "Akku laden"}); len(hs) == 0 || slices.Contains(kinds(hs[0]), "vector") {
		t.Errorf("search with another model: why %v", kinds(hs[0]))
	}
	if s.Inputs("mini-b") != 0 {
		t.Errorf("mini-b embedded %d texts before the reindex", s.Inputs("mini-b"))
	}
	if _, err := publish.Reindex(ctx, tg, units, publish.Options{}, 2); err != nil {
		t.Fatal(err)
	}
	if got := storedVector(t, tg, "lap/de/akku"); !near(got, embedtest.Vector("mini-b", units[2].Title+"\n\n"+units[2].Body, testDim)) {
		t.Error("after the reindex the vectors are not mini-b's")
	}
	if hs := searchHits(t, tg, publish.Query{Text: "Akku laden"}); len(hs) == 0 || !slices.Contains(kinds(hs[0]), "vector") {
		t.Errorf("search after the reindex is not hybrid: %v", hs)
	}

	// Embeddings turned off: objects written now would have no vectors.
	tg.Embedder = nil
	if _, err := publish.Publish(ctx, tg, units, publish.Options{}); err == nil || !strings.Contains(err.Error(), "weaviate.embeddings is not set") {
		t.Errorf("publish without embeddings into a collection with vectors: %v", err)
	}
}

func TestAnEmbeddingServiceThatFailsLosesNothing(t *testing.T) {
	s := standIn(t)
	ctx := context.Background()
	tg := target(t)
	tg.Embedder = embedder(s, "mini-a")
	units := mixedCorpus()
	pub(t, tg, units, publish.Options{})

	// Down: the publish fails and says so; what was published stays
	// served, and searches answer by keyword.
	s.SetDown(true)
	changed := slices.Clone(units)
	changed[2] = mkUnit("lap/de/akku", "de", "Akku", "Der Akku hält zehn Stunden.")
	_, err := publish.Publish(ctx, tg, changed, publish.Options{})
	if err == nil || !strings.Contains(err.Error(), "HTTP 503") || !strings.Contains(err.Error(), "publish again") {
		t.Errorf("publish with the service down: %v", err)
	}
	hs := searchHits(t, tg, publish.Query{Text: "Akku laden", Limit: 3})
	if len(hs) == 0 || hs[0].UnitID != "lap/de/akku" || !strings.Contains(hs[0].Snippet, "Laden") {
		t.Errorf("while the service is down: %v", hs)
	}
	s.SetDown(false)
	pub(t, tg, changed, publish.Options{})
	if hs := searchHits(t, tg, publish.Query{Text: "zehn Stunden", Limit: 1}); len(hs) != 1 || hs[0].UnitID != "lap/de/akku" {
		t.Errorf("after the service is back: %v", ids(hs))
	}

	// One input the service refuses is marked; the rest of its batch is
	// written with vectors.
	s.Reject = "REFUSE-ME"
	more := append(slices.Clone(changed),
		mkUnit("lap/en/huge", "en", "Appendix", "A table too long to embed REFUSE-ME."),
		mkUnit("lap/en/care", "en", "Care", "Wipe the housing with a dry cloth."),
		mkUnit("lap/en/storage", "en", "Storage", "Store the inclinometer in its case."))
	_, err = publish.Publish(ctx, tg, more, publish.Options{})
	if err == nil || !strings.Contains(err.Error(), "1 object(s) failed") || !strings.Contains(err.Error(), "lap/en/huge") {
		t.Errorf("a refused input: %v", err)
	}
	for _, id := range []string{"lap/en/care", "lap/en/storage"} {
		if v := storedVector(t, tg, id); len(v) != testDim {
			t.Errorf("%s: written without its vector (%d dims)", id, len(v))
		}
	}
	if got := hits(t, tg, publish.Query{Text: "table too long"}); slices.Contains(got, "lap/en/huge") {
		t.Error("a unit without a vector was published")
	}
	_ = knowledge.StatusActive
}

// A vectorizer module (weaviate.vectorizer.module) instead of kbops's
// vectors: Weaviate's own text2vec-ollama client calls the stand-in, for
// every object and for the question, and search runs hybrid because the
// collection holds the module's vectors. That Weaviate's client and
// kbops's both get vectors from embedtest is also what says the stand-in
// speaks the protocol as clients expect. (text2vec-openai cannot run
// here: it counts tokens with a BPE file it downloads from the internet
// and panics without it.)
func TestVectorizerModuleVectorsAreSearchedHybrid(t *testing.T) {
	s := standIn(t)
	srv := weaviatetest.StartWith(t, embedded.Options{Env: []string{"ENABLE_MODULES=text2vec-ollama"}})
	c, err := publish.Connect(context.Background(), "http://"+srv.Host(), srv.GRPCHost(), "")
	if err != nil {
		t.Fatal(err)
	}
	s.Key = "" // Ollama takes no key
	tg := &publish.Target{Client: c, Alias: "KnowledgeUnit", Vectorizer: "text2vec-ollama",
		ModuleConfig: map[string]any{"apiEndpoint": s.URL, "model": "mini-m", "vectorizeClassName": false}}
	pub(t, tg, mixedCorpus(), publish.Options{})
	if n := s.Inputs("mini-m"); n < len(mixedCorpus()) {
		t.Fatalf("the module embedded %d texts for %d objects", n, len(mixedCorpus()))
	}
	mode, err := tg.SearchMode(context.Background())
	if err != nil || !strings.Contains(mode, "hybrid") || !strings.Contains(mode, "text2vec-ollama") {
		t.Errorf("search mode %q, %v", mode, err)
	}
	before := s.Inputs("mini-m")
	hs := searchHits(t, tg, publish.Query{Text: "Neigungsmeser Kartn", Limit: 3})
	if len(hs) == 0 || hs[0].UnitID != "lap/de/lieferumfang" || !slices.Contains(kinds(hs[0]), "vector") {
		t.Errorf("misspelt query through the module: %v, why %v", ids(hs), kinds(hs[0]))
	}
	if s.Inputs("mini-m") == before {
		t.Error("the question was not embedded by the module")
	}
	// The configuration now asks for kbops's own vectors: refused.
	tg.Vectorizer, tg.ModuleConfig, tg.Embedder = "", nil, embedder(s, "mini-a")
	if _, err := publish.Publish(context.Background(), tg, mixedCorpus(), publish.Options{}); err == nil || !strings.Contains(err.Error(), "kbops reindex") {
		t.Errorf("publish with embeddings into a module-vectorized collection: %v", err)
	}
}
