// Package mcpserver answers agents over the Model Context Protocol: the
// knowledge base as the tools search_knowledge and get_unit and as the
// resources kbops://unit/<unit id>, over Streamable HTTP (mounted on
// `kbops serve`'s port at /mcp) and over stdio (`kbops mcp`).
//
// Access is decided here, not by the caller: every request is answered
// at the access level of its API key (pipeline/apikeys), resolved per
// request from the Authorization header over HTTP and fixed when a stdio
// server starts. An access level a caller names can only narrow what it
// sees. Searches are release.Search and unit reads release.Get, the same
// operations as `kbops search`, so an agent sees what the command shows.
package mcpserver
