package parquetio_test

import (
	"bytes"
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
