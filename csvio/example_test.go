package csvio_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"slices"

	"github.com/crunchgo/crunchgo/csvio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

// Columns map to fields by the header's names, in any order; a column the
// struct lacks is ignored and an empty value is nil for a pointer.
func ExampleRead() {
	type Plays struct {
		Track  string `csv:"track"`
		Plays  int64  `csv:"plays"`
		Rating *int   `csv:"rating"`
	}
	ctx := context.Background()
	storage.WriteFile(ctx, "mem://csv-example/plays.csv", []byte("plays,track,country,rating\n12,\"Hey, Jude\",SE,5\n7,Yesterday,NO,\n"))
	p := pcollection.NewPipeline("example")
	rows := pcollection.Materialize(csvio.Read[Plays](p, "mem://csv-example/plays.csv"))
	if _, err := mem.Run(ctx, p, runner.Options{}); err != nil {
		log.Fatal(err)
	}
	got, _ := rows.Values()
	slices.SortFunc(got, func(a, b Plays) int { return int(a.Plays - b.Plays) })
	for _, r := range got {
		fmt.Printf("%s: %d plays, rated %v\n", r.Track, r.Plays, r.Rating != nil)
	}
	// Output:
	// Yesterday: 7 plays, rated false
	// Hey, Jude: 12 plays, rated true
}

func ExampleWriter() {
	type Row struct {
		Name string  `csv:"name"`
		Note *string `csv:"note"`
	}
	note := "says \"hi\""
	w, err := csvio.NewWriter[Row](os.Stdout)
	if err != nil {
		log.Fatal(err)
	}
	w.Write(Row{"a", &note})
	w.Write(Row{"b, c", nil})
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// name,note
	// a,"says ""hi"""
	// "b, c",
}

// A partitioned table read for the hours from 9 on, compared as numbers:
// the other partitions' files are not opened.
func ExampleWherePartition() {
	type Play struct {
		User string `csv:"user"`
		Hour int    `csv:"hour"` // from the path
	}
	ctx := context.Background()
	for _, h := range []string{"2", "9", "10"} {
		storage.WriteFile(ctx, "mem://csv-example-where/plays/hour="+h+"/part-0.csv", []byte("user\nu"+h+"\n"))
	}
	p := pcollection.NewPipeline("late-plays")
	rows := pcollection.Materialize(csvio.Read[Play](p, "mem://csv-example-where/plays",
		csvio.WherePartition(func(part csvio.Partition) bool { return part.Int("hour") >= 9 })))
	res, err := mem.Run(ctx, p, runner.Options{})
	if err != nil {
		log.Fatal(err)
	}
	got, _ := rows.Values()
	slices.SortFunc(got, func(a, b Play) int { return a.Hour - b.Hour })
	fmt.Println(got, "files pruned:", res.Counters.Get(csvio.CounterGroup, csvio.CounterFilesPruned))
	// Output: [{u9 9} {u10 10}] files pruned: 1
}
