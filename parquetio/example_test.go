package parquetio_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log"
	"math/big"

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

// A *big.Rat field holds a DECIMAL exactly: here a DECIMAL(38,2), stored
// as a FIXED_LEN_BYTE_ARRAY(16).
func ExampleNewWriter_decimal() {
	type line struct {
		Item  string   `parquet:"item"`
		Price *big.Rat `parquet:"price,decimal(2:38)"` // FIXED_LEN_BYTE_ARRAY(16)
	}
	var buf bytes.Buffer
	w, err := parquetio.NewWriter[line](&buf)
	if err != nil {
		log.Fatal(err)
	}
	p, _ := new(big.Rat).SetString("123456789012345678901234567890.25")
	if _, err := w.Write([]line{{"a", p}, {"b", nil}}); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	// An inexact value fails the write: nothing is rounded.
	w2, _ := parquetio.NewWriter[line](io.Discard)
	_, err = w2.Write([]line{{"c", big.NewRat(1, 3)}})
	fmt.Println(err)

	r, err := parquetio.NewReader[line]("lines.parquet", bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		log.Fatal(err)
	}
	rows := make([]line, 2)
	n, err := r.Read(rows)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range rows[:n] {
		if l.Price == nil {
			fmt.Println(l.Item, "null")
			continue
		}
		fmt.Println(l.Item, l.Price.FloatString(2))
	}
	// Output:
	// parquetio: write: row 0, field Price: 1/3 does not fit decimal(2:38): it is not exact at scale 2 (round it first)
	// a 123456789012345678901234567890.25
	// b null
}
