package publish_test

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kbops/kbops/knowledge"
	"github.com/kbops/kbops/pipeline/embedded"
	"github.com/kbops/kbops/pipeline/publish"
)

// Beyond one machine: three Weaviate nodes on loopback, collections with
// replication factor 3 written and read at QUORUM. With one node stopped,
// searches still answer and a publish still succeeds.
func TestThreeNodeClusterSurvivesOneNodeDown(t *testing.T) {
	if testing.Short() || os.Getenv("KBOPS_CLUSTER_TEST") == "" && os.Getenv("CI") != "true" {
		t.Skip("set KBOPS_CLUSTER_TEST=1 (or CI=true) to start a three-node cluster")
	}
	if _, err := embedded.FindBinary(""); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	var base [3]int
	var raft []string
	for i := range base {
		p, err := embedded.FreeClusterPorts()
		if err != nil {
			t.Fatal(err)
		}
		base[i] = p
		raft = append(raft, fmt.Sprintf("node%d:%d", i, p+2))
	}
	dir := t.TempDir()
	nodes := make([]*embedded.Server, 3)
	errs := make([]error, 3)
	var wg sync.WaitGroup
	for i := range nodes {
		if i == 1 {
			// The others join node 0's gossip port, which opens only after
			// it has loaded its dictionaries.
			deadline := time.Now().Add(2 * time.Minute)
			for time.Now().Before(deadline) {
				if c, err := net.Dial("tcp", "127.0.0.1:"+strconv.Itoa(base[0])); err == nil {
					c.Close()
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			o := embedded.Options{
				Dir: filepath.Join(dir, strconv.Itoa(i)), Node: fmt.Sprintf("node%d", i), ClusterPorts: base[i],
				RaftJoin: raft, BootstrapExpect: 3,
			}
			if i > 0 {
				o.Join = "127.0.0.1:" + strconv.Itoa(base[0])
			}
			nodes[i], errs[i] = embedded.Start(ctx, o)
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("node %d: %v", i, err)
		}
		n := nodes[i]
		t.Cleanup(func() { _ = n.Stop(context.Background()) })
	}
	connect := func(n *embedded.Server) *publish.Target {
		c, err := publish.Connect(ctx, "http://"+n.Host(), n.GRPCHost(), "")
		if err != nil {
			t.Fatal(err)
		}
		return &publish.Target{Client: c, Alias: "KnowledgeUnit", Consistency: "QUORUM", Replication: 3}
	}
	tg := connect(nodes[0])
	us := corpus(30)
	if r := pub(t, tg, us, publish.Options{}); r.Written != len(us) {
		t.Fatalf("first publish: %+v", r)
	}
	if err := nodes[2].Stop(ctx); err != nil {
		t.Fatal(err)
	}
	if ids := hits(t, connect(nodes[1]), publish.Query{Text: "接地排"}); len(ids) == 0 || ids[0] != "m/zh/a/接地" {
		t.Errorf("search with a node down: %v", ids)
	}
	changed := *us[4]
	changed.Body += " Changed while a node was down."
	next, _ := knowledge.Revise(us[4], changed)
	us[4] = &next
	if r := pub(t, tg, us, publish.Options{}); r.Written != 1 {
		t.Fatalf("publish with a node down: %+v", r)
	}
}
