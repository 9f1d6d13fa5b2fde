// Command duckdb-daily computes the three daily-plays datasets with DuckDB,
// as SQL over the Parquet events and catalogue, writing one Parquet file per
// dataset under --output. It is the bench harness's DuckDB contender, run as
// its own process so that its peak RSS is measured alone.
//
//	duckdb-daily --events 'DIR/events/*.parquet' --tracks 'DIR/tracks/*.parquet' --output OUT
package main

import (
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"
)

func main() {
	events := flag.String("events", "", "Parquet events glob")
	tracks := flag.String("tracks", "", "Parquet catalogue glob")
	output := flag.String("output", "", "output directory")
	threads := flag.Int("threads", 0, "DuckDB threads (0: DuckDB's default, one per CPU)")
	version := flag.Bool("version", false, "print DuckDB's version and exit")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("duckdb-daily: ")
	db, err := sql.Open("duckdb", "")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()
	if *version {
		var v string
		if err := db.QueryRow("SELECT version()").Scan(&v); err != nil {
			log.Fatal(err)
		}
		fmt.Println(v)
		return
	}
	if *events == "" || *tracks == "" || *output == "" {
		log.Fatal("--events, --tracks and --output are required")
	}
	if err := os.MkdirAll(*output, 0o755); err != nil {
		log.Fatal(err)
	}
	q := func(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
	out := func(name string) string { return q(filepath.Join(*output, name+".parquet")) }
	var stmts []string
	if *threads > 0 {
		stmts = append(stmts, fmt.Sprintf("SET threads = %d", *threads))
	}
	stmts = append(stmts,
		`CREATE VIEW plays AS SELECT country, track_id, artist_id, user_id, ms_played
		 FROM read_parquet(`+q(*events)+`) WHERE NOT skipped AND ms_played >= 30000`,
		`CREATE TEMP TABLE ct AS SELECT country, track_id, count(*)::BIGINT AS plays, sum(ms_played)::BIGINT AS ms_played
		 FROM plays GROUP BY country, track_id`,
		`COPY ct TO `+out("plays_by_country_track")+` (FORMAT parquet)`,
		`COPY (SELECT artist_id, count(DISTINCT user_id)::BIGINT AS listeners FROM plays GROUP BY artist_id)
		 TO `+out("listeners_by_artist")+` (FORMAT parquet)`,
		`COPY (
		   WITH ranked AS (
		     SELECT country, track_id, plays,
		            row_number() OVER (PARTITION BY country ORDER BY plays DESC, track_id ASC) AS rank
		     FROM ct QUALIFY rank <= 10),
		   titles AS (SELECT track_id, min(title) AS title FROM read_parquet(`+q(*tracks)+`) GROUP BY track_id)
		   SELECT r.country, r.rank::INTEGER AS rank, r.track_id, t.title, r.plays
		   FROM ranked r LEFT JOIN titles t ON r.track_id = t.track_id)
		 TO `+out("top_tracks_by_country")+` (FORMAT parquet)`,
	)
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			log.Fatalf("%v\nin: %s", err, s)
		}
	}
}
