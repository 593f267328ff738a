package publish

import (
	"cmp"
	"hash/fnv"
	"runtime"
	"slices"
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

// duplicateWindow is how many following members of a band bucket (in
// unit id order) each member is compared with: a band value shared by
// thousands of texts (a thousand copies, or boilerplate) would make all
// pairs quadratic, and copies chain into one group through their
// neighbours anyway.
const duplicateWindow = 16

// NearDuplicates returns the duplicate group of each active unit that
// has nearly the same text as another (MinHash estimate of shared word
// shingles of title and body ≥ 0.8, found through the signature's bands)
// in the same primary language, at the same access level and for the
// same markets: the smallest unit id of its group. Groups are closed
// under the relation (a copy of a copy is in the group). Units that lost
// a conflict (superseded), a unit and the one it adapts, and texts of
// fewer than eight shingles are never paired. Units in no group are not
// in the map. It is published as PropDuplicateGroup, and search keeps
// only the best hit of each group (collapseDuplicates), so kbops and a
// front-end that queries Weaviate itself collapse the same hits.
func NearDuplicates(units []*knowledge.Unit, superseded map[string]string) map[string]string {
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
				// The access level too: a public object must not name an
				// internal unit, whose id alone can say too much.
				h.Write([]byte(knowledge.PrimaryLanguage(u.Language) + "\x00" + string(u.Access) + "\x00" + strings.Join(u.Markets, "\x00")))
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
	// Union-find over the pairs found: a group is what one answer's
	// copies make, whichever two of them a band brought together.
	parent := make([]int32, len(us))
	for i := range parent {
		parent[i] = int32(i)
	}
	var find func(int32) int32
	find = func(i int32) int32 {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	type cand struct {
		key uint64
		at  int32
	}
	keys := make([]cand, len(us))
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
			bucket := keys[lo:hi]
			for x := range bucket {
				for y := x + 1; y < len(bucket) && y <= x+duplicateWindow; y++ {
					a, c := bucket[x].at, bucket[y].at
					ra, rc := find(a), find(c)
					if ra == rc {
						continue
					}
					ua, uc := us[a].u, us[c].u
					if ua.Adapts == uc.ID || uc.Adapts == ua.ID {
						continue
					}
					if cluster.Similarity(&us[a].sig, &us[c].sig) >= duplicateSimilarity {
						// The smaller index, so the smaller unit id, names the group.
						if ra < rc {
							parent[rc] = ra
						} else {
							parent[ra] = rc
						}
					}
				}
			}
			lo = hi
		}
	}
	size := map[int32]int{}
	for i := range us {
		size[find(int32(i))]++
	}
	out := map[string]string{}
	for i := range us {
		if r := find(int32(i)); size[r] > 1 {
			out[us[i].u.ID] = us[r].u.ID
		}
	}
	return out
}
