package jsonio_test

import (
	"context"
	"fmt"
	"log"
	"os"

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
