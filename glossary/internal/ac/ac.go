// Package ac is a byte-level Aho-Corasick automaton: it finds every
// occurrence of a fixed set of byte patterns in a text in one pass,
// overlapping occurrences included.
//
// The automaton knows nothing of Unicode or words: callers normalise text
// and patterns the same way before building and scanning, and filter the
// occurrences it reports.
package ac

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
)

// denseMin is the number of outgoing edges from which a state gets a full
// 256-entry transition row: such states are few (the shallow, busy ones)
// and a row turns their lookups into one load.
const denseMin = 12

// state keeps everything a scan reads about a state in one place, so that
// visiting a state costs one cache line.
type state struct {
	row   int32 // index of the dense row, or -1
	edges int32 // first edge in labels/target
	n     int32 // number of edges
	fail  int32
	out   int32 // pattern that ends exactly here, or -1
	dict  int32 // nearest state on the fail chain with out >= 0, or -1
}

// Automaton is an immutable Aho-Corasick automaton. It is safe for
// concurrent use.
type Automaton struct {
	// States are numbered in breadth-first order, root = 0, so that the
	// shallow states a scan spends most time in sit together in memory.
	st     []state
	labels []byte
	target []int32
	rows   []int32 // 256 entries per dense state: target, or -1 (0 in the root's row)
	lens   []int32 // length of each pattern
}

// Build makes an automaton for patterns. Patterns must be non-empty and
// distinct; pattern i is reported as i.
func Build(patterns [][]byte) (*Automaton, error) {
	if len(patterns) > 1<<30 {
		return nil, errors.New("ac: too many patterns")
	}
	order := make([]int32, len(patterns))
	for i, p := range patterns {
		if len(p) == 0 {
			return nil, fmt.Errorf("ac: pattern %d is empty", i)
		}
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return bytes.Compare(patterns[a], patterns[b]) })

	// Trie in insertion order. Because patterns come sorted, every new child
	// has a larger label than its existing siblings, so appending keeps each
	// sibling list sorted without maps.
	type node struct {
		first, last, sibling int32
		label                byte
		out                  int32
	}
	nodes := []node{{first: -1, last: -1, sibling: -1, out: -1}}
	var path []int32 // path[d] = node reached after d bytes of the previous pattern
	var prev []byte
	for _, pi := range order {
		p := patterns[pi]
		if prev != nil && bytes.Equal(p, prev) {
			return nil, fmt.Errorf("ac: pattern %d repeats another pattern", pi)
		}
		lcp := 0
		for lcp < len(p) && lcp < len(prev) && p[lcp] == prev[lcp] {
			lcp++
		}
		if lcp == 0 {
			path = append(path[:0], 0)
		} else {
			path = path[:lcp+1]
		}
		cur := path[lcp]
		for _, c := range p[lcp:] {
			id := int32(len(nodes))
			nodes = append(nodes, node{first: -1, last: -1, sibling: -1, label: c, out: -1})
			if nodes[cur].last < 0 {
				nodes[cur].first = id
			} else {
				nodes[nodes[cur].last].sibling = id
			}
			nodes[cur].last = id
			cur = id
			path = append(path, cur)
		}
		nodes[cur].out = pi
		prev = p
	}

	// Renumber breadth-first and lay edges out contiguously.
	n := len(nodes)
	a := &Automaton{
		st:     make([]state, n),
		labels: make([]byte, 0, n-1),
		target: make([]int32, 0, n-1),
		lens:   make([]int32, len(patterns)),
	}
	for i, p := range patterns {
		a.lens[i] = int32(len(p))
	}
	newID := make([]int32, n)
	queue := make([]int32, 0, n)
	queue = append(queue, 0)
	for qi := 0; qi < len(queue); qi++ {
		old := queue[qi]
		s := &a.st[qi]
		s.out = nodes[old].out
		s.edges = int32(len(a.labels))
		for c := nodes[old].first; c >= 0; c = nodes[c].sibling {
			newID[c] = int32(len(queue))
			queue = append(queue, c)
			a.labels = append(a.labels, nodes[c].label)
			a.target = append(a.target, newID[c])
		}
		s.n = int32(len(a.labels)) - s.edges
	}
	nodes = nil

	for i := range a.st {
		s := &a.st[i]
		s.row = -1
		if i == 0 || s.n >= denseMin {
			s.row = int32(len(a.rows) / 256)
			base := len(a.rows)
			a.rows = append(a.rows, make([]int32, 256)...)
			for j := base; j < base+256; j++ {
				a.rows[j] = -1
			}
			for e := s.edges; e < s.edges+s.n; e++ {
				a.rows[base+int(a.labels[e])] = a.target[e]
			}
		}
	}

	// Failure and dictionary links, breadth-first (states are already in
	// that order, so a parent is always done before its children).
	a.st[0].fail, a.st[0].dict = 0, -1
	for s := int32(0); s < int32(n); s++ {
		for e := a.st[s].edges; e < a.st[s].edges+a.st[s].n; e++ {
			c, v := a.labels[e], a.target[e]
			f := int32(0)
			if s != 0 {
				f = a.st[s].fail
				for {
					if t := a.step(f, c); t >= 0 {
						f = t
						break
					}
					if f == 0 {
						break
					}
					f = a.st[f].fail
				}
			}
			a.st[v].fail = f
			if a.st[f].out >= 0 {
				a.st[v].dict = f
			} else {
				a.st[v].dict = a.st[f].dict
			}
		}
	}
	// The root row doubles as the complete transition function of the root:
	// a missing edge there means "stay at the root".
	for i := 0; i < 256; i++ {
		if a.rows[i] < 0 {
			a.rows[i] = 0
		}
	}
	return a, nil
}

// step returns the child of s labelled c, or -1 (0 for the root once Build
// has finished).
func (a *Automaton) step(s int32, c byte) int32 {
	st := &a.st[s]
	if st.row >= 0 {
		return a.rows[int(st.row)<<8|int(c)]
	}
	lo, hi := st.edges, st.edges+st.n
	if st.n <= 8 {
		for e := lo; e < hi; e++ {
			if a.labels[e] == c {
				return a.target[e]
			}
		}
		return -1
	}
	for lo < hi {
		m := int32(uint32(lo+hi) >> 1)
		switch l := a.labels[m]; {
		case l == c:
			return a.target[m]
		case l < c:
			lo = m + 1
		default:
			hi = m
		}
	}
	return -1
}

// States is the number of states, for sizing reports.
func (a *Automaton) States() int { return len(a.st) }

// PatternLen is the length in bytes of pattern p.
func (a *Automaton) PatternLen(p int) int { return int(a.lens[p]) }

// Scan calls emit for every occurrence of every pattern in text, in order
// of end position; end is the index just after the occurrence, so it
// starts at end-PatternLen(pattern). Occurrences ending at the same place
// are reported longest first.
func (a *Automaton) Scan(text []byte, emit func(pattern, end int)) {
	s := int32(0)
	st, rows := a.st, a.rows
	for i := 0; i < len(text); i++ {
		c := text[i]
		for {
			if s == 0 {
				s = rows[c]
				break
			}
			if t := a.step(s, c); t >= 0 {
				s = t
				break
			}
			s = st[s].fail
		}
		if s == 0 {
			continue
		}
		x := &st[s]
		if x.out >= 0 {
			emit(int(x.out), i+1)
		}
		for d := x.dict; d >= 0; d = st[d].dict {
			emit(int(st[d].out), i+1)
		}
	}
}
