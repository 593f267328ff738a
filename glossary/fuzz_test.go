package glossary

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// FuzzImportTBX feeds arbitrary bytes to the TBX importer (and, through
// the name, to the CSV/TSV one): it must return a result or an error,
// never panic, hang or grow without bound.
func FuzzImportTBX(f *testing.F) {
	if b, err := os.ReadFile("testdata/inverter.tbx"); err == nil {
		f.Add(b, uint8(0))
	}
	f.Add([]byte(`<?xml version="1.0"?><tbx type="TBX-Basic" xml:lang="en"><text><body><conceptEntry id="c1"><langSec xml:lang="en"><termSec><term>earth</term></termSec></langSec></conceptEntry></body></text></tbx>`), uint8(0))
	f.Add([]byte(`<martif type="TBX"><text><body><termEntry id="x"><langSet xml:lang="de"><tig><term>Erde</term></tig></langSet></termEntry></body></text></martif>`), uint8(0))
	f.Add([]byte("en,de\nearth,Erde\n"), uint8(1))
	f.Add([]byte("en\tzh\nearth\t接地\n"), uint8(2))
	names := []string{"fuzz.tbx", "fuzz.csv", "fuzz.tsv"}
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		if len(data) > 1<<20 {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, _ = ImportReader(ctx, names[int(kind)%len(names)], bytes.NewReader(data), ImportOptions{MaxBytes: 1 << 20})
	})
}
