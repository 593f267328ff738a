package tickets

import (
	"context"
	"io"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/kbops/kbops/knowledge/text/cluster"
	"github.com/kbops/kbops/knowledge/text/redact"
)

// item is one record on its way through the extractor: read in order by
// one goroutine, mapped, redacted and fingerprinted by workers in
// parallel, then clustered in order.
type item struct {
	place string
	err   error // a *rowError, or fatal
	rec   record
	done  chan struct{}

	// set by a worker
	t      Ticket
	skip   string
	counts redact.Counts
	bad    []string
	sig    cluster.Signature
	nsh    int
	resSig [8]uint32
}

// mapping is what the first record decides about all of them.
type mapping struct {
	fields    Fields
	solved    map[string]bool
	hasStatus bool
	preset    string
}

// prepare does the per-ticket work that needs no shared state.
func (e *Extractor) prepare(it *item, m *mapping) {
	defer close(it.done)
	it.counts = redact.Counts{}
	t := mapTicket(it.rec, m.fields, e.red, it.counts, func(what string) { it.bad = append(it.bad, what) })
	it.rec = nil
	switch {
	case t.Subject == "" && t.Body == "":
		it.skip = SkipEmpty
	case !e.opts.IncludeUnsolved && !t.solved(m.solved, m.hasStatus):
		it.skip = SkipUnsolved
	case !e.opts.IncludeUnanswered && t.Answer == "":
		it.skip = SkipUnanswered
	}
	it.t = t
	if it.skip != "" {
		return
	}
	it.sig, it.nsh = cluster.Sign(t.Subject + "\n" + t.Body)
	it.resSig = resSignature(t.Answer)
}

// stream reads records in a goroutine and prepares them on workers; the
// returned channel delivers items in input order. The first good record
// fixes the mapping (mapErr reports a failure, after which nothing more
// is delivered). Closing stop ends the goroutines early.
func (e *Extractor) stream(ctx context.Context, rr recordReader, rows *atomic.Int64, stop <-chan struct{},
	onMapping func(*mapping, error) bool) <-chan *item {
	order := make(chan *item, 256)
	work := make(chan *item, 256)
	workers := min(runtime.GOMAXPROCS(0), 4)
	var m *mapping
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range work {
				e.prepare(it, m)
			}
		}()
	}
	go func() {
		defer func() {
			close(work)
			wg.Wait()
			close(order)
		}()
		for ctx.Err() == nil {
			rec, place, err := rr.next()
			if err == io.EOF {
				return
			}
			rows.Add(1)
			it := &item{place: place, err: err, rec: rec, done: make(chan struct{})}
			if err == nil && m == nil {
				fields, solved, preset, merr := resolveMapping(e.opts, rec)
				mm := &mapping{fields, solved, fields.Status != "", preset}
				if !onMapping(mm, merr) {
					return
				}
				m = mm
			}
			if err != nil {
				close(it.done)
			}
			select {
			case order <- it:
			case <-stop:
				if err == nil {
					close(it.done)
				}
				return
			}
			if err == nil {
				select {
				case work <- it:
				case <-stop:
					close(it.done) // it is in order but will not be worked on
					return
				}
			} else if _, ok := err.(*rowError); !ok {
				return // fatal: nothing more can be read
			}
		}
	}()
	return order
}
