package avroio_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
)

// A block whose data is damaged fails its read as corrupt, naming the
// block, for the codecs whose fixtures another implementation wrote; the
// lenient mode skips it.
func TestCorruptCompressedBlock(t *testing.T) {
	for _, name := range []string{"events_bzip2.avro", "events_xz.avro"} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			f := openBytes(t, name, b)
			var second *avroio.Block
			i := 0
			for blk, err := range f.Blocks(0, -1) {
				if err != nil {
					t.Fatal(err)
				}
				if i++; i == 2 {
					second = blk
					break
				}
			}
			if second == nil {
				t.Fatal("no second block")
			}
			bad := bytes.Clone(b)
			// A byte in the middle of the second block's compressed data
			// (between its count and size and its sync marker).
			bad[second.Offset+(second.Size-16)/2] ^= 0x55
			got, err := readRange[Event](t, openBytes(t, name, bad), 0, -1)
			var ce *avroio.CorruptError
			if !errors.As(err, &ce) || ce.Block != 1 || !strings.Contains(err.Error(), fmt.Sprintf("%s: block 1 at offset %d", name, second.Offset)) {
				t.Fatalf("err = %v, want a corrupt block 1 at offset %d", err, second.Offset)
			}
			if !reflect.DeepEqual(got, events(3)) {
				t.Errorf("delivered %d records before the error, want 3", len(got))
			}
			got = readAll[Event](t, openBytes(t, name, bad, avroio.Lenient()))
			if want := append(events(3), events(9)[6:]...); !reflect.DeepEqual(got, want) {
				t.Errorf("lenient read: %d records, want %d", len(got), len(want))
			}
		})
	}
}

// A block that decompresses to more than WithMaxBlockSize is refused as
// corrupt, whatever its compressed size.
func TestDecompressedBlockLimit(t *testing.T) {
	type blob struct {
		B string `avro:"b"`
	}
	recs := []blob{{strings.Repeat("a", 200_000)}}
	for _, codec := range []avroio.Codec{avroio.CodecDeflate, avroio.CodecSnappy, avroio.CodecZstandard, avroio.CodecXZ} {
		t.Run(string(codec), func(t *testing.T) {
			b := writeFile(t, recs, avroio.WithCodec(codec))
			if got := readAll[blob](t, openBytes(t, "big.avro", b)); !reflect.DeepEqual(got, recs) {
				t.Fatal("the file does not read back")
			}
			_, err := readRange[blob](t, openBytes(t, "big.avro", b, avroio.WithMaxBlockSize(100_000)), 0, -1)
			if !errors.Is(err, avroio.ErrCorrupt) || !strings.Contains(err.Error(), "exceeds") {
				t.Errorf("err = %v, want a corrupt block exceeding the limit", err)
			}
		})
	}
}

// An xz block whose dictionary is larger than WithMaxBlockSize is refused
// before the library allocates it (Python's liblzma, like Avro's Java
// writer at its default level, uses an 8 MiB dictionary).
func TestXZDictionaryLimit(t *testing.T) {
	_, err := readRange[Event](t, openFixture(t, "events_xz.avro", avroio.WithMaxBlockSize(1<<20)), 0, -1)
	if !errors.Is(err, avroio.ErrCorrupt) || !strings.Contains(err.Error(), "block 0 at offset") ||
		!strings.Contains(err.Error(), "xz: dictionary of 8388608 bytes exceeds the block size limit of 1048576 bytes") {
		t.Errorf("err = %v", err)
	}
	if got := readAll[Event](t, openFixture(t, "events_xz.avro", avroio.WithMaxBlockSize(8<<20))); len(got) != 9 {
		t.Errorf("with an 8 MiB limit: %d records, want 9", len(got))
	}
}
