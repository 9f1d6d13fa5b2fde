// Command gen writes the Parquet fixtures of package parquetio with DuckDB,
// and reads back the file parquetio wrote (../crunchgo_written.parquet) with
// DuckDB, recording the checksum the parquetio tests expect.
//
// It is a separate module so the main module does not depend on DuckDB.
// Run it from this directory:
//
//	go run .
package main

import (
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
)

const out = ".."

// events is the listening-events table; its expected values are recomputed
// by the tests from the same formulas (see events_test.go in parquetio).
const events = `
SELECT
  'u' || (i % 97)                          AS user_id,
  't' || (i * 7 % 1000)                    AS track_id,
  'a' || (i % 50)                          AS artist_id,
  CASE WHEN i < 512 THEN ['NO','SE'][i % 2 + 1]
       ELSE ['BR','DE','FR','GB'][i % 4 + 1] END AS country,
  ['ios','android','web'][i % 3 + 1]       AS platform,
  (i * 7919) % 300000                      AS ms_played,
  1764115200000 + i * 1000                 AS ts,
  i % 5 = 0                                AS skipped
FROM (SELECT * FROM range(0, 512) UNION ALL SELECT * FROM range(512, 1024)
      UNION ALL SELECT * FROM range(1024, 1536) UNION ALL SELECT * FROM range(1536, 2048)) t(i)`

// types holds one column per supported type, with nulls.
const types = `
SELECT * FROM (VALUES
  (1, 'alpha', 1.5::DOUBLE, 0.25::FLOAT, 10::BIGINT, true, '\x00\x01'::BLOB,
   TIMESTAMP '2026-11-26 10:00:00.123456', '2026-11-26 10:00:00.123'::TIMESTAMP_MS, DATE '2026-11-26',
   ['x', 'y'], MAP {'a': 1, 'b': 2}),
  (2, NULL, NULL, -1.5::FLOAT, NULL, false, ''::BLOB,
   NULL, '1970-01-01 00:00:00'::TIMESTAMP_MS, DATE '1970-01-01',
   [], MAP {}),
  (3, 'gamma', -2.25::DOUBLE, 3.0::FLOAT, -9000000000::BIGINT, true, 'abc'::BLOB,
   TIMESTAMP '1969-12-31 23:59:59.999999', '1999-12-31 23:59:59.999'::TIMESTAMP_MS, DATE '1969-12-31',
   NULL, NULL),
  (4, '', 0.0::DOUBLE, 0.0::FLOAT, 0::BIGINT, false, NULL,
   TIMESTAMP '2000-02-29 12:34:56', '2000-02-29 12:34:56.789'::TIMESTAMP_MS, DATE '2000-02-29',
   ['z', NULL, 'w'], MAP {'k': NULL})
) t(id, name, score, ratio, big, flag, payload, ts_us, ts_ms, day, tags, attrs)
ORDER BY id`

// decimals nests DECIMALs of three widths (INT32, INT64 and
// FIXED_LEN_BYTE_ARRAY(16)) in a struct, lists, a list of structs and maps,
// with nulls at each level.
const decimals = `
SELECT * FROM (VALUES
  (1, {'price': 12.34, 'qty': 3}, [1.5, NULL, -2.25], [0.000000000000000001],
   [{'sku': 'a', 'price': 1.25}, NULL, {'sku': 'c', 'price': NULL}],
   MAP {'eur': 1.5, 'usd': NULL}, MAP {'x': -0.01}),
  (2, NULL, NULL, NULL, NULL, NULL, NULL),
  (3, {'price': NULL, 'qty': NULL}, [], [], [], MAP {}, MAP {}),
  (4, {'price': -9999999.99, 'qty': 0}, [99999999999999.9999, -99999999999999.9999],
   [99999999999999999999.999999999999999999, -99999999999999999999.999999999999999999],
   [{'sku': 'max', 'price': 99999999999999999999.999999999999999999}],
   MAP {'min': -99999999999999999999.999999999999999999}, MAP {'max': 9999999.99})
) t(id, s, l, wide, items, m, small)`

// decimalTypes casts the columns of decimals to their types.
const decimalTypes = `
SELECT id::INTEGER AS id, s::STRUCT(price DECIMAL(9,2), qty INTEGER) AS s, l::DECIMAL(18,4)[] AS l,
  wide::DECIMAL(38,18)[] AS wide, items::STRUCT(sku VARCHAR, price DECIMAL(38,18))[] AS items,
  m::MAP(VARCHAR, DECIMAL(38,18)) AS m, small::MAP(VARCHAR, DECIMAL(9,2)) AS small
FROM (` + decimals + `) ORDER BY id`

type fixture struct {
	name, query, opts string
}

var fixtures = []fixture{
	{"events_v1_snappy.parquet", events, "COMPRESSION snappy, ROW_GROUP_SIZE 512, PARQUET_VERSION v1"},
	{"events_v2_zstd.parquet", events, "COMPRESSION zstd, ROW_GROUP_SIZE 512, PARQUET_VERSION v2"},
	{"types_v1_snappy.parquet", types, "COMPRESSION snappy, PARQUET_VERSION v1"},
	{"types_v2_zstd.parquet", types, "COMPRESSION zstd, PARQUET_VERSION v2"},
	{"decimals_nested.parquet", decimalTypes, "COMPRESSION zstd"},
}

// ours is the canonical text of each row of crunchgo_written.parquet; the
// parquetio test TestDuckDBReadsOurs computes the same text in Go.
const ours = `
SELECT count(*) AS n, md5(string_agg(concat_ws('|',
    id,
    coalesce(name, 'NULL'),
    coalesce(CAST(round(score * 1000) AS BIGINT)::VARCHAR, 'NULL'),
    big,
    CAST(flag AS INTEGER),
    coalesce(hex(payload), 'NULL'),
    epoch_us(ts_us),
    coalesce(epoch_ms(ts_ms)::VARCHAR, 'NULL'),
    day - DATE '1970-01-01',
    coalesce(array_to_string(tags, ','), 'NULL'),
    coalesce(array_to_string(list_transform(map_entries(attrs), e -> e.key || '=' || e.value), ','), 'NULL')
  ), chr(10) ORDER BY id)) AS sum
FROM read_parquet(?)`

// oursDecimals is how DuckDB reads crunchgo_decimals.parquet, which the
// parquetio test TestDuckDBReadsOurDecimals writes and expects DuckDB to
// read as it says.
const oursDecimals = `
SELECT concat_ws('|', id, typeof(s), coalesce(s::VARCHAR, 'NULL'), typeof(l), coalesce(l::VARCHAR, 'NULL'),
  typeof(items), coalesce(items::VARCHAR, 'NULL'), typeof(m), coalesce(m::VARCHAR, 'NULL'), typeof(r), coalesce(r::VARCHAR, 'NULL'))
FROM read_parquet(?) ORDER BY id`

func main() {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("SET threads = 1"); err != nil {
		log.Fatal(err)
	}
	var manifest strings.Builder
	var version string
	if err := db.QueryRow("SELECT version()").Scan(&version); err != nil {
		log.Fatal(err)
	}
	fmt.Fprintf(&manifest, "# written by parquetio/testdata/gen with DuckDB %s\n", version)
	for _, f := range fixtures {
		path := filepath.Join(out, f.name)
		os.Remove(path)
		q := fmt.Sprintf("COPY (%s) TO '%s' (FORMAT parquet, %s)", f.query, path, f.opts)
		if _, err := db.Exec(q); err != nil {
			log.Fatalf("%s: %v", f.name, err)
		}
		fmt.Fprintf(&manifest, "\n%s (%s)\n", f.name, f.opts)
		rows, err := db.Query(`SELECT row_group_id, row_group_num_rows, path_in_schema, type, encodings, compression
			FROM parquet_metadata(?) ORDER BY row_group_id, column_id`, path)
		if err != nil {
			log.Fatal(err)
		}
		for rows.Next() {
			var rg, n int64
			var col, typ, enc, comp string
			if err := rows.Scan(&rg, &n, &col, &typ, &enc, &comp); err != nil {
				log.Fatal(err)
			}
			fmt.Fprintf(&manifest, "  rg %d (%d rows) %-10s %-11s %-8s %s\n", rg, n, col, typ, comp, enc)
		}
		if err := rows.Err(); err != nil {
			log.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(out, "fixtures.txt"), []byte(manifest.String()), 0o644); err != nil {
		log.Fatal(err)
	}

	// Corrupt fixtures, derived from a good file.
	good, err := os.ReadFile(filepath.Join(out, "types_v1_snappy.parquet"))
	if err != nil {
		log.Fatal(err)
	}
	bad := append([]byte("PAR0"), good[4:]...)
	write("corrupt_bad_magic.parquet", bad)
	write("corrupt_truncated_footer.parquet", good[:len(good)-20])

	// The other side checks our output.
	oursPath := filepath.Join(out, "crunchgo_written.parquet")
	if _, err := os.Stat(oursPath); err != nil {
		log.Printf("skipping the read-back check: %v (run go test -run TestDuckDBReadsOurs -update in parquetio first)", err)
		return
	}
	var n int64
	var sum string
	if err := db.QueryRow(ours, oursPath).Scan(&n, &sum); err != nil {
		log.Fatal(err)
	}
	write("crunchgo_written.duckdb.txt", []byte(fmt.Sprintf("%d %s\n", n, sum)))
	fmt.Printf("duckdb read crunchgo_written.parquet: %d rows, md5 %s\n", n, sum)
	readDecimals(db)
}

// readDecimals records how DuckDB reads crunchgo_decimals.parquet.
func readDecimals(db *sql.DB) {
	path := filepath.Join(out, "crunchgo_decimals.parquet")
	if _, err := os.Stat(path); err != nil {
		log.Printf("skipping the decimals read-back: %v (run go test -run TestDuckDBReadsOurDecimals -update in parquetio first)", err)
		return
	}
	rows, err := db.Query(oursDecimals, path)
	if err != nil {
		log.Fatal(err)
	}
	var text strings.Builder
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			log.Fatal(err)
		}
		text.WriteString(line + "\n")
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	write("crunchgo_decimals.duckdb.txt", []byte(text.String()))
}

func write(name string, b []byte) {
	if err := os.WriteFile(filepath.Join(out, name), b, 0o644); err != nil {
		log.Fatal(err)
	}
}
