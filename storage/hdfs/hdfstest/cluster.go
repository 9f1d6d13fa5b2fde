package hdfstest

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"path"
	"sync"
	"testing"
	"time"

	"google.golang.org/protobuf/proto"
)

// DefaultBlockSize is the block size of a Cluster started without
// WithBlockSize: small, so that modest test files span several blocks.
const DefaultBlockSize = 1 << 20

// DefaultListingLimit is how many entries one getListing reply holds by
// default (Hadoop's dfs.ls.limit); longer listings are paged.
const DefaultListingLimit = 1000

// Option configures a Cluster.
type Option func(*options)

type options struct {
	blockSize    int64
	listLimit    int
	standby      bool
	datanodeHost string
	latency      time.Duration
}

// WithLatency delays every namenode call and every datanode operation by d
// before it is served, as a network round trip and a busy server would: on
// loopback both take microseconds, which hides what a client does one call
// at a time that it could do at once.
func WithLatency(d time.Duration) Option {
	return func(o *options) { o.latency = d }
}

// WithBlockSize sets the cluster's default block size (a positive multiple
// of 512).
func WithBlockSize(n int64) Option {
	return func(o *options) { o.blockSize = n }
}

// WithListingLimit sets how many entries one getListing reply holds, so that
// tests can exercise the client's paging.
func WithListingLimit(n int) Option {
	return func(o *options) { o.listLimit = n }
}

// WithStandbyNamenode also starts a second namenode that answers every call
// with org.apache.hadoop.ipc.StandbyException, as the standby of an HA pair
// does. Its address is StandbyAddr; list it first in an HA configuration to
// test client failover.
func WithStandbyNamenode() Option {
	return func(o *options) { o.standby = true }
}

// WithDatanodeHostname sets the host name the datanode advertises (used by
// clients with dfs.client.use.datanode.hostname=true). The default is
// "localhost"; the advertised IP address is always 127.0.0.1.
func WithDatanodeHostname(host string) Option {
	return func(o *options) { o.datanodeHost = host }
}

// Cluster is a running in-process namenode and datanode. All state is in
// memory and is discarded when the test that started the cluster ends.
type Cluster struct {
	opts options

	nn, dn, sb net.Listener
	wg         sync.WaitGroup

	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}

	ns namespace

	// Fault injection, guarded by mu.
	failWriteAfter int64 // bytes the datanode still accepts before dying; <0 when disarmed
	failWriteEvery int64 // re-arm failWriteAfter with this after each failure; <0: fire once
	failCompletes  int
	corruptReads   int
	standbyCalls   int
	injected       map[string][]*remoteError
	held           map[string][]chan struct{} // replies kept back, by method
	releases       []func()
	calls          map[string]int
}

// Start starts a namenode and a datanode on 127.0.0.1 (random ports) and
// shuts them down, closing every connection, when the test ends.
func Start(t testing.TB, opts ...Option) *Cluster {
	t.Helper()
	c, err := start(opts...)
	if err != nil {
		t.Fatalf("hdfstest: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// New starts a cluster like Start, for code without a testing.TB (examples,
// benchmarks harnesses, demos). The caller must call Close.
func New(opts ...Option) (*Cluster, error) { return start(opts...) }

func start(opts ...Option) (*Cluster, error) {
	o := options{blockSize: DefaultBlockSize, listLimit: DefaultListingLimit, datanodeHost: "localhost"}
	for _, opt := range opts {
		opt(&o)
	}
	if o.blockSize <= 0 || o.blockSize%chunkSize != 0 {
		return nil, fmt.Errorf("block size %d is not a positive multiple of %d", o.blockSize, chunkSize)
	}
	if o.listLimit <= 0 {
		return nil, fmt.Errorf("listing limit %d is not positive", o.listLimit)
	}
	c := &Cluster{
		opts:           o,
		conns:          map[net.Conn]struct{}{},
		failWriteAfter: -1,
		failWriteEvery: -1,
		injected:       map[string][]*remoteError{},
		held:           map[string][]chan struct{}{},
		calls:          map[string]int{},
	}
	c.ns.init()
	var err error
	if c.nn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return nil, err
	}
	if c.dn, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		c.nn.Close()
		return nil, err
	}
	if o.standby {
		if c.sb, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			c.nn.Close()
			c.dn.Close()
			return nil, err
		}
		c.serve(c.sb, func(conn net.Conn) { c.serveRPC(conn, true) })
	}
	c.serve(c.nn, func(conn net.Conn) { c.serveRPC(conn, false) })
	c.serve(c.dn, c.serveData)
	return c, nil
}

// Addr is the namenode's RPC address, host:port.
func (c *Cluster) Addr() string { return c.nn.Addr().String() }

// DatanodeAddr is the datanode's data transfer address, host:port.
func (c *Cluster) DatanodeAddr() string { return c.dn.Addr().String() }

// StandbyAddr is the address of the always-standby namenode started by
// WithStandbyNamenode, or "" without that option.
func (c *Cluster) StandbyAddr() string {
	if c.sb == nil {
		return ""
	}
	return c.sb.Addr().String()
}

// URL returns "hdfs://<namenode address><p>"; p should be absolute.
func (c *Cluster) URL(p string) string {
	return "hdfs://" + c.Addr() + path.Clean("/"+p)
}

// BlockSize is the cluster's default block size.
func (c *Cluster) BlockSize() int64 { return c.opts.blockSize }

// FailDatanodeWritesAfter makes the datanode accept n more bytes of block
// data (counted over all block writes) and then drop the write connection it
// is serving without an ack, as a crashed datanode would. It fires once.
func (c *Cluster) FailDatanodeWritesAfter(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failWriteAfter, c.failWriteEvery = n, -1
}

// FailDatanodeWritesEvery is FailDatanodeWritesAfter that re-arms itself
// after each failure: the datanode keeps failing writes after accepting n
// bytes, like a datanode that keeps crashing, until disarmed with n < 0.
func (c *Cluster) FailDatanodeWritesEvery(n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failWriteAfter, c.failWriteEvery = n, n
}

// CorruptReads makes the datanode corrupt the first packet of the next n
// block reads it serves (one byte flipped after the checksum was computed),
// which clients must detect.
func (c *Cluster) CorruptReads(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.corruptReads = n
}

// FailCompletes makes the next n complete calls answer false ("the last
// block is not yet replicated"), which clients see as a retryable
// condition.
func (c *Cluster) FailCompletes(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failCompletes = n
}

// StandbyFor makes the next n namenode calls fail with
// org.apache.hadoop.ipc.StandbyException.
func (c *Cluster) StandbyFor(n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.standbyCalls = n
}

// InjectError makes the next call of method (a ClientProtocol method name
// such as "getFileInfo") fail with the given Java exception class and
// message, for example "org.apache.hadoop.security.AccessControlException".
func (c *Cluster) InjectError(method, exceptionClass, message string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.injected[method] = append(c.injected[method], &remoteError{class: exceptionClass, msg: message})
}

// HoldReply makes the namenode keep back its reply to the next call of
// method until release is called or the cluster closes, as a namenode
// paused for garbage collection would. Later calls on the same connection
// wait behind it; a client that gave up waiting finds the late reply in
// front of the reply to its next call.
func (c *Cluster) HoldReply(method string) (release func()) {
	ch := make(chan struct{})
	var once sync.Once
	release = func() { once.Do(func() { close(ch) }) }
	c.mu.Lock()
	defer c.mu.Unlock()
	c.held[method] = append(c.held[method], ch)
	c.releases = append(c.releases, release)
	return release
}

// takeHold returns what the reply to a call of method must wait for, if
// HoldReply asked for that (on the active namenode only).
func (c *Cluster) takeHold(standby bool, method string) <-chan struct{} {
	if standby {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	q := c.held[method]
	if len(q) == 0 {
		return nil
	}
	c.held[method] = q[1:]
	return q[0]
}

// Calls reports how many times method has been called on the active
// namenode, including calls that failed.
func (c *Cluster) Calls(method string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls[method]
}

// Close stops both servers, closes every open connection and waits for all
// of the cluster's goroutines to exit. It is safe to call more than once.
func (c *Cluster) Close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	for conn := range c.conns {
		conn.Close()
	}
	releases := c.releases
	c.mu.Unlock()
	for _, release := range releases {
		release()
	}
	c.nn.Close()
	c.dn.Close()
	if c.sb != nil {
		c.sb.Close()
	}
	c.wg.Wait()
}

// serve accepts connections on ln until it is closed, running handle for
// each one on its own goroutine.
func (c *Cluster) serve(ln net.Listener, handle func(net.Conn)) {
	c.wg.Add(1)
	go func() {
		defer c.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			c.mu.Lock()
			if c.closed {
				c.mu.Unlock()
				conn.Close()
				return
			}
			c.conns[conn] = struct{}{}
			c.wg.Add(1)
			c.mu.Unlock()
			go func() {
				defer c.wg.Done()
				defer func() {
					c.mu.Lock()
					delete(c.conns, conn)
					c.mu.Unlock()
					conn.Close()
				}()
				handle(conn)
			}()
		}
	}()
}

// readDelimited reads a varint length and that many bytes of message from r.
func readDelimited(r *bufio.Reader, m proto.Message) error {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return err
	}
	if n > maxMessage {
		return fmt.Errorf("message of %d bytes is too long", n)
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return err
	}
	return proto.Unmarshal(b, m)
}

// splitDelimited returns the first varint-delimited message in b and the
// rest of b.
func splitDelimited(b []byte) (msg, rest []byte, err error) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, nil, errors.New("truncated length-delimited message")
	}
	return b[k : k+int(n)], b[k+int(n):], nil
}

// appendDelimited appends m, preceded by its varint length, to b.
func appendDelimited(b []byte, m proto.Message) ([]byte, error) {
	mb, err := proto.Marshal(m)
	if err != nil {
		return nil, err
	}
	b = binary.AppendUvarint(b, uint64(len(mb)))
	return append(b, mb...), nil
}

const maxMessage = 64 << 20

func millis(t time.Time) uint64 { return uint64(t.UnixMilli()) }
