package avroio_test

import (
	"bytes"
	"context"
	"fmt"

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

// Write a container file with one record per block and read it back as two
// byte ranges: the first range owns only the block after the header's sync
// marker (the header is most of it); the second owns the rest.
func Example() {
	var buf bytes.Buffer
	w, err := avroio.NewFileWriter[Play](&buf, avroio.WithCodec(avroio.CodecDeflate), avroio.WithBlockSize(1))
	if err != nil {
		panic(err)
	}
	for i := range 5 {
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
	half := int64(len(data)) / 2
	for _, r := range [][2]int64{{0, half}, {half, int64(len(data)) - half}} {
		err := d.ReadRange(context.Background(), r[0], r[1], func(p Play) { fmt.Println(r[0], p) })
		if err != nil {
			panic(err)
		}
	}
	// Output:
	// {"name":"Play","type":"record","fields":[{"name":"user_id","type":"string"},{"name":"ms_played","type":"long"}]}
	// 0 {u0 0}
	// 155 {u1 1000}
	// 155 {u2 2000}
	// 155 {u3 3000}
	// 155 {u4 4000}
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
