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
