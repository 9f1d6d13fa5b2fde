package faultfs_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/faultfs"
)

// A commit that fails: code writing through fault:// URLs sees the third
// Close fail, and the file is not there.
func ExampleRegister() {
	ctx := context.Background()
	storage.ResetMem("example-fault")
	inner, _, err := storage.Resolve(ctx, "mem://example-fault/")
	if err != nil {
		log.Fatal(err)
	}
	f := faultfs.Wrap(inner, faultfs.Rule{Op: faultfs.OpClose, Path: "/out/*", After: 2})
	faultfs.Register("fault-example", f)

	for i := range 3 {
		url := fmt.Sprintf("fault-example://test/out/part-%d", i)
		err := storage.WriteFile(ctx, url, []byte("data"))
		fmt.Println(errors.Is(err, faultfs.ErrInjected), err)
	}
	files, _ := storage.Glob(ctx, "fault-example://test/out/*")
	for _, fi := range files {
		fmt.Println(fi.URL)
	}
	fmt.Println("injected:", f.Injected())
	// Output:
	// false <nil>
	// false <nil>
	// true close fault-example://test/out/part-2: injected fault
	// fault-example://test/out/part-0
	// fault-example://test/out/part-1
	// injected: 1
}
