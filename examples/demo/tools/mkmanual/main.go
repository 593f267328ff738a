// Command mkmanual writes the demo's two PDF manuals of the VF-200
// frequency inverter, an English and a German edition, into
// examples/demo/manuals. The PDFs are checked in, so the demo needs
// nothing but kbops; run this only after changing content.go:
//
//	go run ./examples/demo/tools/mkmanual
//
// The files are plain PDF 1.4 with the standard Helvetica fonts and
// uncompressed page content, so they are small and the same bytes come
// out on every run.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

// editions maps each output file name to its manual.
var editions = []struct {
	file string
	m    manual
}{
	{"vf200_operating_manual_en.pdf", english},
	{"vf200_betriebsanleitung_de.pdf", german},
}

func main() {
	out := flag.String("out", filepath.Join("examples", "demo", "manuals"), "folder to write the PDF files to")
	flag.Parse()
	if err := write(*out); err != nil {
		fmt.Fprintln(os.Stderr, "mkmanual:", err)
		os.Exit(1)
	}
}

func write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	for _, e := range editions {
		data, err := render(e.m)
		if err != nil {
			return fmt.Errorf("%s: %w", e.file, err)
		}
		path := filepath.Join(dir, e.file)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", path, err)
		}
		fmt.Println("wrote", path)
	}
	return nil
}
