package textio

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"
)

// readCodecs are the codecs textio reads, with an extension of each, and
// whether their data is known by its first bytes.
var readCodecs = []struct {
	name, ext string
	magic     bool
}{
	{"gzip", ".gz", true}, {"bzip2", ".bz2", true}, {"zstd", ".zst", true},
	{"deflate", ".deflate", false}, {"snappy", ".snappy", false}, {"lz4", ".lz4", false},
}

// bzip2Streams holds, by content, the bzip2 streams the tests use: Go has
// no bzip2 writer, so they were made by bzip2 1.0.8 -9.
var bzip2Streams = map[string]string{
	"hello\nworld\n": "BZh91AY&SYk_\xb1\xdd\x00\x00\x02A\x80\x00\x10\x06D\x90\x80 \x001\x0c\x08!\xa3i\x08\x07#\xae\x87\x8b\xb9\"\x9c(H5\xaf\xd8\xee\x80",
	"\xef\xbb\xbfid,name\r\n1,x\n\xef\xbb\xbfkept\n": "BZh91AY&SY2\xf1*M\x00\x00\x0bY\x89\x00\x12\x00\x04 \x00&+D@\x00\x08\x80\x00\xa0\x00!\xa8\x1a4\xd3\xca4(i\xa6\x00*S\xbe\xb2`\x9f\x04\xa3\xb6\x91#\x83\xe2\xeeH\xa7\x0a\x12\x06^%I\xa0",
	"": "BZh9\x17rE8P\x90\x00\x00\x00\x00",
}

// compress returns data as one stream of codec, made by its Go library
// (bzip2: one made by the bzip2 tool, see bzip2Streams; snappy and lz4:
// one block of one chunk, as Hadoop frames them).
func compress(t testing.TB, codec string, data []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	switch codec {
	case "gzip":
		w := gzip.NewWriter(&buf)
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case "bzip2":
		z, ok := bzip2Streams[string(data)]
		if !ok {
			t.Fatalf("no bzip2 stream holds %q", data)
		}
		return []byte(z)
	case "xz":
		w, err := xz.NewWriter(&buf)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case "zstd":
		w, err := zstd.NewWriter(&buf, zstd.WithZeroFrames(true)) // a frame for no input too, as zstd(1) writes
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case "deflate": // Hadoop's DefaultCodec: zlib
		w := zlib.NewWriter(&buf)
		w.Write(data)
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
	case "snappy", "lz4":
		return hadoopFramed(t, codec, len(data)+1, string(data))
	default:
		t.Fatalf("no writer for %s", codec)
	}
	return buf.Bytes()
}

// hadoopFramed frames blocks as Hadoop's BlockCompressorStream does with
// codec (snappy or lz4): each block its length, then its bytes cut into
// chunks of at most chunk bytes, each compressed and prefixed by its
// length. Hadoop writes an empty output as one block of length 0.
func hadoopFramed(t testing.TB, codec string, chunk int, blocks ...string) []byte {
	t.Helper()
	var out []byte
	for _, b := range blocks {
		out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
		for len(b) > 0 {
			part := []byte(b[:min(chunk, len(b))])
			b = b[len(part):]
			var z []byte
			switch codec {
			case "snappy":
				z = snappy.Encode(nil, part)
			case "lz4":
				z = make([]byte, lz4.CompressBlockBound(len(part)))
				n, err := lz4.CompressBlock(part, z, nil)
				if err != nil || n == 0 {
					t.Fatalf("lz4: %d, %v", n, err)
				}
				z = z[:n]
			default:
				t.Fatalf("no Hadoop framing for %s", codec)
			}
			out = binary.BigEndian.AppendUint32(out, uint32(len(z)))
			out = append(out, z...)
		}
	}
	return out
}

const hello = "hello\nworld\n"

// TestCompressedLines reads each codec by extension (in any case), one
// stream and several concatenated (as pbzip2, pigz and zstd -T write
// them, or cat of compressed files).
func TestCompressedLines(t *testing.T) {
	for _, c := range readCodecs {
		one := compress(t, c.name, []byte(hello))
		two := append(bytes.Clone(one), one...)
		for _, tc := range []struct {
			name string
			data []byte
			want []string
		}{
			{"a.txt" + c.ext, one, []string{"hello", "world"}},
			{"A.TXT" + strings.ToUpper(c.ext), one, []string{"hello", "world"}},
			{"two.txt" + c.ext, two, []string{"hello", "world", "hello", "world"}},
			{"empty" + c.ext, compress(t, c.name, nil), nil},
		} {
			got, err := readSplit(t, tc.name, tc.data, 0, int64(len(tc.data)))
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Errorf("%s: got %q, %v; want %q", tc.name, got, err, tc.want)
			}
		}
	}
	// .zstd is zstd too.
	data := compress(t, "zstd", []byte(hello))
	if got, err := readSplit(t, "a.zstd", data, 0, int64(len(data))); err != nil || len(got) != 2 {
		t.Errorf("a.zstd: got %q, %v", got, err)
	}
}

// TestCompressedDamaged checks that a compressed file cut short at any
// length, with garbage after its stream, with a byte changed or of 0 bytes
// fails with ErrCorrupt naming the file and the codec, never reads as
// fewer or other lines.
func TestCompressedDamaged(t *testing.T) {
	for _, c := range readCodecs {
		name := "d.txt" + c.ext
		one := compress(t, c.name, []byte(hello))
		two := append(bytes.Clone(one), one...)
		check := func(what string, data []byte, wantMsg string) {
			t.Helper()
			got, err := readSplit(t, name, data, 0, int64(len(data)))
			var e *Error
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &e) || e.Path != name || !strings.Contains(err.Error(), wantMsg) {
				t.Errorf("%s %s: got %q, %v; want ErrCorrupt naming the file and saying %q", c.name, what, got, err, wantMsg)
			}
		}
		stream := c.name + " stream, near compressed offset "
		if !c.magic && c.name != "deflate" { // Hadoop's framing: the reader knows where
			stream = c.name + " stream, block at compressed offset "
		}
		for n := 1; n < len(two); n++ {
			if n == len(one) {
				continue // exactly the first stream: a valid file
			}
			check(fmt.Sprintf("cut to %d of %d bytes", n, len(two)), two[:n], stream)
		}
		check("with garbage after the stream", append(bytes.Clone(one), "garbage!\n"...), stream)
		if strings.HasPrefix(stream, c.name+" stream, near") { // Hadoop's framing has no checksum
			flipped := bytes.Clone(one)
			flipped[len(flipped)-2] ^= 0x55 // in the trailing checksum or size
			check("with its checksum changed", flipped, stream)
		}
		check("of 0 bytes", nil, "empty file is not "+c.name+" data")
	}
	// The offsets are the line's in the text and about where in the file
	// the decompressor gave up.
	two := compress(t, "zstd", []byte(strings.Repeat("some text\n", 1000)))
	_, err := readSplit(t, "z.zst", two[:len(two)-4], 0, int64(len(two)-4))
	if want := "textio: z.zst: offset 0: zstd stream, near compressed offset "; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v, want it to start %q", err, want)
	}
}

// TestCompressedReadError checks that a failing read of a compressed file
// is that error, not corrupt data: retrying may succeed.
func TestCompressedReadError(t *testing.T) {
	for _, c := range readCodecs {
		r, err := NewLineReader("x"+c.ext, errReaderAt{}, 100, 0, 100)
		if err == nil {
			_, err = r.Next()
		}
		var e *Error
		if !errors.Is(err, errDisk) || !errors.As(err, &e) || e.Path != "x"+c.ext || errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: got %v, want the I/O error naming the file", c.name, err)
		}
	}
}

// TestCompressedNotAsNamed checks that compressed data is read only
// through the codec its name says: under another name (a plain one, or
// another codec's) it is refused, naming the codec and the extension it
// needs, as is data of a codec textio cannot read. Text that merely starts
// like a bzip2 header is text.
func TestCompressedNotAsNamed(t *testing.T) {
	for _, c := range readCodecs {
		if !c.magic {
			continue
		}
		data := compress(t, c.name, []byte(hello))
		for _, name := range []string{"plain.txt", "noext", "other.txt" + map[bool]string{true: ".zst", false: ".gz"}[c.name == "gzip"]} {
			_, err := readSplit(t, name, data, 0, int64(len(data)))
			var e *Error
			want := "it is " + c.name + " data (starts with "
			if !errors.Is(err, ErrNotText) || !errors.As(err, &e) || e.Path != name || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "but not named "+c.ext+", which decides how it is read: rename it") {
				t.Errorf("%s data named %s: got %v, want ErrNotText saying %q and to rename it %s", c.name, name, err, want, c.ext)
			}
		}
	}
	lz4 := []byte("\x04\x22\x4d\x18\x64\x40\xa7\x0c\x00\x00\x80hello\nworld\n\x00\x00\x00\x00\x30\x30\xf8\x06")
	// The lz4 tool's frame format is not Hadoop's framing, .lz4 or not.
	for _, name := range []string{"hw.txt", "hw.txt.lz4"} {
		if _, err := readSplit(t, name, lz4, 0, int64(len(lz4))); !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), "it is in lz4's frame format (starts with 04 22 4d 18, or 02 21 4c 18), which textio cannot read (it reads gzip, bzip2, zstd, and Hadoop's .deflate, .snappy and .lz4)") {
			t.Errorf("lz4 frame named %s: got %v, want ErrNotText saying it is lz4's frame format", name, err)
		}
	}
	legacy := []byte("\x02\x21\x4c\x18\x0e\x00\x00\x00\xc0hello\nworld\n")
	if _, err := readSplit(t, "hw.txt", legacy, 0, int64(len(legacy))); !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), "it is in lz4's frame format") {
		t.Errorf("legacy lz4 named .txt: got %v, want ErrNotText saying it is lz4", err)
	}
	// Data of a codec known by its magic under a Hadoop codec's name.
	gz := compress(t, "gzip", []byte(hello))
	for _, name := range []string{"g.deflate", "g.snappy", "g.lz4"} {
		if _, err := readSplit(t, name, gz, 0, int64(len(gz))); !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), "it is gzip data (starts with 1f 8b) but not named .gz") {
			t.Errorf("gzip named %s: got %v, want ErrNotText saying it is gzip", name, err)
		}
	}
	xzData := compress(t, "xz", []byte(hello))
	if _, err := readSplit(t, "hw.txt", xzData, 0, int64(len(xzData))); !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), "it is xz-compressed (starts with fd 37 7a 58 5a 00), which textio cannot read") {
		t.Errorf("xz named .txt: got %v, want ErrNotText saying it is xz", err)
	}
	// pzstd starts its files with a skippable frame.
	pz := append([]byte("\x50\x2a\x4d\x18\x04\x00\x00\x00\x00\x00\x00\x00"), compress(t, "zstd", []byte(hello))...)
	if _, err := readSplit(t, "pz.txt", pz, 0, int64(len(pz))); !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), "it is zstd data") {
		t.Errorf("pzstd output named .txt: got %v, want ErrNotText saying it is zstd", err)
	}
	if got, err := readSplit(t, "pz.zst", pz, 0, int64(len(pz))); err != nil || strings.Join(got, ",") != "hello,world" {
		t.Errorf("pzstd output named .zst: got %q, %v", got, err)
	}
	for _, text := range []string{"BZh9 is a bzip2 header\n", "BZh91AY&S\n", "BZh\n"} {
		if got, err := readSplit(t, "bz.txt", []byte(text), 0, int64(len(text))); err != nil || len(got) != 1 {
			t.Errorf("text %q: got %q, %v; want one line", text, got, err)
		}
	}
}

// TestUnreadableCompression checks that files named with the extension of
// a codec textio cannot read are refused, whatever their bytes and split,
// rather than read as their compressed bytes.
func TestUnreadableCompression(t *testing.T) {
	for _, tc := range []struct{ name, codec string }{
		{"a.lzo", "lzo"}, {"a.lzo_deflate", "lzo"}, {"a.br", "brotli"}, {"a.txt.xz", "xz"}, {"a.XZ", "xz"},
	} {
		for _, off := range []int64{0, 3} {
			_, err := readSplit(t, tc.name, []byte(hello), off, 3)
			if want := "it is " + tc.codec + "-compressed (extension " + tc.name[strings.LastIndexByte(tc.name, '.'):] + "), which textio cannot read"; !errors.Is(err, ErrNotText) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "decompress it first") {
				t.Errorf("%s at %d: got %v, want ErrNotText saying %q", tc.name, off, err, want)
			}
		}
	}
}

func TestCompressedNames(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"a.gz", "gzip"}, {"x.tar.GZ", "gzip"}, {"hdfs://nn/d/x.txt.bz2", "bzip2"}, {"x.xz", ""}, {"x.Zst", "zstd"},
		{"x.zstd", "zstd"}, {"x.lz4", "lz4"}, {"x.SNAPPY", "snappy"}, {"x.deflate", "deflate"}, {"x.lzo_deflate", ""}, {"x.txt", ""}, {"gz", ""}, {"mem://a.gz/x", ""}, {"x.gz/", ""},
	} {
		got, ok := Compressed(tc.path)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("Compressed(%q) = %q, %v; want %q", tc.path, got, ok, tc.want)
		}
		if IsGzip(tc.path) != (tc.want == "gzip") {
			t.Errorf("IsGzip(%q) = %v", tc.path, !(tc.want == "gzip"))
		}
	}
}

// FuzzCompressed reads arbitrary bytes as each codec textio reads: it must
// not panic, and it fails only with an *Error matching ErrCorrupt or
// ErrNotText naming the file.
func FuzzCompressed(f *testing.F) {
	for _, c := range readCodecs {
		one := compress(f, c.name, []byte(hello))
		f.Add(uint8(0), one)
		f.Add(uint8(0), one[:len(one)/2])
	}
	f.Fuzz(func(t *testing.T, codec uint8, data []byte) {
		c := readCodecs[int(codec)%len(readCodecs)]
		name := "f.txt" + c.ext
		_, err := readSplit(t, name, data, 0, int64(len(data)), MaxLineLength(1<<20))
		var e *Error
		if err != nil && (!errors.As(err, &e) || e.Path != name || !(errors.Is(err, ErrCorrupt) || errors.Is(err, ErrNotText) || errors.Is(err, ErrLineTooLong))) {
			t.Fatalf("%s: got %v, want an *Error naming the file", c.name, err)
		}
	})
}

// TestZstdWindowTooLarge checks that a valid zstd frame whose window is
// larger than the decoder takes (zstd --long=30) is refused as a file to
// decompress first, not reported as corrupt data.
func TestZstdWindowTooLarge(t *testing.T) {
	// A frame declaring a 1 GiB window (descriptor exponent 20), holding
	// one raw last block of "hello\n".
	frame := []byte("\x28\xb5\x2f\xfd\x00\xa0\x31\x00\x00hello\n")
	_, err := readSplit(t, "w.zst", frame, 0, int64(len(frame)))
	if !errors.Is(err, ErrNotText) || errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "decompress it first") {
		t.Errorf("got %v, want ErrNotText saying to decompress it first", err)
	}
	// The same frame with a 1 KiB window reads.
	frame[5] = 0
	if got, err := readSplit(t, "w.zst", frame, 0, int64(len(frame))); err != nil || strings.Join(got, ",") != "hello" {
		t.Errorf("1 KiB window: got %q, %v", got, err)
	}
}
