package glossary

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestMergeTBXByID(t *testing.T) {
	tb := fixture(t)
	// An update from the terminology team: dc-link gets a new Italian
	// section and a changed German one; a new concept arrives; motor is
	// sent unchanged.
	doc := `<tbx type="TBX-Basic" style="dca" xml:lang="en" xmlns="urn:iso:std:iso:30042:ed-2"><text><body>
<conceptEntry id="dc-link">
  <langSec xml:lang="de"><termSec><term>Zwischenkreis</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote><termNote type="partOfSpeech">noun</termNote></termSec></langSec>
  <langSec xml:lang="it"><termSec><term>circuito intermedio</term></termSec></langSec>
</conceptEntry>
<conceptEntry id="encoder"><langSec xml:lang="en"><termSec><term>encoder</term></termSec></langSec></conceptEntry>
<conceptEntry id="motor"><descrip type="subjectField">drive technology</descrip>
  <langSec xml:lang="en"><termSec><term>motor</term><termNote type="administrativeStatus">preferredTerm-admn-sts</termNote><termNote type="partOfSpeech">noun</termNote><note>kbops:match-form=motors</note></termSec></langSec>
</conceptEntry>
</body></text></tbx>`
	im, err := importString("update.tbx", doc, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep := tb.Merge(im.Termbase, im.MergeOptions())
	if !slices.Equal(rep.Added, []string{"encoder"}) || !slices.Equal(rep.Changed, []string{"dc-link"}) || !slices.Equal(rep.Unchanged, []string{"motor"}) || len(rep.Conflicts) > 0 {
		t.Errorf("report %+v", rep)
	}
	c := tb.Concept("dc-link")
	if de := c.Lang("de"); len(de.Terms) != 1 {
		t.Errorf("de section not replaced: %+v", de)
	}
	if c.Lang("it") == nil || c.Lang("en") == nil || len(c.Lang("en").Terms) != 3 || c.Owner != "bob@example.com" {
		t.Errorf("other sections or fields lost: %+v", c)
	}
	// Merging the same again changes nothing.
	rep = tb.Merge(im.Termbase, im.MergeOptions())
	if len(rep.Added)+len(rep.Changed) != 0 || len(rep.Unchanged) != 3 {
		t.Errorf("second merge %+v", rep)
	}
}

func TestMergeRefusesAccidentalIDCollisions(t *testing.T) {
	dir := corpusDir(t)
	tb := New()
	var conflicts []Conflict
	for _, name := range []string{"lisa-sample_ibm_tbx-v2_en-fr.tbx", "lisa-sample_sdl-adobe_tbx-v2_en-de.tbx"} {
		im, err := ImportFile(context.Background(), filepath.Join(dir, name), ImportOptions{})
		if err != nil {
			t.Fatal(err)
		}
		conflicts = append(conflicts, tb.Merge(im.Termbase, im.MergeOptions()).Conflicts...)
	}
	// Both files number their entries c1, c2...: SDL's c1, c3, c4 and c5 (it
	// has no c2) must not be merged into IBM's.
	if len(conflicts) != 4 {
		t.Fatalf("%d conflicts: %v", len(conflicts), conflicts)
	}
	if s := conflicts[0].String(); !strings.Contains(s, "lisa-sample_sdl-adobe_tbx-v2_en-de.tbx:27: concept c1") || !strings.Contains(s, "--id-prefix") {
		t.Errorf("conflict %q", s)
	}
	if got := tb.Concept("c1").Lang("en").Terms[0].Text; got != "navigation trail" {
		t.Errorf("c1 overwritten: %q", got)
	}
	// With a prefix both are kept.
	im, err := ImportFile(context.Background(), filepath.Join(dir, "lisa-sample_sdl-adobe_tbx-v2_en-de.tbx"), ImportOptions{IDPrefix: "sdl-"})
	if err != nil {
		t.Fatal(err)
	}
	rep := tb.Merge(im.Termbase, im.MergeOptions())
	if len(rep.Conflicts) != 0 || tb.Concept("sdl-c1") == nil || tb.Len() != 5+219+223 {
		t.Errorf("with prefix: %d concepts, %d conflicts", tb.Len(), len(rep.Conflicts))
	}
}

func TestMergeCSVByTerms(t *testing.T) {
	tb := fixture(t)
	doc := "en,it\nfrequency inverter,inverter di frequenza\nencoder,encoder\nFREQUENCY INVERTER,convertitore di frequenza\n"
	im, err := importString("it.csv", doc, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep := tb.Merge(im.Termbase, im.MergeOptions())
	if !slices.Equal(rep.Changed, []string{"frequency-inverter"}) || !slices.Equal(rep.Added, []string{"encoder"}) {
		t.Fatalf("report %+v", rep)
	}
	it := tb.Concept("frequency-inverter").Lang("it")
	if it == nil || len(it.Terms) != 2 {
		t.Errorf("it terms %+v", it)
	}
	// Existing terms keep their status; nothing is removed.
	if en := tb.Concept("frequency-inverter").Lang("en"); len(en.Terms) != 4 || en.Terms[0].Status != StatusPreferred {
		t.Errorf("en terms %+v", en.Terms)
	}
	// Importing the same file again is a no-op.
	im, _ = importString("it.csv", doc, ImportOptions{})
	rep = tb.Merge(im.Termbase, im.MergeOptions())
	if len(rep.Added)+len(rep.Changed) != 0 {
		t.Errorf("re-import %+v", rep)
	}
}
