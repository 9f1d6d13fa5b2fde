// Package listening holds the listening-log example jobs of crunchgo and the
// tools around them.
//
// Events (Event) are one day of a music service's listening log: who played
// which track of which artist, where, on what platform, how long, and whether
// they skipped it. The catalogue (Track) gives tracks their titles. Both are
// read from Avro or Parquet files, chosen by file extension.
//
// The jobs are plain functions over collections, so tests run them on
// in-memory data, and registered jobs that wire readers and writers around
// them:
//
//   - daily-plays (DailyPlays): plays per (country, track), distinct
//     listeners per artist, and the top 10 tracks per country with titles;
//   - sessions (Sessions): each user's listening sessions, a new session
//     starting after more than 30 minutes without listening (skipped events count as listening);
//   - play-stats (PlayStats): how long plays last per country (median,
//     90th and 99th percentiles, approximated by a quantile sketch) and the
//     plays of tracks missing from the catalogue (an anti-join);
//   - plays-by-day (PlaysByDay): plays per UTC day, country and track, into
//     a table partitioned by day (dt=2026-11-26 directories), which
//     --write-mode overwrite-partitions updates a day at a time; --day
//     leaves out (and counts) the events of other days, so that a run's
//     late events do not replace another day's partition.
//
// Commands returns the CLI commands of this package: "gen listening-log", a
// deterministic generator of events and catalogue with Zipf-like popularity,
// and "demo", which generates a day, runs daily-plays on the local runner and
// prints what it found.
package listening
