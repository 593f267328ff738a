// Package httploc is the Location for documents at HTTP(S) URLs (scheme
// "http"): a source's `location:` is one URL or a list of them.
//
// Listing fetches every URL with a conditional GET (If-None-Match /
// If-Modified-Since from the validators kept in the cache folder), so an
// unchanged document costs one 304 and no download. The body is kept in
// the cache folder and Open serves it from there. Versions are SHA-256
// content hashes: equal content gives equal versions even when a server
// changes its ETag, and a 304 gives the stored version back.
//
// A 404 or 410 means the document is gone (it drops out of the listing,
// and the pipeline retires its units); other failures are per-item errors.
// 5xx answers, 429 and timeouts are retried with exponential backoff.
// Documents over the size limit are refused.
//
// Item keys are the URL's path relative to options.base when the URL is
// below it, else host and path ("example.com/docs/a.html"); a path ending
// in "/" gets "index.html" so that the format is known from the key.
package httploc
