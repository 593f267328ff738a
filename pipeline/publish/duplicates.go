package publish

import (
	"cmp"
	"hash/fnv"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/knowledge/text/cluster"
)

// duplicateSimilarity is the estimated share of shingles two units must
// share to be one answer twice; the review's near-duplicate finding uses
// 0.8 too.
const duplicateSimilarity = 0.8

// minDuplicateShingles is the fewest shingles (words and word pairs) a
// text needs to be called a duplicate of another: shorter texts ("see
// chapter 3") are alike without being one answer.
const minDuplicateShingles = 8

// maxBucket bounds the units compared within one band bucket: a band
// value shared by thousands of texts (boilerplate) would make the
// comparison quadratic; past this many, the first ones by unit id are
// compared.
const maxBucket = 256

// maxDuplicates bounds the near_duplicates list of one object, the most
// similar kept.
const maxDuplicates = 32

// NearDuplicates returns, for each active unit that has any, the ids of
// the units whose title and body are nearly the same text (MinHash
// estimate of shared word shingles ≥ 0.8, found through the signature's
// bands) in the same primary language and for the same markets, sorted
// by id. Units that lost a conflict (superseded), a unit and the one it
// adapts, and texts of fewer than eight shingles are never paired. The
// relation is symmetric except where a list was cut at maxDuplicates. It
// is published as PropNearDuplicates, and search keeps only the best hit
// of each group (collapseDuplicates), so kbops and a front-end that
// queries Weaviate itself collapse the same hits.
func NearDuplicates(units []*knowledge.Unit, superseded map[string]string) map[string][]string {
	type signed struct {
		u     *knowledge.Unit
		group uint32
		sig   cluster.Signature
	}
	// In unit id order, so that bucket members are compared in an order
	// that does not depend on the caller's.
	units = slices.Clone(units)
	slices.SortFunc(units, func(a, b *knowledge.Unit) int { return strings.Compare(a.ID, b.ID) })
	all := make([]signed, len(units))
	ok := make([]bool, len(units))
	// Signing is most of the work and each unit's is its own: one share
	// of the units per processor.
	var wg sync.WaitGroup
	workers := max(1, min(runtime.GOMAXPROCS(0), len(units)/1000))
	for w := range workers {
		wg.Go(func() {
			for i := w; i < len(units); i += workers {
				u := units[i]
				if u.Status != knowledge.StatusActive || superseded[u.ID] != "" {
					continue
				}
				sig, n := cluster.SignTexts(u.Title, u.Body)
				if n < minDuplicateShingles {
					continue
				}
				h := fnv.New32a()
				h.Write([]byte(knowledge.PrimaryLanguage(u.Language) + "\x00" + strings.Join(u.Markets, "\x00")))
				all[i], ok[i] = signed{u, h.Sum32(), sig}, true
			}
		})
	}
	wg.Wait()
	us := all[:0]
	for i := range all {
		if ok[i] {
			us = append(us, all[i])
		}
	}
	type pair struct{ a, b int32 }
	seen := map[pair]bool{}
	type cand struct {
		key uint64
		at  int32
	}
	keys := make([]cand, len(us))
	sims := map[int32][]struct {
		other int32
		sim   float64
	}{}
	for b := 0; b < cluster.Bands; b++ {
		for i := range us {
			keys[i] = cand{uint64(us[i].group)<<32 | uint64(cluster.BandKey(&us[i].sig, b)), int32(i)}
		}
		// By key, then unit id order within a bucket.
		slices.SortFunc(keys, func(x, y cand) int {
			if x.key != y.key {
				return cmp.Compare(x.key, y.key)
			}
			return cmp.Compare(x.at, y.at)
		})
		for lo := 0; lo < len(keys); {
			hi := lo + 1
			for hi < len(keys) && keys[hi].key == keys[lo].key {
				hi++
			}
			bucket := keys[lo:min(hi, lo+maxBucket)]
			for x := range bucket {
				for y := x + 1; y < len(bucket); y++ {
					p := pair{bucket[x].at, bucket[y].at}
					if seen[p] {
						continue
					}
					seen[p] = true
					a, c := &us[p.a], &us[p.b]
					if a.u.Adapts == c.u.ID || c.u.Adapts == a.u.ID {
						continue
					}
					if s := cluster.Similarity(&a.sig, &c.sig); s >= duplicateSimilarity {
						sims[p.a] = append(sims[p.a], struct {
							other int32
							sim   float64
						}{p.b, s})
						sims[p.b] = append(sims[p.b], struct {
							other int32
							sim   float64
						}{p.a, s})
					}
				}
			}
			lo = hi
		}
	}
	out := make(map[string][]string, len(sims))
	for i, ss := range sims {
		if len(ss) > maxDuplicates {
			sort.SliceStable(ss, func(x, y int) bool { return ss[x].sim > ss[y].sim })
			ss = ss[:maxDuplicates]
		}
		ids := make([]string, len(ss))
		for k, s := range ss {
			ids[k] = us[s.other].u.ID
		}
		slices.Sort(ids)
		out[us[i].u.ID] = ids
	}
	return out
}
