package hdfs_test

import (
	"context"
	"fmt"
	"log"

	"github.com/crunchgo/crunchgo/storage"
	"github.com/crunchgo/crunchgo/storage/hdfs"
	"github.com/crunchgo/crunchgo/storage/hdfs/hdfstest"
)

// Importing the package registers hdfs:// URLs with package storage. Here
// the namenode is an in-process test cluster; in production the URL names a
// real namenode, an HA nameservice, or (hdfs:///path) fs.defaultFS from
// $HADOOP_CONF_DIR.
func Example() {
	c, err := hdfstest.New()
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	defer hdfs.Disconnect(c.Addr())

	ctx := context.Background()
	out := c.URL("/jobs/wordcount/out")
	if err := storage.WriteFile(ctx, storage.Join(out, "part-r-00000"), []byte("hello\t2\n")); err != nil {
		log.Fatal(err)
	}
	infos, err := storage.List(ctx, out)
	if err != nil {
		log.Fatal(err)
	}
	for _, fi := range infos {
		fmt.Println(fi.Name, fi.Size)
	}
	data, err := storage.ReadFile(ctx, infos[0].URL)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%q\n", data)

	_, err = storage.Create(ctx, infos[0].URL)
	fmt.Println(err != nil)
	// Output:
	// part-r-00000 8
	// "hello\t2\n"
	// true
}
