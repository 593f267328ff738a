package config

import (
	"testing"
)

// FuzzParse feeds arbitrary kbops.yaml files to Parse: it must return a
// config or an error (with file and line), never panic or hang.
func FuzzParse(f *testing.F) {
	f.Add([]byte(Template))
	f.Add([]byte("version: 1\nsources:\n  - name: a\n    kind: notes\n    location: x\n    owner: o\n"))
	f.Add([]byte("version: 1\nsources: [{name: a, kind: manual}]\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("version: 1\nweaviate: {url: 'ftp://x', api_key: secret}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<20 {
			return
		}
		_, _ = Parse("kbops.yaml", data)
	})
}
