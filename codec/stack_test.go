package codec_test

import (
	"reflect"
	"testing"

	"github.com/crunchgo/crunchgo/codec"
)

type stackRecord struct {
	Name   string
	Ms     int64
	Tags   []string
	Where  *string
	Counts map[string]int32
}

// atDepth calls f under n more frames, so that f starts at a chosen
// distance from the end of its goroutine's stack.
//
//go:noinline
func atDepth(n int, f func()) {
	var pad [64]byte
	if n > 0 {
		atDepth(n-1, f)
	} else {
		f()
	}
	_ = pad
}

// TestCodingWhileTheStackMoves encodes and decodes on fresh goroutines at
// every depth up to a few stack sizes, so that in some calls the goroutine's
// stack grows, and moves, part way through. Append and Decode keep the value
// on the stack by hiding its address from escape analysis: a stack move at
// the wrong moment left them reading, or decoding into, the old stack. That
// happened under -race, whose pointer checks added a call at that moment,
// and gave zero values and garbage; run this test with -race to check it.
func TestCodingWhileTheStackMoves(t *testing.T) {
	c := codec.MustFor[stackRecord]()
	city := "Köln"
	want := stackRecord{"u008", 57102, []string{"t", "t"}, &city, map[string]int32{"a": 1}} // one map entry: map order varies
	enc := c.Append(nil, want)
	failures := 0
	for depth := range 1000 {
		done := make(chan struct{})
		go atDepth(depth, func() {
			defer close(done)
			got := c.Append(nil, want)
			v, n, err := c.Decode(enc)
			if string(got) != string(enc) || err != nil || n != len(enc) || !reflect.DeepEqual(v, want) {
				failures++
				if failures <= 3 {
					t.Errorf("at depth %d: Append gave %x, want %x; Decode gave %+v, %d, %v", depth, got, enc, v, n, err)
				}
			}
		})
		<-done
	}
}
