package sources

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// ErrEmpty is wrapped by errors for documents of 0 bytes.
var ErrEmpty = errors.New("empty document (0 bytes)")

// Key returns the name a document is reported by: its item key, else its
// file name.
func (d Document) Key() string {
	if d.Item.Key != "" {
		return d.Item.Key
	}
	return d.Name
}

// LimitBody returns doc.Body as an extractor should stream it: reads fail
// with ctx's error once ctx is done, with an error wrapping ErrTooLarge
// (naming the document, the format and the limit) once more than limit
// bytes were read (limit <= 0: no limit), and with one wrapping ErrEmpty
// when the body ends before its first byte. A document whose Item.Size
// is already over the limit fails on the first read, without reading.
func LimitBody(ctx context.Context, doc Document, format string, limit int64) io.Reader {
	return &limitedBody{ctx: ctx, r: doc.Body, key: doc.Key(), format: format, limit: limit, size: doc.Item.Size}
}

// ReadBody reads a whole document through LimitBody, for formats that
// need all of it in memory. Errors name the document.
func ReadBody(ctx context.Context, doc Document, format string, limit int64) ([]byte, error) {
	data, err := io.ReadAll(LimitBody(ctx, doc, format, limit))
	if err != nil {
		if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrEmpty) || ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("read %s: %w", doc.Key(), err)
	}
	return data, nil
}

type limitedBody struct {
	ctx    context.Context
	r      io.Reader
	key    string
	format string
	limit  int64
	size   int64 // Item.Size, -1 or 0 when unknown
	n      int64
	err    error
}

func (b *limitedBody) tooLarge(size string) error {
	return fmt.Errorf("%s: %w: %s, the %s extractor reads at most %d bytes; exclude the file or split it", b.key, ErrTooLarge, size, b.format, b.limit)
}

func (b *limitedBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if err := b.ctx.Err(); err != nil {
		return 0, err
	}
	if b.limit > 0 && b.size > b.limit {
		b.err = b.tooLarge(fmt.Sprintf("%d bytes", b.size))
		return 0, b.err
	}
	if b.limit > 0 && int64(len(p)) > b.limit+1-b.n {
		p = p[:b.limit+1-b.n] // one byte past the limit tells "over" from "exactly"
	}
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.limit > 0 && b.n > b.limit {
		b.err = b.tooLarge(fmt.Sprintf("over %d bytes", b.limit))
		return 0, b.err
	}
	if err == io.EOF && b.n == 0 {
		b.err = fmt.Errorf("%s: %w", b.key, ErrEmpty)
		return 0, b.err
	}
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

// ContextReader returns r whose reads fail with ctx's error once ctx has
// ended, so that a long copy (hashing a large file, reading a PDF stream)
// stops at the next read when the run is cancelled.
func ContextReader(ctx context.Context, r io.Reader) io.Reader { return ctxReader{ctx, r} }

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
