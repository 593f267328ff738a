package ingest_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/kbops/kbops/pipeline/ingest"
	"github.com/kbops/kbops/pipeline/workspace"
	"github.com/kbops/kbops/reviews/kbrepo"
)

// Personal data in a ticket export never reaches the knowledge repository:
// not in unit files, not in commit messages.
func TestTicketExportIsRedactedBeforeItIsStored(t *testing.T) {
	dir := t.TempDir()
	ws, exports := filepath.Join(dir, "kb"), filepath.Join(dir, "exports")
	os.MkdirAll(ws, 0o755)
	os.MkdirAll(exports, 0o755)
	os.WriteFile(filepath.Join(ws, "kbops.yaml"), []byte(`version: 1
sources:
  - name: helpdesk
    kind: tickets
    location: ../exports
    owner: support@example.com
    product: vf-200
    extract:
      preset: tobi-bueck
      fields: {requester_name: requester}
`), 0o644)
	csv := "subject,body,answer,type,queue,priority,language,tag_1,requester\r\n" +
		"Drive trips E07,\"Hello, I am Jana Novakova (jana.novakova@example.org, +49 30 1234567). Our VF-200 trips with E07 after rain.\",\"Dear Jana Novakova, check the motor insulation and the PE connection.\",Incident,Technical Support,high,en,Grounding,Jana Novakova\r\n"
	os.WriteFile(filepath.Join(exports, "export.csv"), []byte(csv), 0o644)
	if _, err := workspace.Init(ws, time.Now()); err != nil {
		t.Fatal(err)
	}
	w, err := workspace.Open(ws)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(context.Background(), w, ingest.Options{})
	if err != nil || rep.Commit == "" || rep.Errors() > 0 {
		t.Fatalf("ingest: %v %+v", err, rep)
	}
	r, _ := kbrepo.Open(ws)
	h, _, _ := r.Branch("kbops/review")
	tree, _ := r.Tree(h)
	var all strings.Builder
	for p, e := range tree {
		b, _ := r.Read(e.Hash)
		all.WriteString(p + "\n" + string(b))
	}
	c, _ := r.Git.CommitObject(h)
	all.WriteString(c.Message)
	text := all.String()
	if !strings.Contains(text, "insulation") {
		t.Fatalf("no scenario unit was stored:\n%s", text)
	}
	for _, leak := range []string{"jana.novakova@example.org", "1234567", "Novakova", "Jana"} {
		if strings.Contains(text, leak) {
			t.Errorf("%q reached the knowledge repository", leak)
		}
	}
}
