package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
)

// ComputeHash returns the content hash of u: SHA-256 over the normalised
// body, the fields that change what the unit means to a reader (title,
// language, layer, kind, product, markets, industries, audiences, the
// unit it adapts, tier, effective date and its
// source, access, status), and every other field that reaches Weaviate or grants a right:
// the owner (who may approve the technical stage), the source's name, URI
// (unless a local file: URI) and locator (the link a customer is shown) and the concepts (which
// glossary terms are published with the unit). An approval binds this
// hash, so none of them can be changed after review without a new
// version. Left out are what kbops only uses for bookkeeping: fetch time,
// the source's change token and document key, the version, and the
// ticket occurrence count.
func ComputeHash(u Unit) string {
	h := sha256.New()
	field := func(name, v string) {
		// name=len:value keeps fields unambiguous whatever they contain.
		h.Write([]byte(name))
		h.Write([]byte{'='})
		h.Write([]byte(strconv.Itoa(len(v))))
		h.Write([]byte{':'})
		h.Write([]byte(v))
		h.Write([]byte{'\n'})
	}
	field("title", strings.TrimSpace(u.Title))
	field("language", u.Language)
	field("layer", string(u.Layer))
	field("kind", u.Kind)
	field("product", u.Product)
	field("markets", strings.Join(u.Markets, ","))
	// Only when set, so files written before these fields keep their hashes.
	if len(u.Industries) > 0 {
		field("industries", strings.Join(u.Industries, ","))
	}
	if len(u.Audiences) > 0 {
		field("audiences", strings.Join(u.Audiences, ","))
	}
	if u.Adapts != "" {
		field("adapts", u.Adapts)
	}
	field("tier", string(u.Tier))
	field("effective", u.Effective.String())
	if u.EffectiveSource != "" {
		// Only when set, so files written before the field existed keep
		// their hashes (and approvals).
		field("effective_source", u.EffectiveSource)
	}
	field("access", string(u.Access))
	field("status", string(u.Status))
	field("owner", strings.ToLower(strings.TrimSpace(u.Owner)))
	field("source.name", u.Source.Name)
	if !strings.HasPrefix(strings.ToLower(u.Source.URI), "file:") {
		// A file: URI names a path on the machine that ran ingest: moving
		// the workspace must not make every unit a new version, and it is
		// no link anyone else can open.
		field("source.uri", u.Source.URI)
	}
	field("source.locator", u.Source.Locator)
	concepts := slices.Clone(u.Concepts)
	slices.Sort(concepts)
	field("concepts", strings.Join(concepts, ","))
	field("body", NormalizeBody(u.Body))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// HashBytes returns "sha256:<hex>" of b; connectors use it as a document's
// change token.
func HashBytes(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
