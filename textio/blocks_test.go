package textio

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/golang/snappy"
)

// TestHadoopBlocks reads Hadoop's snappy and lz4 framing: several blocks,
// blocks of several chunks with lines across them, an empty output (one
// block of length 0, as Hadoop writes it), a block of length 0 at the end
// (as Hadoop writes after a last write larger than its buffer) or before
// more blocks (files concatenated whole), and a last line without a
// newline.
func TestHadoopBlocks(t *testing.T) {
	var long strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&long, "line %d of a text long enough for several chunks\n", i)
	}
	for _, codec := range []string{"snappy", "lz4"} {
		ext := "." + codec
		for _, tc := range []struct {
			name string
			data []byte
			want []string
		}{
			{"blocks", hadoopFramed(t, codec, 1<<10, "one\ntwo\n", "three\n", "four\n"), []string{"one", "two", "three", "four"}},
			{"chunks", hadoopFramed(t, codec, 5, "a line cut into chunks\nsecond\n", "x\n"), []string{"a line cut into chunks", "second", "x"}},
			{"empty", hadoopFramed(t, codec, 1, ""), nil},
			{"no newline", hadoopFramed(t, codec, 4, "first\n", "last without newline"), []string{"first", "last without newline"}},
			{"empty block last", hadoopFramed(t, codec, 8, "one\n", ""), []string{"one"}},
			{"empty block first", hadoopFramed(t, codec, 8, "", "after\n"), []string{"after"}},
			{"concatenated", append(hadoopFramed(t, codec, 3, "a\nb\n"), hadoopFramed(t, codec, 3, "c\n")...), []string{"a", "b", "c"}},
			{"compressible", hadoopFramed(t, codec, 1<<20, strings.Repeat("ab\n", 300000)), slices.Repeat([]string{"ab"}, 300000)},
			{"long", hadoopFramed(t, codec, 64<<10, long.String()[:300000], long.String()[300000:]), refLines(long.String())},
		} {
			name := tc.name + ext
			got, err := readSplit(t, name, tc.data, 0, int64(len(tc.data)))
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: got %d lines %.60q, %v; want %d lines %.60q", name, len(got), got, err, len(tc.want), tc.want)
			}
		}
	}
}

// TestDeflateStreams reads .deflate as Hadoop's DefaultCodec writes it, a
// zlib stream, and several one after another, an empty one included.
func TestDeflateStreams(t *testing.T) {
	one := compress(t, "deflate", []byte("first\nsecond"))
	empty := compress(t, "deflate", nil)
	var data []byte
	data = append(data, one...)
	data = append(data, empty...)
	data = append(data, compress(t, "deflate", []byte("\nthird\n"))...)
	data = append(data, empty...)
	for _, tc := range []struct {
		data []byte
		want []string
	}{
		{one, []string{"first", "second"}},
		{empty, nil},
		{data, []string{"first", "second", "third"}},
	} {
		got, err := readSplit(t, "d.deflate", tc.data, 0, int64(len(tc.data)))
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%x: got %q, %v; want %q", tc.data, got, err, tc.want)
		}
	}
	// A zlib stream with a preset dictionary, which Hadoop does not write.
	var buf bytes.Buffer
	w, _ := zlib.NewWriterLevelDict(&buf, zlib.DefaultCompression, []byte("dict"))
	w.Write([]byte("x\n"))
	w.Close()
	if _, err := readSplit(t, "dict.deflate", buf.Bytes(), 0, int64(buf.Len())); !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "textio: dict.deflate: offset 0: deflate stream, near compressed offset ") {
		t.Errorf("zlib with a dictionary: got %v, want ErrCorrupt naming the file", err)
	}
}

// TestHadoopBlocksCorrupt checks that framing that does not add up fails
// with ErrCorrupt naming the file and where in it the bad block and chunk
// start, never reads as fewer lines.
func TestHadoopBlocksCorrupt(t *testing.T) {
	for _, codec := range []string{"snappy", "lz4"} {
		hw := hadoopFramed(t, codec, 100, hello) // 12 bytes in one block of one chunk at 4
		z := len(hw) - 8                         // the chunk's compressed length
		two := hadoopFramed(t, codec, 100, "one\n", "two\n")
		for _, tc := range []struct {
			what string
			data []byte
			want string
		}{
			{"cut in a block length", hw[:2], "block at compressed offset 0: the file ends inside its 4-byte length"},
			{"cut in the second block length", two[:len(two)/2+2], fmt.Sprintf("block at compressed offset %d: the file ends inside its 4-byte length", len(two)/2)},
			{"cut in a chunk length", hw[:6], "block at compressed offset 0 of 12 bytes: chunk at compressed offset 4: the file ends inside its 4-byte length"},
			{"cut in a chunk", hw[:len(hw)-1], fmt.Sprintf("block at compressed offset 0 of 12 bytes: chunk at compressed offset 4 of %d bytes: the file ends after %d of them", z, z-1)},
			{"cut after a chunk", hadoopFramed(t, codec, 6, hello)[:len(hadoopFramed(t, codec, 6, "hello\n"))], "block at compressed offset 0 of 12 bytes: the file ends after 6 of them"},
			{"block longer than its chunks", append([]byte{0, 0, 0, 13}, hw[4:]...), "block at compressed offset 0 of 13 bytes: the file ends after 12 of them"},
			{"block shorter than its chunk", append([]byte{0, 0, 0, 11}, hw[4:]...), fmt.Sprintf("block at compressed offset 0 of 11 bytes: chunk at compressed offset 4 of %d bytes: %s (it may decode to at most 11: the bytes left of its block, and 255 per compressed byte)", z, map[string]string{"snappy": "it declares 12 decoded bytes", "lz4": "lz4: invalid source or destination buffer too short"}[codec])},
			{"huge block", []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0}, "block at compressed offset 0 declares 4294967295 bytes, more than Hadoop's framing can (2147483647)"},
			{"huge chunk", []byte{0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0}, "block at compressed offset 0 of 1 bytes: chunk at compressed offset 4 declares 4294967295 compressed bytes"},
			{"empty chunk", []byte{0, 0, 0, 1, 0, 0, 0, 0}, "block at compressed offset 0 of 1 bytes: chunk at compressed offset 4 declares 0 compressed bytes"},
			{"garbage chunk", []byte{0, 0, 0, 5, 0, 0, 0, 3, 0xff, 0xff, 0xff}, "block at compressed offset 0 of 5 bytes: chunk at compressed offset 4 of 3 bytes: " + map[string]string{"snappy": "snappy: corrupt input", "lz4": "lz4: invalid source or destination buffer too short"}[codec] + " (it may decode to at most 5: the bytes left of its block, and 255 per compressed byte)"},
			{"garbage after", append(bytes.Clone(hw), 1, 2), fmt.Sprintf("block at compressed offset %d: the file ends inside its 4-byte length", len(hw))},
			{"text", []byte(hello), "block at compressed offset 0 of 1751477356 bytes: chunk at compressed offset 4 of 1862956911 bytes: the file ends after 4 of them"},
		} {
			name := "c.txt." + codec
			got, err := readSplit(t, name, tc.data, 0, int64(len(tc.data)))
			want := ": " + codec + " stream, " + tc.want + ": corrupt data"
			var e *Error
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &e) || e.Path != name || !strings.HasPrefix(err.Error(), "textio: "+name+": offset ") || !strings.Contains(err.Error(), want) {
				t.Errorf("%s %s: got %q, %v; want ErrCorrupt naming the file and saying %q", codec, tc.what, got, err, want)
			}
		}
	}
	// A snappy chunk declaring more than its block has left, or than a
	// chunk its size can hold, is refused before the bytes are allocated.
	big := snappy.Encode(nil, bytes.Repeat([]byte("a"), 100000)) // a few KiB
	for _, tc := range []struct {
		block uint32
		chunk []byte
		want  string
	}{
		{99999, big, "it declares 100000 decoded bytes (it may decode to at most 99999: "},
		{1<<31 - 1, big[:10], fmt.Sprintf("it declares 100000 decoded bytes (it may decode to at most %d: ", 255*10)},
	} {
		data := binary.BigEndian.AppendUint32(nil, tc.block)
		data = binary.BigEndian.AppendUint32(data, uint32(len(tc.chunk)))
		data = append(data, tc.chunk...)
		_, err := readSplit(t, "s.snappy", data, 0, int64(len(data)))
		if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("snappy chunk in a block of %d: got %v, want ErrCorrupt saying %q", tc.block, err, tc.want)
		}
	}
}

// FuzzHadoopBlocks reads arbitrary bytes as Hadoop's snappy and lz4
// framing: it must not panic, fail only with a blockError, and allocate
// in proportion to the bytes read (a chunk decodes to at most maxExpansion
// bytes per compressed byte), whatever lengths the bytes declare.
func FuzzHadoopBlocks(f *testing.F) {
	for _, codec := range []string{"snappy", "lz4"} {
		many := hadoopFramed(f, codec, 7, "one\ntwo\n", "", "three\n")
		f.Add(codec == "lz4", many)
		f.Add(codec == "lz4", many[:len(many)-3])
		// A block of 16 MiB whose one chunk is 5 bytes (for snappy,
		// declaring 16 MiB decoded).
		f.Add(codec == "lz4", []byte{1, 0, 0, 0, 0, 0, 0, 5, 0x80, 0x80, 0x80, 0x08, 0})
	}
	f.Fuzz(func(t *testing.T, isLZ4 bool, data []byte) {
		newReader := newSnappyReader
		if isLZ4 {
			newReader = newLZ4Reader
		}
		r, _ := newReader(bytes.NewReader(data))
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := io.Copy(io.Discard, r)
		runtime.ReadMemStats(&after)
		if be := (*blockError)(nil); err != nil && !errors.As(err, &be) {
			t.Fatalf("got %v, want a blockError", err)
		}
		if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(1<<20+2*maxExpansion*len(data)); got > limit {
			t.Fatalf("allocated %d bytes reading %d, more than %d", got, len(data), limit)
		}
	})
}
