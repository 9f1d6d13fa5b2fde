package hadoop

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"testing"
)

func TestDecodeText(t *testing.T) {
	long := bytes.Repeat([]byte("x"), 300)
	for _, tc := range []struct {
		in      []byte
		want    []byte
		wantErr bool
	}{
		{[]byte{0}, []byte{}, false},
		{append([]byte{3}, "abc"...), []byte("abc"), false},
		{append([]byte{0x8E, 0x01, 0x2C}, long...), long, false}, // VInt 300
		{append([]byte{4}, "abc"...), nil, true},                 // short
		{append([]byte{2}, "abc"...), nil, true},                 // trailing byte
		{[]byte{0xFF}, nil, true},                                // negative length
		{[]byte{0x8E, 0x01}, nil, true},                          // truncated VInt
		{nil, nil, true},
	} {
		got, err := decodeText(tc.in)
		if (err != nil) != tc.wantErr || !bytes.Equal(got, tc.want) {
			t.Errorf("decodeText(%x) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestSteering(t *testing.T) {
	for _, key := range [][]byte{nil, {0}, {0, 0xFF}, []byte("abc"), {1, 0, 2}} {
		for want := range 3 {
			k, err := appendSteered(nil, 1, key, want, 3)
			if err != nil {
				t.Fatal(err)
			}
			if got := hadoopPartition(hashJava(1, k), 3); got != want {
				t.Errorf("key %x steered to reducer %d, want %d", key, got, want)
			}
			back, err := unsteer(nil, k[1:])
			if err != nil || !bytes.Equal(back, key) {
				t.Errorf("unsteer(steer(%x)) = %x, %v", key, back, err)
			}
		}
	}
	// Order: steered keys sort like the keys, prefixes included.
	a, _ := appendSteered(nil, 0, []byte("a"), 1, 3)
	ab, _ := appendSteered(nil, 0, []byte("a\x00"), 1, 3)
	b, _ := appendSteered(nil, 0, []byte("b"), 1, 3)
	if !(bytes.Compare(a, ab) < 0 && bytes.Compare(ab, b) < 0) {
		t.Errorf("steered keys out of order: %x %x %x", a, ab, b)
	}
}

// FuzzFrames feeds arbitrary bytes to the map input decoding: it must
// return errors, never panic, and a clean EOF only at a frame boundary.
func FuzzFrames(f *testing.F) {
	f.Add([]byte{0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 'x'})
	f.Add([]byte{0, 0, 0, 1})
	f.Add([]byte{0xFF, 0xFF, 0xFF, 0xFF})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := &frameReader{r: bufio.NewReader(bytes.NewReader(b))}
		for range 1000 {
			_, v, err := r.pair(nil, nil)
			if err == io.EOF {
				if r.off != int64(len(b)) {
					t.Fatalf("EOF at offset %d of %d", r.off, len(b))
				}
				return
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					t.Fatalf("bare EOF wrapped mid-frame: %v", err)
				}
				return
			}
			_, _ = decodeText(v)
			_, _ = unsteer(nil, v)
		}
	})
}
