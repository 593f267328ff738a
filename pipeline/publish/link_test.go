package publish_test

import (
	"context"
	"errors"
	"testing"

	"github.com/weaviate/weaviate-go-client/v5/weaviate/alias"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/publish"
)

// A collection made before the link property existed: searching it fails
// asking for a publish, and the next publish adds the property as the
// schema declares it and the links, without a reindex; links changing
// later rewrite only the objects whose link changed.
func TestPublishAddsLinkToAnOlderCollection(t *testing.T) {
	tg := target(t)
	ctx := context.Background()
	old := tg.Class("KnowledgeUnit_20250101000000")
	for i, p := range old.Properties {
		if p.Name == publish.PropLink {
			old.Properties = append(old.Properties[:i], old.Properties[i+1:]...)
			break
		}
	}
	if err := tg.Client.Schema().ClassCreator().WithClass(old).Do(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tg.Client.Alias().AliasCreator().WithAlias(&alias.Alias{Alias: tg.Alias, Class: old.Class}).Do(ctx); err != nil {
		t.Fatal(err)
	}
	us := corpus(2)
	q := publish.Query{Text: "接地", Limit: 5}
	if _, err := publish.Search(ctx, tg, q); !errors.Is(err, publish.ErrUnknownCollection) {
		t.Fatalf("search of a collection without link: %v", err)
	}
	links := func(u *knowledge.Unit) string {
		if u.ID == "m/zh/a/接地" {
			return "https://docs.example.com/zh.pdf#page=3"
		}
		return ""
	}
	if res := pub(t, tg, us, publish.Options{Links: links}); res.Written != len(us) {
		t.Errorf("publish wrote %d objects, want %d", res.Written, len(us))
	}
	hs, err := publish.Search(ctx, tg, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) == 0 || hs[0].UnitID != "m/zh/a/接地" || hs[0].Link != "https://docs.example.com/zh.pdf#page=3" {
		t.Errorf("hits after publish: %+v", hs)
	}
	links2 := func(u *knowledge.Unit) string {
		if u.ID == "m/es/a/tierra" {
			return "https://docs.example.com/es.html#tierra"
		}
		return links(u)
	}
	if res := pub(t, tg, us, publish.Options{Links: links2}); res.Written != 1 {
		t.Errorf("one link changed: %d objects written, want 1", res.Written)
	}
	// Added as the schema declares it, not guessed by Weaviate's
	// auto-schema (which clusters often turn off, and which would make it
	// a word-tokenized, searchable text).
	c, err := tg.Client.Schema().ClassGetter().WithClassName(old.Class).Do(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range c.Properties {
		if p.Name == publish.PropLink && (p.Tokenization != "field" || p.IndexSearchable == nil || *p.IndexSearchable) {
			t.Errorf("link property: tokenization %q, searchable %v; want field, not searchable", p.Tokenization, p.IndexSearchable)
		}
	}
	if live, _ := tg.Resolve(ctx); live != old.Class {
		t.Errorf("the alias moved to %s: publish rebuilt the collection", live)
	}
}
