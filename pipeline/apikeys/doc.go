// Package apikeys maps the API keys of agent front-ends to access levels:
// the one place where kbops decides what a caller may see. The MCP server
// (HTTP and stdio) and `kbops search --as-key` resolve keys here and clamp
// the access a caller asks for to the key's level, so no filter a caller
// sends can widen it.
//
// Keys come from the environment (KBOPS_ACCESS_KEYS) and from a key file
// outside the knowledge repository (KBOPS_ACCESS_KEYS_FILE or
// frontends.keys_file). No key means public; a key that is not known is
// an error (ErrUnknownKey), never a silent downgrade, so a mistyped or
// revoked key is noticed at once.
package apikeys
