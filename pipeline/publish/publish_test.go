package publish_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-openapi/strfmt"
	"github.com/weaviate/weaviate/entities/models"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded/weaviatetest"
	"github.com/kbops/kbops/pipeline/publish"
)

func mkUnit(id, lang, title, body string) *knowledge.Unit {
	u := knowledge.Unit{
		ID: id, Title: title, Language: lang, Layer: knowledge.LayerCore, Kind: knowledge.KindNote,
		Product: "vf-200", Tier: knowledge.TierOfficial, Owner: "ana@example.com", Access: knowledge.AccessCustomer,
		Status: knowledge.StatusActive, Body: body, Effective: knowledge.DateOf(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		Source: knowledge.Source{Name: "m", Kind: "manuals", URI: "file:///m/" + id, Document: id, FetchedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Hash: "h"},
	}
	u, _ = knowledge.Revise(nil, u)
	return &u
}

func corpus(n int) []*knowledge.Unit {
	us := []*knowledge.Unit{
		mkUnit("m/zh/a/接地", "zh-CN", "接地", "将 PE 端子连接到柜内接地排。接地不良会导致接地故障。"),
		mkUnit("m/ja/a/接地", "ja", "接地について", "PE端子をキャビネットの接地バーに接続してください。"),
		mkUnit("m/es/a/tierra", "es-MX", "Puesta a tierra", "Conecte el borne PE a la barra de tierra."),
	}
	for i := 0; i < n; i++ {
		us = append(us, mkUnit(fmt.Sprintf("m/en/doc%d/section", i), "en", fmt.Sprintf("Section %d", i), fmt.Sprintf("Parameter P%d sets the ramp time of motor %d.", i, i)))
	}
	return us
}

// servers remembers the ports behind each test target.
var servers = map[*publish.Target][2]int{}

func target(t testing.TB) *publish.Target {
	t.Helper()
	srv := weaviatetest.Start(t)
	c, err := publish.Connect(context.Background(), "http://"+srv.Host(), srv.GRPCHost(), "")
	if err != nil {
		t.Fatal(err)
	}
	tg := &publish.Target{Client: c, Alias: "KnowledgeUnit"}
	servers[tg] = [2]int{srv.HTTPPort, srv.GRPCPort}
	return tg
}

func pub(t *testing.T, tg *publish.Target, us []*knowledge.Unit, o publish.Options) publish.Result {
	t.Helper()
	res, err := publish.Publish(context.Background(), tg, us, o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func hits(t *testing.T, tg *publish.Target, q publish.Query) []string {
	t.Helper()
	hs, err := publish.Search(context.Background(), tg, q)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, h := range hs {
		ids = append(ids, h.UnitID)
	}
	return ids
}

func TestIncrementalPublish(t *testing.T) {
	ctx := context.Background()
	tg := target(t)
	us := corpus(50)
	if r := pub(t, tg, us, publish.Options{DryRun: true}); r.Plan.Count(publish.OpAdd) != 53 || r.Written != 0 {
		t.Fatalf("dry run: %+v", r.Plan)
	}
	if c, _ := tg.Resolve(ctx); c != "" {
		t.Fatalf("dry run created %s", c)
	}
	if r := pub(t, tg, us, publish.Options{BatchSize: 20}); r.Written != 53 {
		t.Fatalf("first publish wrote %d", r.Written)
	}
	if r := pub(t, tg, us, publish.Options{}); r.Written != 0 || r.Deleted != 0 {
		t.Fatalf("second publish: %+v", r)
	}
	changed := *us[5]
	changed.Body = "Parameter P2 sets the ramp time of motor 2 (changed)."
	next, _ := knowledge.Revise(us[5], changed)
	us[5] = &next
	if r := pub(t, tg, us, publish.Options{}); r.Written != 1 || r.Deleted != 0 {
		t.Fatalf("one changed unit: %+v", r)
	}
	retired, _ := knowledge.Retire(*us[6])
	us[6] = &retired
	if r := pub(t, tg, us, publish.Options{}); r.Written != 0 || r.Deleted != 1 {
		t.Fatalf("one retired unit: %+v", r)
	}

	// Keyword search in every script, filters through the alias.
	if ids := hits(t, tg, publish.Query{Text: "接地排"}); len(ids) == 0 || ids[0] != "m/zh/a/接地" {
		t.Errorf("Chinese query: %v", ids)
	}
	if ids := hits(t, tg, publish.Query{Text: "接地バー", Language: "ja"}); len(ids) != 1 || ids[0] != "m/ja/a/接地" {
		t.Errorf("Japanese query: %v", ids)
	}
	if ids := hits(t, tg, publish.Query{Text: "tierra", Language: "es", Access: "customer"}); len(ids) != 1 {
		t.Errorf("Spanish query with filters: %v", ids)
	}
	if ids := hits(t, tg, publish.Query{Text: "tierra", Access: "public"}); len(ids) != 0 {
		t.Errorf("customer unit shown to the public: %v", ids)
	}

	// Drift: an object edited by hand, one deleted, one stray.
	live, _ := tg.Resolve(ctx)
	id := publish.ObjectID(us[10].ID)
	objs, err := tg.Client.Data().ObjectsGetter().WithClassName(live).WithID(id).Do(ctx)
	if err != nil || len(objs) != 1 {
		t.Fatal(err)
	}
	props := objs[0].Properties.(map[string]any)
	props["body"] = "tampered"
	if err := tg.Client.Data().Updater().WithClassName(live).WithID(id).WithProperties(props).WithMerge().Do(ctx); err != nil {
		t.Fatal(err)
	}
	if err := tg.Client.Data().Deleter().WithClassName(live).WithID(publish.ObjectID(us[11].ID)).Do(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := tg.Client.Batch().ObjectsBatcher().WithObjects(&models.Object{Class: live, ID: strfmt.UUID(publish.ObjectID("stray")), Properties: map[string]any{"unit_id": "stray"}}).Do(ctx); err != nil {
		t.Fatal(err)
	}
	if r := pub(t, tg, us, publish.Options{}); r.Written != 1 || r.Deleted != 1 {
		t.Fatalf("plain publish after drift should fix the deleted object and the stray only: %+v", r)
	}
	if r := pub(t, tg, us, publish.Options{Repair: true}); r.Written != 1 || r.Deleted != 0 {
		t.Fatalf("repair should rewrite the tampered object: %+v", r)
	}
	if r := pub(t, tg, us, publish.Options{Repair: true}); r.Written != 0 || r.Deleted != 0 {
		t.Fatalf("repair after repair: %+v", r)
	}
}

func TestReindexAndRollbackKeepSearchesAnswering(t *testing.T) {
	ctx := context.Background()
	tg := target(t)
	clock := time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	tg.Now = func() time.Time { clock = clock.Add(time.Minute); return clock }
	us := corpus(300)
	pub(t, tg, us, publish.Options{})
	first, _ := tg.Resolve(ctx)

	var failures, answered atomic.Int64
	var firstErr atomic.Value
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			hs, err := publish.Search(ctx, tg, publish.Query{Text: "ramp time motor", Limit: 3})
			if err != nil || len(hs) == 0 {
				if failures.Add(1) == 1 {
					firstErr.Store(fmt.Sprintf("%d hits, error %v", len(hs), err))
				}
			} else {
				answered.Add(1)
			}
		}
	}()
	res, err := publish.Reindex(ctx, tg, us, publish.Options{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	if res.Previous != first || res.Current == first || res.Objects != len(us) {
		t.Fatalf("reindex: %+v", res)
	}
	from, to, err := publish.Rollback(ctx, tg, "")
	if err != nil || from != res.Current || to != first {
		t.Fatalf("rollback: %s → %s, %v", from, to, err)
	}
	if live, _ := tg.Resolve(ctx); live != first {
		t.Errorf("alias points to %s after rollback, want %s", live, first)
	}
	// A third collection makes reindex drop the oldest beyond keep=2.
	tg.Alias = "KnowledgeUnit"
	res3, err := publish.Reindex(ctx, tg, us, publish.Options{}, 2)
	if err != nil {
		t.Fatal(err)
	}
	close(stop)
	wg.Wait()
	if failures.Load() > 0 || answered.Load() == 0 {
		t.Errorf("searches during reindex/rollback: %d answered, %d failed (first: %v)", answered.Load(), failures.Load(), firstErr.Load())
	}
	all, _ := tg.Collections(ctx)
	if len(all) != 2 || all[len(all)-1] != res3.Current || strings.Join(res3.Dropped, ",") != first {
		t.Errorf("collections after third reindex: %v (dropped %v)", all, res3.Dropped)
	}
	if _, _, err := publish.Rollback(ctx, tg, "KnowledgeUnit_19990101000000"); err == nil {
		t.Error("rollback to a missing collection succeeded")
	}
}
