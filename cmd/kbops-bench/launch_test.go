package main

import (
	"context"
	"os"
	"strconv"
	"testing"
)

// The test binary is the launcher too, and with allocTestEnv set a child
// that holds that many MiB.
const allocTestEnv = "KBOPS_BENCH_TEST_ALLOC_MIB"

func TestMain(m *testing.M) {
	if f := os.Getenv(launchEnv); f != "" {
		os.Exit(launch(f, os.Args[1:]))
	}
	if v := os.Getenv(allocTestEnv); v != "" {
		n, _ := strconv.Atoi(v)
		b := make([]byte, n<<20)
		for i := 0; i < len(b); i += 4096 {
			b[i] = 1
		}
		os.Exit(int(b[0]) - 1)
	}
	os.Exit(m.Run())
}

// A step's peak RSS is the child's own: not the bench's memory, which
// a child started directly reports as its own (Linux keeps the
// pre-exec high-water mark of a vforked child), and all of what the child
// itself held.
func TestStepRSSIsTheChildsOwn(t *testing.T) {
	held := make([]byte, 600<<20)
	for i := 0; i < len(held); i += 4096 {
		held[i] = 1
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	small, err := runChild(ctx, []string{allocTestEnv + "=1"}, self)
	if err != nil {
		t.Fatal(err)
	}
	big, err := runChild(ctx, []string{allocTestEnv + "=300"}, self)
	if err != nil {
		t.Fatal(err)
	}
	if small.rssKiB > 100<<10 || small.rssKiB == 0 {
		t.Errorf("a child holding 1 MiB, started by a bench holding 600 MiB: peak RSS %d MiB, want its own few MiB", small.rssKiB>>10)
	}
	if big.rssKiB < 300<<10 || big.rssKiB > 450<<10 {
		t.Errorf("a child holding 300 MiB: peak RSS %d MiB", big.rssKiB>>10)
	}
	if held[4096] != 1 {
		t.Fatal("lost the held memory")
	}
}
