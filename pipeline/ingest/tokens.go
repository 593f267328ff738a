package ingest

import (
	"os"
	"path/filepath"

	"github.com/kbops/kbops/pipeline/workspace"
)

// SourceTokens returns the change token of each source document as the
// last ingestion recorded it, for the review check that a unit no longer
// matches its document. The state is a cache that may be missing: then
// ok is false and the check is skipped, never failed.
func SourceTokens(ws *workspace.Workspace) (tokens func(source, document string) (string, bool), ok bool) {
	p := filepath.Join(ws.Root, workspace.StateDir, "state", "ingest.json")
	if _, err := os.Stat(p); err != nil {
		return nil, false
	}
	st := loadState(p)
	return func(source, doc string) (string, bool) {
		v, ok := st.Documents[source][doc]
		return v, ok
	}, true
}
