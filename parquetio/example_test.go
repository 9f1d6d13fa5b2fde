package parquetio_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"

	"github.com/crunchgo/crunchgo/parquetio"
)

type Play struct {
	TrackID  string   `parquet:"track_id"`
	Country  string   `parquet:"country"`
	MsPlayed int64    `parquet:"ms_played"`
	Tags     []string `parquet:"tags,list"`
}

// Country is a projection of Play: reading it fetches one column.
type Country struct {
	Country string `parquet:"country"`
}

func Example() {
	var file bytes.Buffer
	w, err := parquetio.NewWriter[Play](&file, parquetio.RowGroupRows(2), parquetio.Compression(parquetio.Zstd))
	if err != nil {
		log.Fatal(err)
	}
	_, err = w.Write([]Play{
		{"t1", "DE", 1000, nil}, {"t2", "DE", 2000, []string{"live"}},
		{"t3", "SE", 3000, nil}, {"t4", "US", 4000, nil},
	})
	if err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	// Read one column, skipping row groups whose statistics exclude "SE".
	data := file.Bytes()
	r, err := parquetio.NewReader[Country]("plays.parquet", bytes.NewReader(data), int64(len(data)),
		parquetio.WithFilter(parquetio.Eq("country", "SE")))
	if err != nil {
		log.Fatal(err)
	}
	defer r.Close()
	rows := make([]Country, 10)
	for {
		n, err := r.Read(rows)
		for _, c := range rows[:n] {
			fmt.Println(c.Country)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	st := r.Stats()
	fmt.Printf("%d of %d row groups pruned\n", st.RowGroupsPruned, st.RowGroups)
	// Output:
	// SE
	// US
	// 1 of 2 row groups pruned
}

// ExampleOpenFile reads a file whose Go type is unknown: its schema, footer
// and rows as generic values.
func ExampleOpenFile() {
	var file bytes.Buffer
	w, err := parquetio.NewWriter[Play](&file)
	if err != nil {
		log.Fatal(err)
	}
	if _, err := w.Write([]Play{{"t1", "DE", 1000, nil}, {"t2", "SE", 2000, []string{"live", "remix"}}}); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	data := file.Bytes()
	f, err := parquetio.OpenFile("plays.parquet", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(f.Schema())
	for _, rg := range f.RowGroups() {
		for _, c := range rg.Columns {
			fmt.Println(c.Path, c.PhysicalType, c.LogicalType, c.Min, c.Max)
		}
	}
	for row, err := range f.Rows(context.Background()) {
		if err != nil {
			log.Fatal(err) // a *parquetio.CorruptError for bad data
		}
		fmt.Println(row["track_id"], row["ms_played"], row["tags"])
	}
	// Output:
	// message Play {
	// 	required binary track_id (STRING);
	// 	required binary country (STRING);
	// 	required int64 ms_played (INT(64,true));
	// 	required group tags (LIST) {
	// 		repeated group list {
	// 			required binary element (STRING);
	// 		}
	// 	}
	// }
	// [track_id] BYTE_ARRAY STRING "t1" "t2"
	// [country] BYTE_ARRAY STRING "DE" "SE"
	// [ms_played] INT64 INT(64,true) 1000 2000
	// [tags list element] BYTE_ARRAY STRING "live" "remix"
	// t1 1000 []
	// t2 2000 [live remix]
}
