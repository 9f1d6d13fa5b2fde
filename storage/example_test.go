package storage_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log"

	"github.com/crunchgo/crunchgo/storage"
)

func ExampleGlob() {
	ctx := context.Background()
	storage.ResetMem("example-glob")
	for _, name := range []string{"2026-11-25/part-0", "2026-11-26/part-0", "2026-11-26/part-1", "2026-11-26/_SUCCESS"} {
		if err := storage.WriteFile(ctx, "mem://example-glob/logs/"+name, []byte(name)); err != nil {
			log.Fatal(err)
		}
	}
	files, err := storage.Glob(ctx, "mem://example-glob/logs/*/part-[0-9]")
	if err != nil {
		log.Fatal(err)
	}
	for _, fi := range files {
		fmt.Println(fi.URL, fi.Size)
	}
	none, err := storage.Glob(ctx, "mem://example-glob/logs/2027-*/part-*")
	fmt.Println(len(none), err)
	// Output:
	// mem://example-glob/logs/2026-11-25/part-0 17
	// mem://example-glob/logs/2026-11-26/part-0 17
	// mem://example-glob/logs/2026-11-26/part-1 17
	// 0 <nil>
}

func ExampleCreate() {
	ctx := context.Background()
	storage.ResetMem("example-create")
	url := "mem://example-create/out/part-r-00000.txt"

	w, err := storage.Create(ctx, url)
	if err != nil {
		log.Fatal(err)
	}
	defer w.Abort() // discards the file unless Close committed it
	fmt.Fprintln(w, "hello")
	ok, _ := storage.Exists(ctx, url)
	fmt.Println("visible before Close:", ok)
	if err := w.Close(); err != nil { // Close is the commit: always check it
		log.Fatal(err)
	}
	ok, _ = storage.Exists(ctx, url)
	fmt.Println("visible after Close:", ok)

	_, err = storage.Create(ctx, url)
	fmt.Println(errors.Is(err, fs.ErrExist), err)
	// Output:
	// visible before Close: false
	// visible after Close: true
	// true create mem://example-create/out/part-r-00000.txt: file already exists
}

func ExampleJoin() {
	fmt.Println(storage.Join("hdfs://namenode:8020/user/me/out", "_temporary", "attempt-0"))
	fmt.Println(storage.Join("mem://test", "in", "a.txt"))
	fmt.Println(storage.Join("/data/out", "part-m-00000.avro"))
	// Output:
	// hdfs://namenode:8020/user/me/out/_temporary/attempt-0
	// mem://test/in/a.txt
	// /data/out/part-m-00000.avro
}
