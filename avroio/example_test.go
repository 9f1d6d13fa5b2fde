package avroio_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

type Play struct {
	UserID   string `avro:"user_id"`
	MsPlayed int64  `avro:"ms_played"`
}

// Write a container file with one record per block and read it back as
// three byte ranges, as three tasks would: each range reads the blocks whose
// preceding sync marker starts inside it, so every record is read once.
func Example() {
	var buf bytes.Buffer
	w, err := avroio.NewFileWriter[Play](&buf, avroio.WithBlockSize(1))
	if err != nil {
		panic(err)
	}
	for i := range 20 {
		if err := w.Write(Play{UserID: fmt.Sprintf("u%d", i), MsPlayed: int64(i) * 1000}); err != nil {
			panic(err)
		}
	}
	if err := w.Close(); err != nil { // Close writes the last block
		panic(err)
	}

	data := buf.Bytes()
	f, err := avroio.NewFileReader("plays.avro", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		panic(err)
	}
	defer f.Close()
	fmt.Println(f.Schema())
	d, err := avroio.NewDecoder[Play](f)
	if err != nil {
		panic(err)
	}
	third := int64(len(data)+2) / 3
	for off := int64(0); off < int64(len(data)); off += third {
		var users []string
		err := d.ReadRange(context.Background(), off, third, func(p Play) { users = append(users, p.UserID) })
		if err != nil {
			panic(err)
		}
		fmt.Println(users)
	}
	// Output:
	// {"name":"Play","type":"record","fields":[{"name":"user_id","type":"string"},{"name":"ms_played","type":"long"}]}
	// [u0 u1 u2]
	// [u3 u4 u5 u6 u7 u8 u9 u10 u11 u12]
	// [u13 u14 u15 u16 u17 u18 u19]
}

// Read Avro files in a pipeline and write the long plays back out.
func ExampleRead() {
	ctx := context.Background()
	storage.ResetMem("example")
	w, _ := storage.Create(ctx, "mem://example/plays/part-0.avro")
	fw, _ := avroio.NewFileWriter[Play](w)
	for _, p := range []Play{{"ann", 45_000}, {"bob", 2_000}, {"cid", 31_000}} {
		_ = fw.Write(p)
	}
	if err := fw.Close(); err != nil {
		panic(err)
	}
	if err := w.Close(); err != nil {
		panic(err)
	}

	p := pcollection.NewPipeline("long-plays")
	plays := avroio.Read[Play](p, "mem://example/plays")
	long := pcollection.Filter(plays, func(x Play) bool { return x.MsPlayed >= 30_000 })
	avroio.Write(long, "mem://example/long", avroio.WithCodec(avroio.CodecSnappy))
	res, err := mem.Run(ctx, p, runner.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Println("read", res.Counters.Get("avroio", "records read"), "wrote", res.Counters.Get("avroio", "records written"))
	// Output:
	// read 3 wrote 2
}

// A partitioned table read for the days from 2026-11-26 on, in Sweden or
// of no known country: the other partitions' files are not opened.
func ExampleWherePartition() {
	ctx := context.Background()
	storage.ResetMem("example-where")
	for _, dir := range []string{"dt=2026-11-25/country=SE", "dt=2026-11-26/country=SE",
		"dt=2026-11-26/country=NO", "dt=2026-11-27/country=__HIVE_DEFAULT_PARTITION__"} {
		w, _ := storage.Create(ctx, "mem://example-where/plays/"+dir+"/part-0.avro")
		fw, _ := avroio.NewFileWriter[Play](w)
		_ = fw.Write(Play{dir, 1000})
		if err := fw.Close(); err != nil {
			panic(err)
		}
		if err := w.Close(); err != nil {
			panic(err)
		}
	}

	p := pcollection.NewPipeline("recent-swedish-plays")
	from := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	plays := avroio.Read[Play](p, "mem://example-where/plays", avroio.WherePartition(func(part avroio.Partition) bool {
		return !part.Time("dt").Before(from) && (part.Null("country") || part.Value("country") == "SE")
	}))
	users := pcollection.Materialize(pcollection.Map(plays, func(x Play) string { return x.UserID }))
	res, err := mem.Run(ctx, p, runner.Options{})
	if err != nil {
		panic(err)
	}
	got, _ := users.Values()
	slices.Sort(got)
	fmt.Println(got, "files pruned:", res.Counters.Get(avroio.CounterGroup, avroio.CounterFilesPruned))
	// Output:
	// [dt=2026-11-26/country=SE dt=2026-11-27/country=__HIVE_DEFAULT_PARTITION__] files pruned: 2
}
