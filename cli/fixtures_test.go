package cli_test

import (
	"bytes"
	"compress/gzip"
	"compress/zlib"
	"encoding/binary"
	"io"
	"math"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/golang/snappy"
	"github.com/hamba/avro/v2"
	"github.com/hamba/avro/v2/ocf"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go"
	"github.com/pierrec/lz4/v4"
	"github.com/ulikunitz/xz"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/parquetio"
)

// play is the Parquet fixture's row.
type play struct {
	User   string   `parquet:"user"`
	Track  string   `parquet:"track"`
	Ms     int64    `parquet:"ms"`
	Score  *float64 `parquet:"score,optional"`
	Genres []string `parquet:"genres,list"`
}

// Fixture records: nested records, a nullable field, an array and a map, in
// an order that is not alphabetical.
type track struct {
	Title string `avro:"title"`
	Secs  int32  `avro:"secs"`
}

type event struct {
	User    string           `avro:"user"`
	Country *string          `avro:"country"`
	Tracks  []track          `avro:"tracks"`
	Tags    map[string]int64 `avro:"tags"`
	Skipped bool             `avro:"skipped"`
}

// floats holds the floats JSON lacks, in every place a value can be.
type floats struct {
	Name string             `avro:"name" parquet:"name"`
	D    float64            `avro:"d" parquet:"d"`
	F    float32            `avro:"f" parquet:"f"`
	Opt  *float64           `avro:"opt" parquet:"opt,optional"`
	Ds   []float64          `avro:"ds" parquet:"ds,list"`
	M    map[string]float64 `avro:"m" parquet:"-"`
}

func floatRows() []floats {
	nan, inf, half := math.NaN(), math.Inf(1), 0.5
	ninf := -inf
	return []floats{
		{Name: "finite", D: 1.5, F: 2.5, Opt: &half, Ds: []float64{0.25}, M: map[string]float64{"a": 1}},
		{Name: "nan", D: nan, F: float32(nan), Opt: &nan, Ds: []float64{nan, inf}, M: map[string]float64{"x": ninf}},
		{Name: "inf", D: inf, F: float32(ninf), Ds: []float64{}, M: map[string]float64{}},
		{Name: "-inf", D: ninf, F: float32(inf), Opt: &ninf, Ds: []float64{ninf}, M: map[string]float64{"y": nan}},
	}
}

// stamp has a time that JSON cannot print: a year after 9999.
type stamp struct {
	ID int32     `avro:"id" parquet:"id"`
	At time.Time `avro:"at" parquet:"at,timestamp(millisecond)"`
}

func stampRows() []stamp {
	return []stamp{
		{1, time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)},
		{2, time.Date(2024, 5, 2, 12, 0, 0, 0, time.UTC)},
		{3, time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)},
		{4, time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)},
	}
}

// clockParquet is a Parquet file of values that are no instants, as DuckDB
// writes them: a timestamp not adjusted to UTC, a time of day and an
// INTERVAL, which no Go struct tag declares.
func clockParquet(t testing.TB) []byte {
	t.Helper()
	schema := parquet.NewSchema("clock", parquet.Group{
		"at":    parquet.TimestampAdjusted(parquet.Microsecond, false),
		"every": parquet.Optional(parquet.IntervalNode()),
		"since": parquet.Time(parquet.Millisecond),
	})
	interval := func(months, days, millis uint32) parquet.Value {
		b := binary.LittleEndian.AppendUint32(nil, months)
		b = binary.LittleEndian.AppendUint32(b, days)
		return parquet.FixedLenByteArrayValue(binary.LittleEndian.AppendUint32(b, millis)).Level(0, 1, 1)
	}
	local := time.Date(2024, 3, 31, 2, 30, 0, 123000000, time.UTC) // a wall clock, no zone
	rows := []parquet.Row{
		{parquet.Int64Value(local.UnixMicro()).Level(0, 0, 0), interval(1, 2, 3004), parquet.Int32Value(13*3600*1000+5).Level(0, 0, 2)},
		{parquet.Int64Value(0).Level(0, 0, 0), parquet.NullValue().Level(0, 0, 1), parquet.Int32Value(0).Level(0, 0, 2)},
	}
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[any](&buf, schema)
	if _, err := w.WriteRows(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// clockAvro is an Avro file of times of day, local timestamps (as Spark
// writes TIMESTAMP_NTZ), a nullable one, and a union of null, string and
// date.
func clockAvro(t testing.TB) []byte {
	wall := time.Date(2024, 3, 30, 2, 30, 0, 123000000, time.Local) // hamba/avro takes the wall clock
	day := time.Date(2022, 1, 8, 0, 0, 0, 0, time.UTC)
	return genericAvro(t, `{"type": "record", "name": "clock", "fields": [
		{"name": "ms", "type": {"type": "int", "logicalType": "time-millis"}},
		{"name": "us", "type": {"type": "long", "logicalType": "time-micros"}},
		{"name": "at", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
		{"name": "maybe", "type": ["null", {"type": "long", "logicalType": "local-timestamp-micros"}]},
		{"name": "either", "type": ["null", "string", {"type": "int", "logicalType": "date"}]}]}`,
		map[string]any{"ms": 13*time.Hour + 5*time.Millisecond, "us": 59 * time.Second, "at": wall,
			"maybe": map[string]any{"long.local-timestamp-micros": wall}, "either": map[string]any{"int.date": day}},
		map[string]any{"ms": time.Duration(0), "us": 23*time.Hour + time.Microsecond, "at": wall,
			"maybe": nil, "either": map[string]any{"string": "text"}})
}

// decimalsAvro is an Avro file of decimals, as bytes and as fixed, which
// Go types cannot declare (avroio derives schemas from them).
func decimalsAvro(t testing.TB) []byte {
	return genericAvro(t, `{"type": "record", "name": "price", "fields": [
		{"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
		{"name": "rate", "type": {"type": "fixed", "name": "rate8", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 4}}]}`,
		map[string]any{"amount": big.NewRat(12345, 100), "rate": big.NewRat(-1, 8)},
		map[string]any{"amount": big.NewRat(-5, 1), "rate": big.NewRat(3, 1)})
}

// nullablesAvro is an Avro file whose fields are nullable unions of each
// kind of type, in both orders of null, as Spark writes them.
func nullablesAvro(t testing.TB) []byte {
	return genericAvro(t, `{"type": "record", "name": "row", "fields": [
		{"name": "st", "type": ["null", {"type": "record", "name": "pt", "fields": [{"name": "x", "type": "int"}, {"name": "y", "type": "int"}]}]},
		{"name": "arr", "type": [{"type": "array", "items": "int"}, "null"]},
		{"name": "m", "type": ["null", {"type": "map", "values": "long"}]},
		{"name": "color", "type": ["null", {"type": "enum", "name": "color", "symbols": ["RED", "GREEN"]}]},
		{"name": "amt", "type": [{"type": "fixed", "name": "amt8", "size": 8, "logicalType": "decimal", "precision": 18, "scale": 2}, "null"]},
		{"name": "n", "type": ["null", "long"]},
		{"name": "day", "type": ["null", {"type": "int", "logicalType": "date"}]},
		{"name": "fx", "type": {"type": "fixed", "name": "two", "size": 2}}]}`,
		map[string]any{"st": map[string]any{"pt": map[string]any{"x": 1, "y": 2}}, "arr": map[string]any{"array": []any{3, 4}},
			"m": map[string]any{"map": map[string]any{"k": int64(5)}}, "color": map[string]any{"color": "GREEN"},
			"amt": map[string]any{"amt8": big.NewRat(-7, 4)}, "n": int64(6), "day": time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC),
			"fx": [2]byte{'x', 'y'}},
		map[string]any{"st": nil, "arr": nil, "m": nil, "color": nil, "amt": nil, "n": nil, "day": nil, "fx": [2]byte{}})
}

// genericAvro encodes rows, generic values, as an Avro file of schema.
func genericAvro(t testing.TB, schema string, rows ...map[string]any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc, err := ocf.NewEncoderWithSchema(avro.MustParse(schema), &buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := enc.Encode(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// avroFile encodes rows as an Avro container file with blocks of two.
func avroFile[T any](t testing.TB, rows []T) []byte {
	t.Helper()
	var buf bytes.Buffer
	fw, err := avroio.NewFileWriter[T](&buf, avroio.WithSyncMarker([16]byte{4, 5, 6}))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range rows {
		if err := fw.Write(r); err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			if err := fw.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// parquetFile encodes rows as a Parquet file with row groups of two.
func parquetFile[T any](t testing.TB, rows []T) []byte {
	t.Helper()
	var buf bytes.Buffer
	pw, err := parquetio.NewWriter[T](&buf, parquetio.RowGroupRows(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// writeFixtures writes the files the file-tool cases read into dir:
// events.avro (deflate, three blocks of 2, 2 and 1 records), events.avro
// truncated in its last block (truncated.avro), the same records in a
// directory with a _SUCCESS marker (out/), lines.txt, lines.txt.gz,
// compressed text (doc.txt.xz, doc.txt.zst with a byte order mark,
// hello.txt.bz2), a gzip file that is not (bad.txt.gz), an lz4 file
// (hello.txt.lz4), zstd data not named so (zstd.log), Avro compressed whole
// (events.avro.gz, events.avro.xz), a file without an extension holding
// Avro (noext), JSON lines named .json as Spark writes them (spark/, one
// file gzipped) and one JSON document (doc.json), Parquet files, and
// floats.avro and floats.parquet (floatRows: NaN and infinities) and
// stamps.avro and stamps.parquet (stampRows: the fourth time does not
// print as JSON), and partitioned tables (ptable/, atable/, held/).
func writeFixtures(t testing.TB, dir string) {
	t.Helper()
	se := "SE"
	events := []event{
		{User: "ada", Country: &se, Tracks: []track{{"Intro", 61}, {"Outro", 122}}, Tags: map[string]int64{"b": 2, "a": 1}},
		{User: "bo", Tracks: []track{}, Tags: map[string]int64{}, Skipped: true},
		{User: "cy", Country: &se, Tracks: []track{{"Åsa ✓", 7}}, Tags: map[string]int64{"x": -1}},
		{User: "dee", Tracks: nil, Tags: nil},
		{User: "eve", Country: &se, Tracks: []track{{"<tag> & \"quote\"", 0}}, Tags: map[string]int64{}},
	}
	var buf bytes.Buffer
	fw, err := avroio.NewFileWriter[event](&buf, avroio.WithCodec(avroio.CodecDeflate), avroio.WithSyncMarker([16]byte{1, 2, 3}),
		avroio.WithMetadata("writer", []byte("crunchgo cli tests")))
	if err != nil {
		t.Fatal(err)
	}
	for i, e := range events {
		if err := fw.Write(e); err != nil {
			t.Fatal(err)
		}
		if i == 1 || i == 3 {
			if err := fw.Flush(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := fw.Close(); err != nil {
		t.Fatal(err)
	}
	avro := buf.Bytes()
	half := 0.5
	var pq bytes.Buffer
	pw, err := parquetio.NewWriter[play](&pq, parquetio.Compression(parquetio.Snappy), parquetio.RowGroupRows(2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := pw.Write([]play{
		{User: "ada", Track: "t1", Ms: 30000, Score: &half, Genres: []string{"jazz", "pop"}},
		{User: "bo", Track: "t2", Ms: 1200},
		{User: "cy", Track: "t1", Ms: 45000, Genres: []string{"rock"}},
	}); err != nil {
		t.Fatal(err)
	}
	if err := pw.Close(); err != nil {
		t.Fatal(err)
	}
	parquet := pq.Bytes()
	hugeFooter := bytes.Clone(parquet)
	copy(hugeFooter[len(hugeFooter)-8:], []byte{0xff, 0xff, 0xff, 0x7f})
	gzLines := gzipped(t, []byte("first line\nsecond, with \"quotes\"\n\nlast without newline"))
	for name, data := range map[string][]byte{
		"events.avro":           avro,
		"truncated.avro":        avro[:len(avro)-20],
		"noext":                 avro,
		"out/part-m-00000.avro": avro,
		"out/part-m-00001.avro": avro,
		"out/_SUCCESS":          nil,
		"lines.txt":             []byte("first line\r\nsecond, with \"quotes\"\n\nlast without newline"),
		"lines.txt.gz":          gzLines,
		"plays.csv":             []byte("\ufeffcountry,track,note\r\nSE,t1,\"two\nlines\"\r\n\r\nUS,t2,\"say \"\"hi\"\"\"\n"),
		"plays.tsv.gz":          gzipped(t, []byte("country\ttrack\nSE\tt1\n")),
		"short.csv":             []byte("a,b\n1,2\n3\n"),
		"dup.csv":               []byte("a,,a,b\n1,2,3,4\n"),
		"events.jsonl":          []byte("{\"user\": \"ada\", \"n\": 1}\n\n  \n[1, 2]\n"),
		"bad.jsonl":             []byte("{\"user\": \"ada\"}\n{\"user\": }\n"),
		"spark/part-0.json":     []byte("\n{\"user\":\"ada\",\"n\":1}\n{\"user\":\"bo\",\"n\":2}\n"),
		"spark/part-1.json.gz":  gzipped(t, []byte("{\"user\":\"cy\",\"n\":3}\n")),
		"spark/_SUCCESS":        nil,
		"doc.json":              []byte("{\n  \"user\": \"ada\",\n  \"n\": 1\n}\n"),
		"bad.txt.gz":            []byte("\x1f\x8b\x08\x00garbage"),
		"zipped.log":            gzLines,
		"events.avro.gz":        gzipped(t, avro),
		"events.avro.xz":        xzCompressed(t, avro),
		"doc.txt.xz":            xzCompressed(t, []byte("first line\nsecond, with \"quotes\"\n\nlast without newline")),
		"doc.txt.zst":           zstdCompressed(t, []byte("\ufefffirst line\r\nsecond, with \"quotes\"\n\nlast without newline")),
		"zstd.log":              zstdCompressed(t, []byte("first line\n")),
		"hello.txt.bz2":         []byte(helloBzip2),
		"hello.txt.lz4":         []byte(helloLZ4),
		"doc.txt.deflate":       append(zlibCompressed(t, []byte("first line\nsecond, ")), zlibCompressed(t, []byte("with \"quotes\"\n\nlast without newline"))...),
		"mr/part-00000.snappy":  hadoopFramed(t, "snappy", "first line\nsecond, ", "with \"quotes\"\n\nlast without newline"),
		"mr/part-00001.lz4":     hadoopFramed(t, "lz4", "hello\n", "world\n"),
		"mr/_SUCCESS":           nil,
		"cut.snappy":            hadoopFramed(t, "snappy", "hello\n", "world\n")[:20],
		"empty.txt":             nil,
		"plays.parquet":         parquet,
		"truncated.parquet":     parquet[:len(parquet)-30],
		"hugefooter.parquet":    hugeFooter,
		"garbled.parquet":       garble(parquet),
		"floats.avro":           avroFile(t, floatRows()),
		"floats.parquet":        parquetFile(t, floatRows()),
		"stamps.avro":           avroFile(t, stampRows()),
		"stamps.parquet":        parquetFile(t, stampRows()),
		"decimals.avro":         decimalsAvro(t),
		"clock.parquet":         clockParquet(t),
		"clock.avro":            clockAvro(t),
		"nullables.avro":        nullablesAvro(t),
		"stamps-avro.txt":       avroFile(t, stampRows()),
		// Partitioned tables, as parquetio.PartitionBy and Spark write
		// them: a null partition, an escaped value, a key the files hold.
		"ptable/dt=2026-11-26/country=SE/part-r-00000.parquet":                         parquetFile(t, []play{{User: "ada", Track: "t1", Ms: 30000}}),
		"ptable/dt=2026-11-26/country=__HIVE_DEFAULT_PARTITION__/part-r-00000.parquet": parquetFile(t, []play{{User: "bo", Track: "t2", Ms: 1200}}),
		"ptable/dt=2026-11-27/country=N%2FA/part-r-00000.parquet":                      parquetFile(t, []play{{User: "cy", Track: "t1", Ms: 45000}}),
		"ptable/_SUCCESS":                        nil,
		"atable/dt=2026-11-26/part-m-00000.avro": avroFile(t, []track{{"Intro", 61}, {"Outro", 122}}),
		"atable/dt=2026-11-27/part-m-00000.avro": avroFile(t, []track{{"Åsa ✓", 7}}),
		"held/user=zed/day=mon/part-0.parquet":   parquetFile(t, []play{{User: "ada", Track: "t1", Ms: 30000}}),
		// As csvio.PartitionBy writes it, but for a key the file holds.
		"ctable/dt=2026-11-26/country=SE/part-m-00000.csv": []byte("user,country\nada,NO\nbo,\n"),
		// JSON lines by day: one day's file empty, one day's directory
		// holding no data file.
		"jtable/dt=2026-11-26/part-0.jsonl": []byte("{\"user\":\"ada\"}\n{\"user\":\"bo\"}\n"),
		"jtable/dt=2026-11-27/part-0.jsonl": {},
		"jtable/dt=2026-11-28/_SUCCESS":     nil,
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// compressed compresses b whole with the writer newWriter makes.
func compressed(t testing.TB, b []byte, newWriter func(io.Writer) (io.WriteCloser, error)) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := newWriter(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gzipped(t testing.TB, b []byte) []byte {
	return compressed(t, b, func(w io.Writer) (io.WriteCloser, error) { return gzip.NewWriter(w), nil })
}

func xzCompressed(t testing.TB, b []byte) []byte {
	return compressed(t, b, func(w io.Writer) (io.WriteCloser, error) { return xz.NewWriter(w) })
}

func zstdCompressed(t testing.TB, b []byte) []byte {
	return compressed(t, b, func(w io.Writer) (io.WriteCloser, error) { return zstd.NewWriter(w) })
}

func zlibCompressed(t testing.TB, b []byte) []byte {
	return compressed(t, b, func(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriter(w), nil })
}

// hadoopFramed frames blocks as Hadoop's SnappyCodec or Lz4Codec writes
// them (BlockCompressorStream): each block its 4-byte big-endian length,
// then one chunk: its compressed length and bytes.
func hadoopFramed(t testing.TB, codec string, blocks ...string) []byte {
	var out []byte
	for _, b := range blocks {
		var z []byte
		if codec == "snappy" {
			z = snappy.Encode(nil, []byte(b))
		} else {
			z = make([]byte, lz4.CompressBlockBound(len(b)))
			n, err := lz4.CompressBlock([]byte(b), z, nil)
			if err != nil {
				t.Fatal(err)
			}
			z = z[:n]
		}
		out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
		out = binary.BigEndian.AppendUint32(out, uint32(len(z)))
		out = append(out, z...)
	}
	return out
}

// helloBzip2 is "hello\nworld\n" compressed by bzip2 1.0.8 -9 (Go has no
// bzip2 writer); helloLZ4 the same by lz4 1.9.4 (an lz4 frame).
const (
	helloBzip2 = "BZh91AY&SYk_\xb1\xdd\x00\x00\x02A\x80\x00\x10\x06D\x90\x80 \x001\x0c\x08!\xa3i\x08\x07#\xae\x87\x8b\xb9\"\x9c(H5\xaf\xd8\xee\x80"
	helloLZ4   = "\x04\x22\x4d\x18\x64\x40\xa7\x0c\x00\x00\x80hello\nworld\n\x00\x00\x00\x00\x30\x30\xf8\x06"
)

// garble overwrites the middle of a file (its column chunks) with bytes that
// are not Parquet, keeping the magic and the footer.
func garble(b []byte) []byte {
	g := bytes.Clone(b)
	for i := 4; i < len(g)/2; i++ {
		g[i] = byte(i * 7)
	}
	return g
}
