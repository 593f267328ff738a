// Package publish reconciles the approved knowledge on the knowledge
// repository's main branch with a Weaviate collection, and searches it.
//
// Publishing plans adds, updates and deletes by comparing what should be
// there (approved, active units) with what is there (object id and object
// hash), writes only what changed, checks every object's result, and
// verifies afterwards that the collection holds exactly the approved set.
// Object ids are UUIDv5 of the unit id, so a rerun after a crash converges.
// The schema is documented in docs/weaviate-schema.md.
package publish

import (
	"encoding/json"
	"slices"

	"github.com/google/uuid"
	"github.com/weaviate/weaviate/entities/models"
)

// Namespace is the UUIDv5 namespace of object ids: id = UUIDv5(Namespace,
// unit id). Front-ends may compute an object's id from a unit id with it.
var Namespace = uuid.MustParse("6f1c1a52-8f0e-4c59-9d0a-4b6f3b1c2a7e")

// ObjectID returns the Weaviate object id of a unit.
func ObjectID(unitID string) string { return uuid.NewSHA1(Namespace, []byte(unitID)).String() }

// Property names of the collection. See docs/weaviate-schema.md.
const (
	PropUnitID      = "unit_id"
	PropVersion     = "version"
	PropContentHash = "content_hash"
	PropObjectHash  = "object_hash"
	PropTitle       = "title"
	PropBody        = "body"
	PropTextZH      = "text_zh"
	PropTextJA      = "text_ja"
	PropTerms       = "terms"
	PropLanguage    = "language"
	PropProduct     = "product"
	PropMarkets     = "markets"
	PropLayer       = "layer"
	PropKind        = "kind"
	PropTier        = "tier"
	PropOwner       = "owner"
	PropAccess      = "access"
	PropConcepts    = "concepts"
	PropEffective   = "effective"
	PropSourceName  = "source_name"
	PropSourceURI   = "source_uri"
	PropLocator     = "source_locator"
	PropOccurrences = "occurrences"
	// PropNodeContent is the node record LlamaIndex.TS reads every hit
	// through (metadataDictToNode fails without it): JSON holding the unit
	// id as the node id. Neither searchable nor filterable, so that the
	// JSON never matches a keyword query, including LlamaIndex's, which
	// searches every searchable property.
	PropNodeContent = "_node_content"
	PropLink        = "link"
	// PropSupersededBy is the unit id of the unit that wins a conflict
	// with this one; absent on units that lost none. Default search
	// leaves such units out (Query.IncludeSuperseded).
	PropSupersededBy = "superseded_by"
	// PropIndustries, PropAudiences and PropAdapts are the context
	// fields of a unit (knowledge.Unit); absent when empty.
	PropIndustries = "industries"
	PropAudiences  = "audiences"
	PropAdapts     = "adapts"
	// PropTitleStems and PropBodyStems are the Snowball stems of the
	// title and body in the unit's language, function words left out
	// (knowledge/text/stem); absent for languages without a stemmer.
	// Search sends the query's stems to them.
	PropTitleStems = "title_stems"
	PropBodyStems  = "body_stems"
	// PropSiblings are the unit ids of the unit's translation siblings
	// (knowledge/align): the units of other-language editions of its
	// manual that say the same; absent when it has none. Search brings a
	// hit's sibling in the language asked for.
	PropSiblings = "siblings"
	// PropDuplicateGroup names the group of units with nearly the same
	// text in the same language, access level and markets
	// (NearDuplicates) by its smallest unit id: a chapter kept as PDF and
	// as HTML, a manual ingested twice; absent on units in no group.
	// Search keeps the best hit of a group.
	PropDuplicateGroup = "duplicate_group"
)

// SearchProperties are the properties keyword search looks in, with the
// title weighted up. Each is tokenized for its script: word for languages
// with spaces, gse_ch for Chinese, kagome_ja for Japanese. Search queries
// WordProperties with the query text and CJKProperties with its CJK runs
// only (see Search).
var SearchProperties = slices.Concat(WordProperties, StemProperties, CJKProperties)

// WordProperties are the word-tokenized search properties.
var WordProperties = []string{PropTitle + "^2", PropBody, PropTerms}

// StemProperties are the stemmed search properties, queried with the
// stems of the query (stem.Query), the title weighted up as in
// WordProperties.
var StemProperties = []string{PropTitleStems + "^2", PropBodyStems}

// CJKProperties are the search properties tokenized for Chinese and
// Japanese. Their tokenizers cut Latin text into single letters, so they
// are queried only with the Han, Kana and Hangul runs of a query.
var CJKProperties = []string{PropTextZH, PropTextJA}

func boolp(b bool) *bool { return &b }

func textProp(name, tokenization, desc string, searchable bool) *models.Property {
	return &models.Property{
		Name: name, DataType: []string{"text"}, Tokenization: tokenization, Description: desc,
		IndexFilterable: boolp(true), IndexSearchable: boolp(searchable),
	}
}

// Class returns the definition of a physical collection.
func (t *Target) Class(name string) *models.Class {
	c := baseClass(name)
	if t.Vectorizer != "" && t.Vectorizer != "none" {
		c.Vectorizer = t.Vectorizer
		if len(t.ModuleConfig) > 0 {
			c.ModuleConfig = map[string]any{t.Vectorizer: t.ModuleConfig}
		}
	}
	if t.Embedder != nil {
		// Vectors kbops computes: a named vector and no module, the model
		// recorded where readVectors finds it.
		c.Vectorizer = ""
		c.VectorConfig = map[string]models.VectorConfig{VectorName: {
			Vectorizer:      map[string]any{"none": map[string]any{}},
			VectorIndexType: "hnsw",
		}}
		c.Description += "\n" + modelMarker + t.Embedder.Name()
	}
	if t.Replication > 1 {
		c.ReplicationConfig = &models.ReplicationConfig{Factor: int64(t.Replication)}
	}
	return c
}

func baseClass(name string) *models.Class {
	field := func(n, d string) *models.Property { return textProp(n, models.PropertyTokenizationField, d, false) }
	return &models.Class{
		Class:       name,
		Description: "Approved kbops knowledge units; one object per unit. Schema: docs/weaviate-schema.md",
		Vectorizer:  "none",
		Properties: []*models.Property{
			field(PropUnitID, "stable unit id"),
			{Name: PropVersion, DataType: []string{"int"}, Description: "unit version", IndexFilterable: boolp(true)},
			field(PropContentHash, "hash of the unit's content"),
			field(PropObjectHash, "hash of everything written to this object; publish compares it"),
			textProp(PropTitle, models.PropertyTokenizationWord, "title", true),
			textProp(PropBody, models.PropertyTokenizationWord, "body (Markdown)", true),
			textProp(PropTextZH, "gse_ch", "title and body of Chinese units, for Chinese keyword search", true),
			textProp(PropTextJA, "kagome_ja", "title and body of Japanese units, for Japanese keyword search", true),
			{Name: PropTerms, DataType: []string{"text[]"}, Tokenization: models.PropertyTokenizationWord, Description: "glossary terms of the unit's concepts in all target languages", IndexFilterable: boolp(true), IndexSearchable: boolp(true)},
			field(PropLanguage, "BCP 47 language tag"),
			field(PropProduct, "product"),
			{Name: PropMarkets, DataType: []string{"text[]"}, Tokenization: models.PropertyTokenizationField, IndexFilterable: boolp(true), IndexSearchable: boolp(false)},
			field(PropLayer, "core, scenario or context"),
			field(PropKind, "spec, procedure, faq, troubleshooting, scenario, note, section"),
			field(PropTier, "official, internal, support or feedback"),
			field(PropOwner, "accountable knowledge owner"),
			field(PropAccess, "public, customer, partner or internal"),
			{Name: PropConcepts, DataType: []string{"text[]"}, Tokenization: models.PropertyTokenizationField, IndexFilterable: boolp(true), IndexSearchable: boolp(false)},
			{Name: PropEffective, DataType: []string{"date"}, Description: "date the knowledge is valid from", IndexFilterable: boolp(true)},
			field(PropSourceName, "source name in kbops.yaml"),
			field(PropSourceURI, "document URI"),
			field(PropLocator, "place in the document: page, heading path, ticket ids"),
			{Name: PropOccurrences, DataType: []string{"int"}, Description: "tickets a scenario was seen in", IndexFilterable: boolp(true)},
			{Name: PropNodeContent, DataType: []string{"text"}, Description: "node record for LlamaIndex.TS: JSON with the unit id as id_", IndexFilterable: boolp(false), IndexSearchable: boolp(false)},
			field(PropLink, "address where a person can open the source document (page or anchor included); empty when there is none"),
			field(PropSupersededBy, "unit id of the unit that wins a conflict with this one; absent when none does"),
			{Name: PropIndustries, DataType: []string{"text[]"}, Tokenization: models.PropertyTokenizationField, Description: "industries the unit is written for; absent: all", IndexFilterable: boolp(true), IndexSearchable: boolp(false)},
			{Name: PropAudiences, DataType: []string{"text[]"}, Tokenization: models.PropertyTokenizationField, Description: "audiences the unit is written for; absent: all", IndexFilterable: boolp(true), IndexSearchable: boolp(false)},
			field(PropAdapts, "unit id of the core unit this context unit adapts; absent on others"),
			{Name: PropSiblings, DataType: []string{"text[]"}, Tokenization: models.PropertyTokenizationField, Description: "unit ids of the translation siblings: units of other-language editions of the manual that say the same; absent: none", IndexFilterable: boolp(true), IndexSearchable: boolp(false)},
			{Name: PropDuplicateGroup, DataType: []string{"text"}, Tokenization: models.PropertyTokenizationField, Description: "the smallest unit id of the units with nearly the same text in the same language, access level and markets; search keeps the best hit of a group; absent: in none", IndexFilterable: boolp(true), IndexSearchable: boolp(false)},
			textProp(PropTitleStems, models.PropertyTokenizationWord, "Snowball stems of the title in the unit's language, function words left out; absent for languages without a stemmer", true),
			textProp(PropBodyStems, models.PropertyTokenizationWord, "Snowball stems of the body in the unit's language, function words left out; absent for languages without a stemmer", true),
		},
	}
}

// NodeContent returns the value of PropNodeContent for a unit id.
func NodeContent(unitID string) string {
	b, _ := json.Marshal(struct {
		ID string `json:"id_"`
	}{unitID}) // a struct of one string always encodes
	return string(b)
}
