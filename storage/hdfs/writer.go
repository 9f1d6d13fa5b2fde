package hdfs

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"path"
	"sync"
	"time"

	hdfs "github.com/colinmarc/hdfs/v2"
	"github.com/crunchgo/crunchgo/storage"
	pb "github.com/crunchgo/crunchgo/storage/hdfs/internal/hadooppb"
	"google.golang.org/protobuf/proto"
)

// closeRetry is how often and how patiently Close asks the namenode to
// complete a file whose last block is not yet replicated (the client's
// ErrReplicating). The delay doubles after each attempt: quick at first,
// about 20 s in all, longer than Hadoop's client waits (12.4 s), since a
// busy namenode may take that long.
var closeRetry = struct {
	attempts int
	delay    time.Duration
}{attempts: 11, delay: 20 * time.Millisecond}

// addBlockRetry is how often and how patiently a namenode connection sends
// an addBlock call again that the namenode refused with
// NotReplicatedYetException (the block before the last is not yet reported
// by its datanodes). The delay doubles after each attempt. These are
// Hadoop's own defaults (dfs.client.block.write.locateFollowingBlock.*):
// 5 retries from 400ms, 12.4s in all.
var addBlockRetry = struct {
	attempts int
	delay    time.Duration
}{attempts: 6, delay: 400 * time.Millisecond}

// Create starts writing name. Data goes to a hidden temporary file in the
// same directory (".<name>._COPYING_<random>", like `hdfs dfs -put`, but
// dot-prefixed so that readers skipping hidden files never see it), which
// Close renames into place. Create fails with fs.ErrExist if name exists,
// and creates missing parent directories.
//
// Close fails with fs.ErrExist if name appeared in the meantime. HDFS's
// rename (as the client calls it) overwrites, so the commit is a check
// followed by the rename: a file created at name by another client between
// the two is replaced.
func (f *FS) Create(ctx context.Context, name string) (storage.Writer, error) {
	name = clean(name)
	if err := ctx.Err(); err != nil {
		return nil, f.fail("create", name, err)
	}
	c, err := f.conn(ctx)
	if err != nil {
		return nil, f.fail("create", name, err)
	}
	if fi, err := c.client.Stat(name); err == nil {
		if fi.IsDir() {
			return nil, f.fail("create", name, fmt.Errorf("a directory is there: %w", fs.ErrExist))
		}
		return nil, f.fail("create", name, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, f.fail("create", name, err)
	}
	dir, base := path.Split(name)
	if err := c.client.MkdirAll(dir, 0o755); err != nil {
		return nil, f.fail("create", name, err)
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := path.Join(dir, "."+base+"._COPYING_"+hex.EncodeToString(rnd[:]))
	fw, err := c.client.CreateFile(tmp, c.defaults.Replication, c.defaults.BlockSize, 0o644)
	if err != nil {
		return nil, f.fail("create", name, err)
	}
	w := &writer{fs: f, client: c.client, name: name, tmp: tmp, fw: fw, ctxErr: ctx.Err}
	w.stop = context.AfterFunc(ctx, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		w.discard()
	})
	return w, nil
}

// CreateExclusive implements storage.ExclusiveCreator: the file is created
// under name itself, by one namenode create without overwrite, so that of
// two clients creating it at once exactly one succeeds.
func (f *FS) CreateExclusive(ctx context.Context, name string, data []byte) error {
	name = clean(name)
	if err := ctx.Err(); err != nil {
		return f.fail("create", name, err)
	}
	c, err := f.conn(ctx)
	if err != nil {
		return f.fail("create", name, err)
	}
	if err := c.client.MkdirAll(path.Dir(name), 0o755); err != nil {
		return f.fail("create", name, err)
	}
	fw, err := c.client.CreateFile(name, c.defaults.Replication, c.defaults.BlockSize, 0o644)
	if err != nil {
		return f.fail("create", name, err)
	}
	w := &writer{fs: f, client: c.client, name: name, tmp: name, fw: fw}
	_, err = fw.Write(data)
	if cerr := w.complete(); err == nil {
		err = cerr
	}
	if err != nil {
		c.client.Remove(name) // ours: the create succeeded
		return f.fail("create", name, err)
	}
	return nil
}

type writer struct {
	fs     *FS
	client *hdfs.Client
	name   string // where Close commits
	tmp    string // where the data goes until then
	fw     *hdfs.FileWriter
	ctxErr func() error // ctx.Err of the Create call
	stop   func() bool  // stops the cancellation callback

	mu   sync.Mutex
	done bool  // committed, aborted or cancelled
	err  error // the first write error; the file can only be discarded
}

// discard stops writing and removes the temporary file; w.mu must be held.
// It returns the error of the removal, if any.
func (w *writer) discard() error {
	if w.done {
		return nil
	}
	w.done = true
	// Closing the client's writer releases its datanode connection and
	// goroutines; it may complete the temporary file, which is removed next.
	w.fw.Close()
	err := w.client.Remove(w.tmp)
	if errors.Is(err, fs.ErrNotExist) {
		err = nil
	}
	return err
}

// closedErr explains why w is no longer writable.
func (w *writer) closedErr(op string) error {
	if err := w.ctxErr(); err != nil {
		return w.fs.fail(op, w.name, err)
	}
	return w.fs.fail(op, w.name, fs.ErrClosed)
}

func (w *writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return 0, w.closedErr("write")
	}
	if w.err != nil {
		return 0, w.err
	}
	if len(p) == 0 {
		// The client allocates a block even for an empty write; a file
		// whose last block never reached a datanode may never complete.
		return 0, nil
	}
	n, err := w.fw.Write(p)
	if err != nil {
		w.err = w.fs.fail("write", w.name, fmt.Errorf("writing %s: %w", w.tmp, err))
		return n, w.err
	}
	return n, nil
}

// Close finishes the temporary file and renames it into place.
func (w *writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return w.closedErr("close")
	}
	if !w.stop() { // ctx is done; its callback waits for w.mu
		w.discard()
		return w.closedErr("close")
	}
	if w.err != nil {
		w.discard()
		return w.err
	}
	if err := w.complete(); err != nil {
		w.discard()
		return w.fs.fail("close", w.name, fmt.Errorf("finishing %s: %w", w.tmp, err))
	}
	w.done = true
	c := w.client
	if _, err := c.Stat(w.name); err == nil {
		c.Remove(w.tmp)
		return w.fs.fail("close", w.name, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		c.Remove(w.tmp)
		return w.fs.fail("close", w.name, err)
	}
	if err := c.Rename(w.tmp, w.name); err != nil {
		c.Remove(w.tmp)
		return w.fs.fail("close", w.name, fmt.Errorf("renaming %s into place: %w", w.tmp, err))
	}
	return nil
}

// complete closes the client's writer, retrying while the namenode reports
// that the last block is not yet replicated. Only that error is retried:
// after any other, closing again could commit a short file.
func (w *writer) complete() error {
	delay := closeRetry.delay
	for i := 1; ; i++ {
		err := w.fw.Close()
		if !hdfs.IsErrReplicating(err) {
			return err
		}
		if i == closeRetry.attempts {
			return fmt.Errorf("the namenode did not complete the file after %d attempts: %w", i, err)
		}
		time.Sleep(delay)
		delay *= 2
	}
}

// Abort discards the file; after Close it does nothing.
func (w *writer) Abort() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.done {
		return nil
	}
	w.stop()
	if err := w.discard(); err != nil {
		return w.fs.fail("abort", w.name, fmt.Errorf("removing %s: %w", w.tmp, err))
	}
	return nil
}

// notReplicatedYetException is the namenode's answer to addBlock while the
// block before the file's last is not yet reported by its datanodes.
const notReplicatedYetException = "org.apache.hadoop.hdfs.server.namenode.NotReplicatedYetException"

// addBlockRetryConn is a namenode connection that sends an addBlock call
// again while the namenode answers NotReplicatedYetException, as Hadoop's
// client does. The writer cannot retry it: when addBlock fails, the
// client's FileWriter has already dropped the block it just finished, so
// a retried Write asks for a block without naming the previous one, which
// the namenode refuses. The call's own bytes name it.
//
// The client sends each call in one Write and reads its reply before the
// next call, holding the connection: other calls wait out the backoff.
type addBlockRetryConn struct {
	net.Conn
	call  []byte // the addBlock call awaiting its reply, or nil
	reply []byte // what is left of a reply read ahead, for the client
}

func (c *addBlockRetryConn) Write(b []byte) (int, error) {
	c.call = nil
	n, err := c.Conn.Write(b)
	if err == nil && isCall(b, "addBlock") {
		c.call = bytes.Clone(b)
	}
	return n, err
}

func (c *addBlockRetryConn) Read(b []byte) (int, error) {
	if call := c.call; call != nil {
		c.call = nil
		reply, err := c.await(call)
		if err != nil {
			return 0, err
		}
		c.reply = reply
	}
	if len(c.reply) > 0 {
		n := copy(b, c.reply)
		c.reply = c.reply[n:]
		return n, nil
	}
	return c.Conn.Read(b)
}

// await reads the reply to call, sending call again after a backoff while
// the reply is NotReplicatedYetException and attempts remain.
func (c *addBlockRetryConn) await(call []byte) ([]byte, error) {
	delay := addBlockRetry.delay
	for i := 1; ; i++ {
		reply, err := readFrame(c.Conn)
		if err != nil || i >= addBlockRetry.attempts || !notReplicatedYet(reply) {
			return reply, err
		}
		time.Sleep(delay)
		delay *= 2
		if _, err := c.Conn.Write(call); err != nil {
			return nil, err
		}
	}
}

// maxFrame bounds the replies addBlockRetryConn reads ahead (an addBlock
// reply is a few hundred bytes).
const maxFrame = 64 << 20

// readFrame reads one RPC reply: a 4-byte length and that many bytes.
func readFrame(r io.Reader) ([]byte, error) {
	var lb [4]byte
	if _, err := io.ReadFull(r, lb[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(lb[:])
	if n > maxFrame {
		return nil, fmt.Errorf("namenode reply of %d bytes", n)
	}
	b := make([]byte, 4+n)
	copy(b, lb[:])
	_, err := io.ReadFull(r, b[4:])
	return b, err
}

// isCall reports whether b is exactly one plain (not SASL-wrapped) RPC
// call of method: a 4-byte length, then a varint-delimited
// RpcRequestHeaderProto and RequestHeaderProto.
func isCall(b []byte, method string) bool {
	if len(b) < 4 || int(binary.BigEndian.Uint32(b)) != len(b)-4 {
		return false
	}
	var rh pb.RpcRequestHeaderProto
	rest, ok := nextMessage(b[4:], &rh)
	if !ok || rh.GetCallId() < 0 {
		return false
	}
	var h pb.RequestHeaderProto
	_, ok = nextMessage(rest, &h)
	return ok && h.GetMethodName() == method
}

// notReplicatedYet reports whether reply (as readFrame returns it) is a
// NotReplicatedYetException.
func notReplicatedYet(reply []byte) bool {
	var rh pb.RpcResponseHeaderProto
	_, ok := nextMessage(reply[4:], &rh)
	return ok && rh.GetStatus() == pb.RpcResponseHeaderProto_ERROR &&
		rh.GetExceptionClassName() == notReplicatedYetException
}

// nextMessage decodes the varint-delimited message at the start of b into
// m, returning the rest of b.
func nextMessage(b []byte, m proto.Message) ([]byte, bool) {
	n, k := binary.Uvarint(b)
	if k <= 0 || n > uint64(len(b)-k) {
		return nil, false
	}
	if proto.Unmarshal(b[k:k+int(n)], m) != nil {
		return nil, false
	}
	return b[k+int(n):], true
}
