package knowledge

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
)

// ComputeHash returns the content hash of u: SHA-256 over the normalised
// body and the fields that change what the unit means to a reader (title,
// language, layer, kind, product, markets, tier, effective date, access,
// status). Provenance details such as fetch time, locator and version are
// left out so that re-fetching unchanged text does not change the hash.
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
	field("tier", string(u.Tier))
	field("effective", u.Effective.String())
	field("access", string(u.Access))
	field("status", string(u.Status))
	field("body", NormalizeBody(u.Body))
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// HashBytes returns "sha256:<hex>" of b; connectors use it as a document's
// change token.
func HashBytes(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
