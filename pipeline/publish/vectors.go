package publish

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strconv"
	"strings"

	"github.com/weaviate/weaviate/entities/models"

	"github.com/kbops/kbops/pipeline/embed"
)

// Embedder computes the vectors kbops stores with each object
// (weaviate.embeddings); *embed.Client is one. Embed returns one vector
// per text, in order, all of one length.
type Embedder interface {
	// Name is the model, recorded on every collection it embeds.
	Name() string
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// VectorName is the named vector kbops writes when it computes vectors
// itself (Target.Embedder).
const VectorName = "text"

// modelMarker starts the line of a collection's description that records
// the model of its VectorName vectors: a collection embedded with one
// model cannot take vectors of another, and search must embed the
// question with the same one.
const modelMarker = "kbops embeddings model: "

// maxEmbedRunes bounds the text embedded per object: a unit is a section,
// and a longer one would exceed the context of common embedding models
// (8,192 tokens) and be refused whole.
const maxEmbedRunes = 8000

// vectorsOf says what vectors a collection holds: Model is the model of
// kbops's named vector ("" without one), Module a vectorizer module the
// server runs ("" or "none" without one).
type vectorsInfo struct{ Model, Module string }

func (v vectorsInfo) has() bool { return v.Model != "" || v.Module != "" && v.Module != "none" }

func vectorsOf(c *models.Class) vectorsInfo {
	v := vectorsInfo{Module: c.Vectorizer}
	if _, ok := c.VectorConfig[VectorName]; ok {
		v.Model = "?" // named vector of unknown model
		for _, line := range strings.Split(c.Description, "\n") {
			if m, ok := strings.CutPrefix(line, modelMarker); ok {
				v.Model = m
			}
		}
	}
	return v
}

// readVectors reads a physical collection's definition and what vectors
// it holds.
func (t *Target) readVectors(ctx context.Context, collection string) (*models.Class, vectorsInfo, error) {
	c, err := t.Client.Schema().ClassGetter().WithClassName(collection).Do(ctx)
	if err != nil {
		if isNotFound(err) {
			return nil, vectorsInfo{}, fmt.Errorf("read the schema of %s: %w: %w", collection, ErrUnknownCollection, err)
		}
		return nil, vectorsInfo{}, fmt.Errorf("read the schema of %s: %w", collection, err)
	}
	return c, vectorsOf(c), nil
}

// checkVectors refuses to write into a collection whose vectors are not
// the ones configured: objects written now would have none, or vectors of
// another model that cannot be compared with the rest, and hybrid search
// would quietly rank them wrong. Only a reindex builds a collection whose
// every object has the configured vectors.
func (t *Target) checkVectors(collection string, v vectorsInfo) error {
	const reindex = "run `kbops reindex` to build a new collection (searches keep using %s until it is done)"
	module := t.Vectorizer
	if module == "none" {
		module = ""
	}
	have := v.Module
	if have == "none" {
		have = ""
	}
	switch {
	case t.Embedder != nil && v.Model == "":
		return fmt.Errorf("collection %s has no vectors of its own, and weaviate.embeddings asks for model %q: vectors are written with every object, so "+reindex, collection, t.Embedder.Name(), collection)
	case t.Embedder != nil && v.Model != t.Embedder.Name():
		return fmt.Errorf("collection %s holds vectors of model %q and weaviate.embeddings.model is %q: vectors of two models cannot be compared; "+reindex+" with every unit embedded by the new model", collection, v.Model, t.Embedder.Name(), collection)
	case t.Embedder == nil && v.Model != "":
		return fmt.Errorf("collection %s holds vectors of model %q and weaviate.embeddings is not set: objects written now would have none, and hybrid search would rank them wrong; set weaviate.embeddings back, or "+reindex+" without vectors", collection, v.Model, collection)
	case module != have:
		return fmt.Errorf("collection %s was created with vectorizer module %q and weaviate.vectorizer.module is %q; "+reindex, collection, orNone(have), orNone(module), collection)
	}
	return nil
}

// embedText is what is embedded of an object: its title and body.
func embedText(props map[string]any) string {
	s := str(props[PropTitle]) + "\n\n" + str(props[PropBody])
	if r := []rune(s); len(r) > maxEmbedRunes {
		s = string(r[:maxEmbedRunes])
	}
	return s
}

// embedObjects gives each object its VectorName vector. When the service
// refuses the batch (an input over the model's context, say), each object
// is embedded alone, so that only those it refuses are left out and named
// in failed; an unreachable service fails the whole batch, and nothing of
// it is written.
func (t *Target) embedObjects(ctx context.Context, objs []*models.Object) (kept []*models.Object, failed []string, err error) {
	texts := make([]string, len(objs))
	for i, o := range objs {
		texts[i] = embedText(o.Properties.(map[string]any))
	}
	vecs, err := t.Embedder.Embed(ctx, texts)
	if err == nil {
		for i, o := range objs {
			o.Vectors = models.Vectors{VectorName: vecs[i]}
		}
		return objs, nil, nil
	}
	if !embed.Permanent(err) {
		return nil, nil, fmt.Errorf("embed %d objects: %w", len(objs), err)
	}
	for i, o := range objs {
		v, err := t.Embedder.Embed(ctx, texts[i:i+1])
		if err != nil {
			if !embed.Permanent(err) {
				return nil, nil, fmt.Errorf("embed %s: %w", str(o.Properties.(map[string]any)[PropUnitID]), err)
			}
			failed = append(failed, fmt.Sprintf("%s (%s): not embedded: %v", str(o.Properties.(map[string]any)[PropUnitID]), o.ID, err))
			continue
		}
		o.Vectors = models.Vectors{VectorName: v[0]}
		kept = append(kept, o)
	}
	return kept, failed, nil
}

// hybridPlan is how searches of a collection with vectors v run: hybrid
// or keyword-only, whether kbops embeds the question, and in words why.
type hybridPlan struct {
	hybrid, embed bool
	mode, warn    string
}

func (t *Target) planFor(v vectorsInfo) hybridPlan {
	switch {
	case v.Model == "" && v.has():
		return hybridPlan{hybrid: true, mode: "hybrid: BM25 fused with the vectors of module " + v.Module}
	case v.Model == "":
		return hybridPlan{mode: "keyword (BM25): the collection holds no vectors"}
	case t.Embedder == nil:
		return hybridPlan{mode: "keyword (BM25): the collection holds vectors of model " + v.Model + " but weaviate.embeddings is not set",
			warn: "keyword search only: the collection holds vectors but weaviate.embeddings is not set"}
	case t.Embedder.Name() != v.Model:
		return hybridPlan{mode: "keyword (BM25): the collection holds vectors of model " + v.Model + ", weaviate.embeddings.model is " + t.Embedder.Name() + "; run `kbops reindex`",
			warn: "keyword search only: the collection was embedded with another model; run `kbops reindex`"}
	}
	return hybridPlan{hybrid: true, embed: true, mode: "hybrid: BM25 fused with the vectors of model " + v.Model + " (weaviate.embeddings)"}
}

// SearchMode says how Search runs on the live collection now: hybrid
// (and with which vectors) or keyword-only, and why.
func (t *Target) SearchMode(ctx context.Context) (string, error) {
	collection, err := t.Resolve(ctx)
	if err != nil || collection == "" {
		return "", err
	}
	_, v, err := t.readVectors(ctx, collection)
	if err != nil {
		return "", err
	}
	return t.planFor(v).mode, nil
}

// searchVectors decides how a search of collection runs: hybrid when,
// and only when, the collection holds vectors (planFor). For a
// module-vectorized collection the server embeds the question; for
// kbops's named vector the configured embedder does, once per distinct
// text of subs (one request), which only works with the model the
// collection was embedded with. Otherwise, or when the embedder fails,
// the search is keyword-only — a question at 3 a.m. gets keyword answers
// rather than none — and the reason is logged.
func (t *Target) searchVectors(ctx context.Context, collection string, subs []subQuery) error {
	_, v, err := t.readVectors(ctx, collection)
	if err != nil {
		return err
	}
	p := t.planFor(v)
	if p.warn != "" {
		slog.Warn(p.warn, "collection", collection, "collection_model", v.Model)
	}
	if !p.hybrid {
		return nil
	}
	if !p.embed {
		for i := range subs {
			subs[i].hybrid = subs[i].text != ""
		}
		return nil
	}
	var texts []string
	at := map[string]int{}
	for _, sq := range subs {
		if _, ok := at[sq.text]; !ok && sq.text != "" {
			at[sq.text] = len(texts)
			texts = append(texts, sq.text)
		}
	}
	if len(texts) == 0 {
		return nil
	}
	vecs, err := t.Embedder.Embed(ctx, texts)
	if err != nil {
		slog.Warn("keyword search only: the question could not be embedded", "collection", collection, "err", err)
		return nil
	}
	for i := range subs {
		if j, ok := at[subs[i].text]; ok {
			subs[i].hybrid, subs[i].vector = true, vecs[j]
		}
	}
	return nil
}

// vectorPart is the share of a hybrid result's score its vector search
// gave, read from Weaviate's explainScore ("Hybrid (Result Set vector,hybridVector)
// Document …: original score …, normalized score: 0.41"); 0 when the
// object was not among the vector results.
func vectorPart(explain string) float64 {
	m := vectorScore.FindStringSubmatch(explain)
	if m == nil {
		return 0
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return f
}

// The second form is rankedFusion's.
var vectorScore = regexp.MustCompile(`Result Set vector[^)]*\) Document \S+(?:: original score \S+, normalized score: | contributed )([-+0-9.eE]+)`)
