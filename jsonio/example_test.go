package jsonio_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"slices"

	"github.com/crunchgo/crunchgo/jsonio"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

// Each line is one value; blank lines are skipped and unknown keys ignored.
func ExampleRead() {
	type Event struct {
		User  string `json:"user"`
		Plays int    `json:"plays"`
	}
	ctx := context.Background()
	storage.WriteFile(ctx, "mem://json-example/events.jsonl", []byte("{\"user\":\"ann\",\"plays\":3,\"country\":\"SE\"}\n\n{\"user\":\"bo\",\"plays\":5}\n"))
	p := pcollection.NewPipeline("example")
	total := pcollection.Materialize(jsonio.Read[Event](p, "mem://json-example/events.jsonl"))
	if _, err := mem.Run(ctx, p, runner.Options{}); err != nil {
		log.Fatal(err)
	}
	events, _ := total.Values()
	n := 0
	for _, e := range events {
		n += e.Plays
	}
	fmt.Println(len(events), "events,", n, "plays")
	// Output: 2 events, 8 plays
}

func ExampleWriter() {
	w := jsonio.NewWriter[map[string]any](os.Stdout)
	w.Write(map[string]any{"user": "ann", "text": "two\nlines <b>"})
	w.Write(map[string]any{"user": "bo"})
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// {"text":"two\nlines <b>","user":"ann"}
	// {"user":"bo"}
}

// A partitioned table read for one country and the null partition (no
// known country): the other partitions' files are not opened.
func ExampleWherePartition() {
	type Event struct {
		User    string  `json:"user"`
		Country *string `json:"country"` // from the path
	}
	ctx := context.Background()
	for _, c := range []string{"SE", "NO", "__HIVE_DEFAULT_PARTITION__"} {
		storage.WriteFile(ctx, "mem://json-example-where/events/country="+c+"/part-0.jsonl", []byte(`{"user":"u-`+c+`"}`+"\n"))
	}
	p := pcollection.NewPipeline("swedish-events")
	events := pcollection.Materialize(jsonio.Read[Event](p, "mem://json-example-where/events",
		jsonio.WherePartition(func(part jsonio.Partition) bool { return part.Null("country") || part.Value("country") == "SE" })))
	res, err := mem.Run(ctx, p, runner.Options{})
	if err != nil {
		log.Fatal(err)
	}
	got, _ := events.Values()
	var users []string
	for _, e := range got {
		users = append(users, e.User)
	}
	slices.Sort(users)
	fmt.Println(users, "files pruned:", res.Counters.Get(jsonio.CounterGroup, jsonio.CounterFilesPruned))
	// Output: [u-SE u-__HIVE_DEFAULT_PARTITION__] files pruned: 1
}
