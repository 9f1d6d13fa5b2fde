package hdfs

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/storage"
)

// silentNamenode accepts connections and never answers, as a hung namenode
// or a firewall that drops packets does.
func silentNamenode(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { c.Close() })
		}
	}()
	return ln.Addr().String()
}

// TestSilentNamenode checks that a namenode that never answers fails a
// call after readTimeout, and that a cancelled context ends the wait at
// once.
func TestSilentNamenode(t *testing.T) {
	t.Setenv("HADOOP_CONF_DIR", t.TempDir())
	t.Setenv("HADOOP_USER_NAME", "etl")
	defer readTimeout.Store(readTimeout.Load())
	readTimeout.Store(int64(100 * time.Millisecond))
	addr := silentNamenode(t)
	_, err := NewFS(context.Background(), mustParse(t, "hdfs://"+addr+"/x"))
	if err == nil || !strings.Contains(err.Error(), "connecting to namenode "+addr) || !strings.Contains(err.Error(), "no answer from "+addr+" for 100ms") {
		t.Errorf("got %v, want no answer from the namenode", err)
	}

	readTimeout.Store(int64(time.Hour))
	addr = silentNamenode(t)
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(50*time.Millisecond, func() { cancel(errors.New("interrupted")) })
	_, err = NewFS(ctx, mustParse(t, "hdfs://"+addr+"/x"))
	if err == nil || !strings.Contains(err.Error(), "interrupted") {
		t.Errorf("cancelled: got %v, want the cause", err)
	}
}

// TestLateReply checks that a namenode call that times out fails alone: the
// namenode's late reply to it must not be taken for the reply to a later
// call, which would leave every reply after it one call behind.
func TestLateReply(t *testing.T) {
	c := startCluster(t)
	ctx := context.Background()
	url := c.URL("/late/f")
	if err := storage.WriteFile(ctx, url, []byte("data")); err != nil {
		t.Fatal(err)
	}
	defer readTimeout.Store(readTimeout.Load())
	readTimeout.Store(int64(100 * time.Millisecond))
	release := c.HoldReply("getFileInfo")
	_, err := storage.Stat(ctx, url)
	if err == nil || !strings.Contains(err.Error(), "no answer from "+c.Addr()+" for 100ms") {
		t.Fatalf("stat while the namenode holds its reply: got %v, want no answer for 100ms", err)
	}
	readTimeout.Store(int64(time.Minute))
	release()
	for i := range 3 {
		if _, err := storage.Stat(ctx, url); err != nil {
			t.Errorf("stat %d after the late reply: %v", i, err)
		}
	}
	if b, err := storage.ReadFile(ctx, url); err != nil || string(b) != "data" {
		t.Errorf("read after the late reply: got %q, %v", b, err)
	}
}
