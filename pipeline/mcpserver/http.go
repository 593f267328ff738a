package mcpserver

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/kbops/kbops/pipeline/apikeys"
)

// Path is where `kbops serve` mounts the Streamable HTTP transport.
const Path = "/mcp"

// Handler returns the Streamable HTTP transport of the server. A request
// with a key that is not configured, or an Authorization header that is
// not `Bearer <key>`, is refused with 401 before it reaches MCP: a wrong
// key is a mistake to report, not a reason to answer as public. A request
// without the header is public. The handlers resolve the key again for
// each request, so the level is never taken from the session.
func Handler(o Options) http.Handler {
	log := o.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	keys := o.Keys
	if keys == nil {
		keys = &apikeys.Keys{}
	}
	o.Caller = apikeys.Caller{} // public: HTTP callers identify by header only
	srv := New(o)
	h := mcp.NewStreamableHTTPHandler(func(*http.Request) *mcp.Server { return srv }, &mcp.StreamableHTTPOptions{Logger: o.Log})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key, err := BearerKey(r.Header)
		if err == nil {
			_, err = keys.Resolve(key)
		}
		if err != nil {
			log.Warn("MCP request refused", "remote", r.RemoteAddr, "error", err)
			w.Header().Set("WWW-Authenticate", `Bearer realm="kbops", error="invalid_token"`)
			msg := err.Error()
			if !errors.Is(err, apikeys.ErrUnknownKey) {
				msg = "invalid API key"
			}
			http.Error(w, msg, http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
