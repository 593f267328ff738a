package publish_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/alias"
	"github.com/weaviate/weaviate-go-client/v5/weaviate/graphql"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/kbops/kbops/pipeline/publish"
)

// LlamaIndex.TS reads every hit through a _node_content record and fails
// without one. Publishing into a collection made before the property
// existed adds it as the schema says: unsearchable, so that the JSON never
// matches the keyword query LlamaIndex sends to every searchable property
// (Weaviate's auto-schema would have made it searchable).
func TestNodeContentForLlamaIndex(t *testing.T) {
	ctx := context.Background()
	tg := target(t)
	old := tg.Class("KnowledgeUnit_20250101000000")
	var props []*models.Property
	for _, p := range old.Properties {
		if p.Name != publish.PropNodeContent {
			props = append(props, p)
		}
	}
	old.Properties = props
	if err := tg.Client.Schema().ClassCreator().WithClass(old).Do(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tg.Client.Alias().AliasCreator().WithAlias(&alias.Alias{Alias: tg.Alias, Class: old.Class}).Do(ctx); err != nil {
		t.Fatal(err)
	}
	pub(t, tg, corpus(10), publish.Options{})

	class, err := tg.Client.Schema().ClassGetter().WithClassName(old.Class).Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got *models.Property
	for _, p := range class.Properties {
		if p.Name == publish.PropNodeContent {
			got = p
		}
	}
	if got == nil || got.IndexSearchable == nil || *got.IndexSearchable || got.DataType[0] != "text" {
		t.Fatalf("%s in the schema after publishing: %+v", publish.PropNodeContent, got)
	}
	objs, err := tg.Client.Data().ObjectsGetter().WithClassName(old.Class).WithID(publish.ObjectID("m/en/doc7/section")).Do(ctx)
	if err != nil || len(objs) != 1 {
		t.Fatalf("object of m/en/doc7/section: %v %v", objs, err)
	}
	var node struct {
		ID string `json:"id_"`
	}
	raw, _ := objs[0].Properties.(map[string]any)[publish.PropNodeContent].(string)
	if err := json.Unmarshal([]byte(raw), &node); err != nil || node.ID != "m/en/doc7/section" {
		t.Fatalf("%s = %q: %v", publish.PropNodeContent, raw, err)
	}
	// "doc7" is in the unit id, so in the record, and nowhere else.
	resp, err := tg.Client.GraphQL().Get().WithClassName(old.Class).
		WithFields(graphql.Field{Name: publish.PropUnitID}).
		WithBM25((&graphql.BM25ArgumentBuilder{}).WithQuery("doc7")).Do(ctx)
	if err != nil || len(resp.Errors) > 0 {
		t.Fatalf("BM25 over every property: %v %v", err, resp.Errors)
	}
	if rows := resp.Data["Get"].(map[string]any)[old.Class].([]any); len(rows) != 0 {
		t.Errorf("a word of the node record matched a keyword query: %v", rows)
	}
}
