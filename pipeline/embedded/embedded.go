// Package embedded runs a local, single-node weaviate-server for kbops: the
// Weaviate that kbops uses when kbops.yaml names no cluster. Its data lives
// under the workspace (.kbops/weaviate); it listens on loopback only, on
// configured or free ports; the Chinese (gse) and Japanese (kagome)
// tokenizers are enabled so keyword search works in every target language.
package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// InstallHint tells the user how to get the server binary.
const InstallHint = "install it with `go install github.com/weaviate/weaviate/cmd/weaviate-server@v1.35.2` (or `make tools`), or set weaviate.embedded.binary in kbops.yaml"

// ErrNotInstalled is returned when no weaviate-server binary is found.
var ErrNotInstalled = errors.New("weaviate-server not found")

// GoBinary finds a program installed the Go way: on PATH, else in $GOBIN,
// else in each $GOPATH/bin, else in ~/go/bin (the default GOPATH), where
// `go install` and `make tools` put it.
func GoBinary(name string) (string, bool) {
	if p, err := exec.LookPath(name); err == nil {
		return p, true
	}
	var dirs []string
	if gobin := os.Getenv("GOBIN"); gobin != "" {
		dirs = append(dirs, gobin)
	}
	if gopath := os.Getenv("GOPATH"); gopath != "" {
		for _, p := range filepath.SplitList(gopath) {
			dirs = append(dirs, filepath.Join(p, "bin"))
		}
	}
	if home, err := os.UserHomeDir(); err == nil {
		dirs = append(dirs, filepath.Join(home, "go", "bin"))
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, true
		}
	}
	return "", false
}

// FindBinary returns the weaviate-server to run: the configured path, else
// PATH, else $GOBIN, else $GOPATH/bin (default ~/go/bin).
func FindBinary(configured string) (string, error) {
	if configured != "" {
		if st, err := os.Stat(configured); err != nil || st.IsDir() {
			return "", fmt.Errorf("%w at %s (weaviate.embedded.binary); %s", ErrNotInstalled, configured, InstallHint)
		}
		return configured, nil
	}
	if p, ok := GoBinary("weaviate-server"); ok {
		return p, nil
	}
	return "", fmt.Errorf("%w on PATH, in GOBIN or GOPATH/bin; %s", ErrNotInstalled, InstallHint)
}

// Options start a server.
type Options struct {
	// Binary is the weaviate-server path; "" finds it with FindBinary.
	Binary string
	// Dir holds the data (Dir/data), the log (Dir/server.log) and the
	// state file (Dir/server.json).
	Dir string
	// HTTPPort and GRPCPort on 127.0.0.1; 0 picks free ports.
	HTTPPort, GRPCPort int
	// Detach keeps the server running after this process exits
	// (`kbops weaviate start`); otherwise it is stopped with Stop.
	Detach bool
	// ReadyTimeout bounds the wait for readiness (default 2 minutes: the
	// Chinese dictionary takes a few seconds to load on a small machine).
	ReadyTimeout time.Duration

	// Multi-node settings, for testing replication on one machine; zero
	// values give a single node.
	//
	// Node is the node name (default "kbops").
	Node string
	// ClusterPorts is the first of four consecutive ports (gossip, data,
	// raft, raft RPC); 0 finds a free block.
	ClusterPorts int
	// Join is the gossip address (127.0.0.1:port) of a node to join.
	Join string
	// RaftJoin lists "node:raftport" of all voters; BootstrapExpect is
	// their number.
	RaftJoin        []string
	BootstrapExpect int

	// Env are extra NAME=value settings, applied after kbops's own so
	// that they win: tests run a server with API keys and RBAC on
	// (anonymous access off) to check what a front-end's role may read.
	Env []string
}

// FreeClusterPorts returns the first of n consecutive free loopback ports,
// for Options.ClusterPorts.
func FreeClusterPorts() (int, error) { return freeBlock(4) }

// Info describes a running server; it is stored in Dir/server.json.
type Info struct {
	PID       int       `json:"pid"`
	HTTPPort  int       `json:"http_port"`
	GRPCPort  int       `json:"grpc_port"`
	StartedAt time.Time `json:"started_at"`
	Binary    string    `json:"binary"`
}

// Host is the HTTP host:port.
func (i Info) Host() string { return "127.0.0.1:" + strconv.Itoa(i.HTTPPort) }

// GRPCHost is the gRPC host:port.
func (i Info) GRPCHost() string { return "127.0.0.1:" + strconv.Itoa(i.GRPCPort) }

// Server is a server started by this process.
type Server struct {
	Info
	dir string
	cmd *exec.Cmd
}

func stateFile(dir string) string { return filepath.Join(dir, "server.json") }

// Start starts weaviate-server and waits until it is ready. When a server
// recorded in Dir is already running, Start fails with a message saying so.
func Start(ctx context.Context, o Options) (*Server, error) {
	if info, ok := Running(o.Dir); ok {
		return nil, fmt.Errorf("embedded Weaviate already running (pid %d, http://%s); stop it with `kbops weaviate stop`", info.PID, info.Host())
	}
	bin, err := FindBinary(o.Binary)
	if err != nil {
		return nil, err
	}
	ports := map[string]*int{"http_port": &o.HTTPPort, "grpc_port": &o.GRPCPort}
	for key, p := range ports {
		if *p != 0 {
			if err := portFree(*p); err != nil {
				return nil, fmt.Errorf("embedded Weaviate: port %d (weaviate.embedded.%s) on 127.0.0.1 is already in use; stop what uses it, or set weaviate.embedded.%s to another port or 0 for any free port", *p, key, key)
			}
		}
	}
	free, err := freePorts(2)
	if err != nil {
		return nil, fmt.Errorf("embedded Weaviate: find free ports: %w", err)
	}
	if o.HTTPPort == 0 {
		o.HTTPPort = free[0]
	}
	if o.GRPCPort == 0 {
		o.GRPCPort = free[1]
	}
	// Cluster-internal ports come as a block of four consecutive ports,
	// the layout weaviate-server expects between gossip, data and raft.
	cluster := o.ClusterPorts
	if cluster == 0 {
		if cluster, err = freeBlock(4); err != nil {
			return nil, fmt.Errorf("embedded Weaviate: find free ports: %w", err)
		}
	}
	node, expect := o.Node, o.BootstrapExpect
	if node == "" {
		node = "kbops"
	}
	if expect == 0 {
		expect = 1
	}
	if err := os.MkdirAll(filepath.Join(o.Dir, "data"), 0o755); err != nil {
		return nil, fmt.Errorf("embedded Weaviate: %w", err)
	}
	logPath := filepath.Join(o.Dir, "server.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("embedded Weaviate: %w", err)
	}
	defer logf.Close()
	cmd := exec.Command(bin, "--scheme", "http", "--host", "127.0.0.1", "--port", strconv.Itoa(o.HTTPPort),
		"--read-timeout", "600s", "--write-timeout", "600s")
	cmd.Env = append(os.Environ(),
		"PERSISTENCE_DATA_PATH="+filepath.Join(o.Dir, "data"),
		"AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED=true",
		"DEFAULT_VECTORIZER_MODULE=none",
		"DISABLE_TELEMETRY=true",
		"GO_PROFILING_DISABLE=true",
		"ENABLE_TOKENIZER_GSE_CH=true",
		"ENABLE_TOKENIZER_KAGOME_JA=true",
		"CLUSTER_HOSTNAME="+node,
		"CLUSTER_IN_LOCALHOST=true",
		"CLUSTER_BIND_ADDR=127.0.0.1",
		"CLUSTER_ADVERTISE_ADDR=127.0.0.1",
		"CLUSTER_GOSSIP_BIND_PORT="+strconv.Itoa(cluster+0),
		"CLUSTER_DATA_BIND_PORT="+strconv.Itoa(cluster+1),
		"RAFT_PORT="+strconv.Itoa(cluster+2),
		"RAFT_INTERNAL_RPC_PORT="+strconv.Itoa(cluster+3),
		"RAFT_BOOTSTRAP_EXPECT="+strconv.Itoa(expect),
		"GRPC_PORT="+strconv.Itoa(o.GRPCPort),
		"QUERY_DEFAULTS_LIMIT=100",
		// BlockMax-WAND in weaviate-server 1.35.2 (the newest the module
		// proxy serves) drops matches from limited BM25 results while
		// they are in the memtable (weaviate/weaviate#11780) and after a
		// flush until compaction (#12022): results changed for minutes
		// after a publish. New collections keep the classic inverted
		// format, and queries on ones created before use WAND, which is
		// exact. Lift both when the binary has those fixes.
		"USE_INVERTED_SEARCHABLE=false",
		"USE_BLOCKMAX_WAND=false",
		"LOG_LEVEL=warning",
		"LOG_FORMAT=text",
	)
	if o.Join != "" {
		cmd.Env = append(cmd.Env, "CLUSTER_JOIN="+o.Join)
	}
	if len(o.RaftJoin) > 0 {
		cmd.Env = append(cmd.Env, "RAFT_JOIN="+strings.Join(o.RaftJoin, ","))
	}
	cmd.Env = append(cmd.Env, o.Env...)
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group: a Ctrl-C meant for kbops must not kill a
	// server that `kbops weaviate start` left running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s := &Server{Info: Info{PID: cmd.Process.Pid, HTTPPort: o.HTTPPort, GRPCPort: o.GRPCPort, StartedAt: time.Now().UTC(), Binary: bin}, dir: o.Dir, cmd: cmd}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	timeout := o.ReadyTimeout
	if timeout == 0 {
		timeout = 2 * time.Minute
	}
	if err := waitReady(ctx, s.Info, timeout, exited); err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("embedded Weaviate did not start: %w; last lines of %s:\n%s", err, logPath, tail(logPath, 5))
	}
	b, _ := json.MarshalIndent(s.Info, "", "  ")
	if err := os.WriteFile(stateFile(o.Dir), b, 0o644); err != nil {
		_ = s.Stop(context.Background())
		return nil, fmt.Errorf("embedded Weaviate: write %s: %w", stateFile(o.Dir), err)
	}
	if o.Detach {
		_ = cmd.Process.Release()
	}
	return s, nil
}

// Dir is the folder the server keeps its data and state in.
func (s *Server) Dir() string { return s.dir }

// Stop stops the server this process started.
func (s *Server) Stop(ctx context.Context) error {
	err := stopPID(ctx, s.PID)
	_ = os.Remove(stateFile(s.dir))
	return err
}

// Running reports the server recorded in dir if it is alive and ready.
func Running(dir string) (Info, bool) {
	b, err := os.ReadFile(stateFile(dir))
	if err != nil {
		return Info{}, false
	}
	var info Info
	if json.Unmarshal(b, &info) != nil || info.PID <= 0 {
		return Info{}, false
	}
	if syscall.Kill(info.PID, 0) != nil || !isWeaviate(info) {
		return info, false
	}
	return info, ready(info)
}

// StopDir stops the server recorded in dir: SIGTERM, then SIGKILL after
// the grace period. It reports false when none was running.
func StopDir(ctx context.Context, dir string) (bool, error) {
	b, err := os.ReadFile(stateFile(dir))
	if err != nil {
		return false, nil
	}
	var info Info
	if err := json.Unmarshal(b, &info); err != nil || info.PID <= 0 {
		_ = os.Remove(stateFile(dir))
		return false, nil
	}
	if syscall.Kill(info.PID, 0) != nil || !isWeaviate(info) {
		// Dead, or the pid was reused by another program after a reboot:
		// never signal a process that is not weaviate-server.
		_ = os.Remove(stateFile(dir))
		return false, nil
	}
	err = stopPID(ctx, info.PID)
	_ = os.Remove(stateFile(dir))
	return true, err
}

func stopPID(ctx context.Context, pid int) error {
	if err := syscall.Kill(pid, syscall.SIGTERM); err != nil {
		if errors.Is(err, syscall.ESRCH) {
			return nil
		}
		return fmt.Errorf("stop weaviate-server (pid %d): %w", pid, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if syscall.Kill(pid, 0) != nil || isZombie(pid) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	return nil
}

// isWeaviate reports whether the recorded pid still runs the binary that
// was started (where /proc cannot tell, it trusts the state file).
func isWeaviate(info Info) bool {
	exe, err := os.Readlink("/proc/" + strconv.Itoa(info.PID) + "/exe")
	if err != nil {
		return true
	}
	exe = strings.TrimSuffix(exe, " (deleted)")
	if info.Binary != "" {
		if want, err := filepath.EvalSymlinks(info.Binary); err == nil && want == exe {
			return true
		}
	}
	return strings.Contains(filepath.Base(exe), "weaviate")
}

// isZombie reports an exited child not yet reaped by its parent.
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 && i+2 < len(s) {
		return s[i+2] == 'Z'
	}
	return false
}

func ready(info Info) bool {
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + info.Host() + "/v1/.well-known/ready")
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func waitReady(ctx context.Context, info Info, timeout time.Duration, exited <-chan error) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if ready(info) {
			return nil
		}
		select {
		case err := <-exited:
			return fmt.Errorf("weaviate-server exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return fmt.Errorf("not ready after %s", timeout)
}

func portFree(p int) error {
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p))
	if err != nil {
		return err
	}
	return l.Close()
}

func freePorts(n int) ([]int, error) {
	var ls []net.Listener
	defer func() {
		for _, l := range ls {
			l.Close()
		}
	}()
	var out []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		ls = append(ls, l)
		out = append(out, l.Addr().(*net.TCPAddr).Port)
	}
	return out, nil
}

// freeBlock finds n consecutive free loopback ports and returns the first.
func freeBlock(n int) (int, error) {
	for try := 0; try < 50; try++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return 0, err
		}
		base := l.Addr().(*net.TCPAddr).Port
		l.Close()
		if base+n > 65535 {
			continue
		}
		ok := true
		for p := base; p < base+n && ok; p++ {
			ok = portFree(p) == nil
		}
		if ok {
			return base, nil
		}
	}
	return 0, errors.New("no block of free ports")
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log)"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return "  " + strings.Join(lines, "\n  ")
}
