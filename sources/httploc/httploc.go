package httploc

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/sources"
)

var _ sources.ContentTyper = (*Location)(nil)

func init() {
	sources.Default.RegisterScheme(sources.Scheme{Name: "http", New: New, Claims: Claims})
}

// Claims is the http location's claim on a `location:` value: any
// http(s) URL (the git location claims those ending in .git more
// strongly).
func Claims(loc string) int {
	if strings.HasPrefix(loc, "http://") || strings.HasPrefix(loc, "https://") {
		return 2
	}
	return 0
}

// Options are the HTTP location's settings under a source's `options:`.
type Options struct {
	// Base is the URL prefix item keys are relative to (default: none,
	// keys are host/path). Set it so keys stay short and stable.
	Base string `yaml:"base"`
	// Timeout bounds one request, headers and body (default 60s).
	Timeout time.Duration `yaml:"timeout"`
	// Retries is how often a 5xx, 429 or timeout is retried (default 3).
	Retries int `yaml:"retries"`
	// RetryDelay is the first backoff; it doubles each retry (default 1s).
	RetryDelay time.Duration `yaml:"retry_delay"`
	// MaxSize refuses documents larger than this many bytes (default 256 MiB).
	MaxSize int64 `yaml:"max_size"`
	// UserAgent is sent with each request (default "kbops").
	UserAgent string `yaml:"user_agent"`
}

// Location fetches a list of URLs.
type Location struct {
	urls    []string
	keys    map[string]string // key → URL
	include []string
	exclude []string
	opts    Options
	cache   string // folder; "" keeps bodies in memory
	mem     map[string][]byte
	memType map[string]string // content types when there is no cache folder
	client  *http.Client
}

// New makes a Location from a source spec. env.Cache is the folder
// validators and bodies are kept in.
func New(_ context.Context, spec sources.Spec, env sources.Env) (sources.Location, error) {
	cache := env.Cache
	opts := Options{Timeout: 60 * time.Second, Retries: 3, RetryDelay: time.Second, MaxSize: 256 << 20, UserAgent: "kbops"}
	if err := spec.DecodeOptions(&opts); err != nil {
		return nil, err
	}
	l := &Location{keys: map[string]string{}, include: spec.Include, exclude: spec.Exclude, opts: opts, cache: cache, mem: map[string][]byte{}, memType: map[string]string{}}
	for _, u := range spec.Location {
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return nil, fmt.Errorf("source %q: location %q is not an http(s) URL", spec.Name, u)
		}
		k := l.keyOf(p)
		if other, dup := l.keys[k]; dup {
			return nil, fmt.Errorf("source %q: %q and %q give the same item key %q", spec.Name, other, u, k)
		}
		l.keys[k] = u
		l.urls = append(l.urls, u)
	}
	if cache != "" {
		if err := os.MkdirAll(cache, 0o755); err != nil {
			return nil, fmt.Errorf("source %q: cache folder: %w", spec.Name, err)
		}
	}
	l.client = &http.Client{Timeout: opts.Timeout}
	return l, nil
}

func (l *Location) keyOf(p *url.URL) string {
	s := p.String()
	var k string
	if l.opts.Base != "" && strings.HasPrefix(s, l.opts.Base) {
		k = strings.TrimPrefix(strings.TrimPrefix(s, l.opts.Base), "/")
	} else {
		k = p.Host + p.EscapedPath()
		if p.RawQuery != "" {
			k += "?" + p.RawQuery
		}
	}
	if k == "" || strings.HasSuffix(k, "/") {
		k += "index.html"
	}
	return k
}

// meta is what the cache keeps per URL.
type meta struct {
	URL          string    `json:"url"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	Version      string    `json:"version"`
	Size         int64     `json:"size"`
	ContentType  string    `json:"content_type,omitempty"`
	Fetched      time.Time `json:"fetched"`
}

func (l *Location) cacheName(u string) string {
	h := sha256.Sum256([]byte(u))
	return filepath.Join(l.cache, hex.EncodeToString(h[:16]))
}

func (l *Location) loadMeta(u string) (meta, bool) {
	if l.cache == "" {
		return meta{}, false
	}
	b, err := os.ReadFile(l.cacheName(u) + ".json")
	if err != nil {
		return meta{}, false
	}
	var m meta
	if json.Unmarshal(b, &m) != nil || m.URL != u {
		return meta{}, false
	}
	if _, err := os.Stat(l.cacheName(u) + ".body"); err != nil {
		return meta{}, false
	}
	return m, true
}

// store writes body then metadata, each through a temporary file, so a
// crash never leaves validators that point to a missing or partial body.
func (l *Location) store(m meta, body []byte) error {
	if l.cache == "" {
		l.mem[m.URL] = body
		l.memType[m.URL] = m.ContentType
		return nil
	}
	base := l.cacheName(m.URL)
	if err := writeAtomic(base+".body", body); err != nil {
		return err
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return writeAtomic(base+".json", b)
}

func writeAtomic(p string, data []byte) error {
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// List fetches every URL (conditionally) and returns those that exist.
func (l *Location) List(ctx context.Context) ([]sources.Item, []error, error) {
	var items []sources.Item
	var errs []error
	keys := make([]string, 0, len(l.keys))
	for k := range l.keys {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return nil, errs, err
		}
		if !l.wanted(k) {
			continue
		}
		u := l.keys[k]
		m, gone, err := l.fetch(ctx, u)
		if err != nil {
			if ctx.Err() != nil {
				return nil, errs, ctx.Err()
			}
			errs = append(errs, &sources.ItemError{Key: k, Err: err})
			continue
		}
		if gone {
			continue
		}
		it := sources.Item{Key: k, URI: u, Version: m.Version, Size: m.Size}
		if t, err := http.ParseTime(m.LastModified); err == nil {
			it.ModTime, it.DateSource = t.UTC(), knowledge.EffectiveFromHTTP
		}
		items = append(items, it)
	}
	return items, errs, nil
}

func (l *Location) wanted(key string) bool {
	return sources.Wanted(l.include, l.exclude, key)
}

// errRetry marks failures worth another attempt.
type errRetry struct{ err error }

func (e errRetry) Error() string { return e.err.Error() }
func (e errRetry) Unwrap() error { return e.err }

// fetch brings the cache up to date for u. gone is true for 404 and 410.
func (l *Location) fetch(ctx context.Context, u string) (m meta, gone bool, err error) {
	delay := l.opts.RetryDelay
	for attempt := 0; ; attempt++ {
		m, gone, err = l.fetchOnce(ctx, u)
		var r errRetry
		if err == nil || !errors.As(err, &r) || attempt >= l.opts.Retries {
			if err != nil && attempt > 0 {
				err = fmt.Errorf("%w (after %d attempts)", err, attempt+1)
			}
			return m, gone, err
		}
		select {
		case <-ctx.Done():
			return m, false, ctx.Err()
		case <-time.After(delay):
		}
		delay *= 2
	}
}

func (l *Location) fetchOnce(ctx context.Context, u string) (meta, bool, error) {
	old, cached := l.loadMeta(u)
	if l.cache == "" {
		if _, ok := l.mem[u]; !ok {
			cached = false
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return meta{}, false, err
	}
	req.Header.Set("User-Agent", l.opts.UserAgent)
	if cached {
		if old.ETag != "" {
			req.Header.Set("If-None-Match", old.ETag)
		}
		if old.LastModified != "" {
			req.Header.Set("If-Modified-Since", old.LastModified)
		}
	}
	resp, err := l.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return meta{}, false, ctx.Err()
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return meta{}, false, errRetry{fmt.Errorf("GET %s: timeout after %s", u, l.opts.Timeout)}
		}
		return meta{}, false, errRetry{fmt.Errorf("GET %s: %w", u, err)}
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotModified && cached:
		return old, false, nil
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return meta{}, true, nil
	case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusRequestTimeout:
		return meta{}, false, errRetry{fmt.Errorf("GET %s: HTTP %s", u, resp.Status)}
	case resp.StatusCode != http.StatusOK:
		return meta{}, false, fmt.Errorf("GET %s: HTTP %s", u, resp.Status)
	}
	if resp.ContentLength > l.opts.MaxSize {
		return meta{}, false, fmt.Errorf("GET %s: %w (%d bytes > max_size %d)", u, sources.ErrTooLarge, resp.ContentLength, l.opts.MaxSize)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, l.opts.MaxSize+1))
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return meta{}, false, errRetry{fmt.Errorf("GET %s: timeout reading the body after %s", u, l.opts.Timeout)}
		}
		return meta{}, false, errRetry{fmt.Errorf("GET %s: reading the body: %w", u, err)}
	}
	if int64(len(body)) > l.opts.MaxSize {
		return meta{}, false, fmt.Errorf("GET %s: %w (over max_size %d bytes)", u, sources.ErrTooLarge, l.opts.MaxSize)
	}
	sum := sha256.Sum256(body)
	m := meta{
		URL: u, ETag: resp.Header.Get("ETag"), LastModified: resp.Header.Get("Last-Modified"),
		Version: "sha256:" + hex.EncodeToString(sum[:]), Size: int64(len(body)),
		ContentType: resp.Header.Get("Content-Type"), Fetched: time.Now().UTC(),
	}
	if err := l.store(m, body); err != nil {
		return meta{}, false, fmt.Errorf("cache %s: %w", u, err)
	}
	return m, false, nil
}

// Open returns the body fetched by the last List, fetching it when the
// cache does not hold it.
func (l *Location) Open(ctx context.Context, it sources.Item) (io.ReadCloser, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	u, ok := l.keys[it.Key]
	if !ok {
		return nil, &sources.ItemError{Key: it.Key, Err: errors.New("not one of the source's URLs")}
	}
	if body, ok := l.cached(u, it.Version); ok {
		return io.NopCloser(bytes.NewReader(body)), nil
	}
	_, gone, err := l.fetch(ctx, u)
	if err != nil {
		return nil, &sources.ItemError{Key: it.Key, Err: err}
	}
	if gone {
		return nil, &sources.ItemError{Key: it.Key, Err: fmt.Errorf("GET %s: gone (404)", u)}
	}
	body, ok := l.cached(u, "")
	if !ok {
		return nil, &sources.ItemError{Key: it.Key, Err: errors.New("cache lost the body")}
	}
	return io.NopCloser(bytes.NewReader(body)), nil
}

func (l *Location) cached(u, version string) ([]byte, bool) {
	if l.cache == "" {
		b, ok := l.mem[u]
		return b, ok
	}
	m, ok := l.loadMeta(u)
	if !ok || version != "" && m.Version != version {
		return nil, false
	}
	b, err := os.ReadFile(l.cacheName(u) + ".body")
	return b, err == nil
}

// ContentType implements sources.ContentTyper: the media type the server
// gave for the item, "" when unknown; extractors use it to find the
// charset.
func (l *Location) ContentType(it sources.Item) string {
	if l.cache == "" {
		return l.memType[l.keys[it.Key]]
	}
	if m, ok := l.loadMeta(l.keys[it.Key]); ok {
		return m.ContentType
	}
	return ""
}
