package hdfs

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/hdfs/hdfstest"
)

// writeAcrossBlocks writes data (more than 1.5 blocks) to url, injecting
// inject (exception class names) into the addBlock of the third block, and
// returns the Write or Close error.
func writeAcrossBlocks(t *testing.T, c *hdfstest.Cluster, url string, data []byte, inject ...string) error {
	t.Helper()
	w, err := storage.Create(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	half := int(c.BlockSize()) * 3 / 2
	if _, err := w.Write(data[:half]); err != nil {
		t.Fatal(err)
	}
	for _, class := range inject {
		c.InjectError("addBlock", class, "injected")
	}
	if _, err := w.Write(data[half:]); err != nil {
		return err
	}
	return w.Close()
}

// TestAddBlockNotReplicatedYet checks that a write goes on when the namenode
// refuses a new block because the one before the last is not yet reported
// by its datanodes, as a busy namenode does, and that no byte is lost or
// written twice.
func TestAddBlockNotReplicatedYet(t *testing.T) {
	c := startCluster(t, hdfstest.WithBlockSize(64<<10))
	old := addBlockRetry
	addBlockRetry.attempts, addBlockRetry.delay = 3, time.Millisecond
	t.Cleanup(func() { addBlockRetry = old })
	url := c.URL("/nry/f")
	data := randomBytes(7, 4*64<<10+100)
	if err := writeAcrossBlocks(t, c, url, data, notReplicatedYetException, notReplicatedYetException); err != nil {
		t.Fatalf("write with two NotReplicatedYetExceptions: %v", err)
	}
	if got, err := storage.ReadFile(context.Background(), url); err != nil || !bytes.Equal(got, data) {
		t.Errorf("read back: %d bytes (want %d), %v", len(got), len(data), err)
	}
	if n := c.Calls("addBlock"); n != 5+2 {
		t.Errorf("addBlock called %d times, want 5 blocks and 2 retries", n)
	}
}

// TestAddBlockErrors checks that addBlock is retried only for
// NotReplicatedYetException, and only addBlockRetry.attempts times.
func TestAddBlockErrors(t *testing.T) {
	c := startCluster(t, hdfstest.WithBlockSize(64<<10))
	old := addBlockRetry
	addBlockRetry.attempts, addBlockRetry.delay = 3, time.Millisecond
	t.Cleanup(func() { addBlockRetry = old })
	data := randomBytes(8, 3*64<<10)
	for _, tc := range []struct {
		inject []string
		calls  int // addBlock calls, with the two of the first blocks
	}{
		{[]string{"java.io.IOException"}, 3},
		{[]string{notReplicatedYetException, notReplicatedYetException, notReplicatedYetException}, 5},
	} {
		before := c.Calls("addBlock")
		err := writeAcrossBlocks(t, c, c.URL("/nry/"+tc.inject[0]), data, tc.inject...)
		if err == nil || !strings.Contains(err.Error(), tc.inject[0]) {
			t.Errorf("%v: got %v, want the error", tc.inject, err)
		}
		if n := c.Calls("addBlock") - before; n != tc.calls {
			t.Errorf("%v: addBlock called %d times, want %d", tc.inject, n, tc.calls)
		}
	}
}
