package publish

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
)

// BlockMaxRisk tells whether the physical collection name answers BM25
// queries with BlockMax-WAND on a weaviate-server that prunes recently
// written objects from limited results (1.35.2 and older:
// weaviate/weaviate#11780, #12022), and says what to do. The collection's
// invertedIndexConfig is what Weaviate reports; whether the server also
// forces WAND at query time (USE_BLOCKMAX_WAND=false) is not visible to a
// client, so a warning may be given for a server that has it set.
func (t *Target) BlockMaxRisk(ctx context.Context, name string) (bool, string, error) {
	meta, err := t.Client.Misc().MetaGetter().Do(ctx)
	if err != nil {
		return false, "", fmt.Errorf("weaviate version: %w", err)
	}
	if !versionAtMost(meta.Version, 1, 35, 2) {
		return false, "", nil
	}
	class, err := t.Client.Schema().ClassGetter().WithClassName(name).Do(ctx)
	if err != nil {
		return false, "", fmt.Errorf("read collection %s: %w", name, err)
	}
	if class.InvertedIndexConfig == nil || !class.InvertedIndexConfig.UsingBlockMaxWAND {
		return false, "", nil
	}
	return true, fmt.Sprintf("collection %s uses BlockMax-WAND on weaviate-server %s, whose limited BM25 results lack recently published objects for minutes: "+
		"run the server with USE_BLOCKMAX_WAND=false and USE_INVERTED_SEARCHABLE=false (docs/retrieval.md)", name, meta.Version), nil
}

// versionAtMost compares a "major.minor.patch" version (a suffix such as
// "-rc1" ignored); an unreadable one counts as not at most.
func versionAtMost(v string, major, minor, patch int) bool {
	parts := strings.SplitN(strings.TrimPrefix(v, "v"), ".", 3)
	if len(parts) != 3 {
		return false
	}
	var n [3]int
	for i, p := range parts {
		p, _, _ = strings.Cut(p, "-")
		x, err := strconv.Atoi(p)
		if err != nil {
			return false
		}
		n[i] = x
	}
	want := [3]int{major, minor, patch}
	for i := range n {
		if n[i] != want[i] {
			return n[i] < want[i]
		}
	}
	return true
}

// warnBlockMax logs BlockMaxRisk's advice for a collection just created;
// a failed check is logged too and does not fail the publish.
func (t *Target) warnBlockMax(ctx context.Context, name string) {
	risk, advice, err := t.BlockMaxRisk(ctx, name)
	switch {
	case err != nil:
		slog.Warn("could not check the collection's BM25 settings", "collection", name, "error", err)
	case risk:
		slog.Warn(advice)
	}
}
