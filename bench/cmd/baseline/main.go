// Command baseline computes the three daily-plays datasets with a
// hand-written Go program: the bench harness's reference for what the
// framework costs. It reads the same files with the same per-file readers
// (avroio, parquetio) and writes the same Parquet outputs as the job.
//
// Like the job, it reads events as listening.PlayEvent, the six columns the
// aggregates use, with parquetio.SharedStrings (copying the strings of the
// keys it keeps). It is meant to be a good program, not a strawman. Workers (one per CPU by
// default) take input files from a shared counter and radix-partition what
// they read by key hash into 256 partitions: (country, track) totals are
// aggregated at once in per-partition maps (there are ten times fewer pairs
// than plays), (artist, user) pairs are appended to per-partition byte
// buffers (no pointers, so the garbage collector does not scan them).
// Workers then take partitions from a shared counter and, for one partition
// at a time, merge the workers' totals and deduplicate the pairs in a map
// sized for that partition only, producing its rows, its listener counts
// per artist (partitions hold disjoint pairs, so the counts add up) and its
// top 10 candidates per country. A last step sums the counts, merges the
// candidates, joins titles from the catalogue and writes the files.
//
//	baseline --events DIR/events --tracks DIR/tracks --output OUT [--workers N]
package main

import (
	"cmp"
	"context"
	"encoding/binary"
	"flag"
	"fmt"
	"log"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/crunchgo/crunchgo/examples/listening"
	"github.com/crunchgo/crunchgo/fileio"
	"github.com/crunchgo/crunchgo/parquetio"
	"github.com/crunchgo/crunchgo/storage"
)

const partitions = 256

// partial is what one worker gathers from its files: (country, track)
// totals aggregated in maps partitioned by the pair's hash, and the
// (artist, user) pairs of its plays appended to slices partitioned by the
// pair's hash (deduplicated later, one partition at a time, in a map small
// enough to stay in cache).
type partial struct {
	ct [partitions]map[listening.CountryTrack]listening.PlayTotals
	au [partitions]pairs
}

// pairs holds (artist, user) pairs without pointers, so that the garbage
// collector never scans them: each pair's key is a 2-byte artist length,
// the artist and the user, appended to buf.
type pairs struct {
	buf  []byte
	keys []pairKey
}

type pairKey struct{ off, n uint32 }

func (p *pairs) add(artist, user string) {
	off := len(p.buf)
	p.buf = binary.LittleEndian.AppendUint16(p.buf, uint16(len(artist)))
	p.buf = append(p.buf, artist...)
	p.buf = append(p.buf, user...)
	p.keys = append(p.keys, pairKey{uint32(off), uint32(len(p.buf) - off)})
}

// key returns the i'th key as a string viewing buf (valid while buf is).
func (p *pairs) key(i int) string {
	k := p.keys[i]
	return unsafe.String(unsafe.SliceData(p.buf[k.off:]), k.n)
}

// artistOf returns the artist of a key.
func artistOf(key string) string {
	return key[2 : 2+int(binary.LittleEndian.Uint16([]byte(key[:2])))]
}

func newPartial() *partial {
	p := &partial{}
	for i := range partitions {
		p.ct[i] = map[listening.CountryTrack]listening.PlayTotals{}
	}
	return p
}

// fnv is 64-bit FNV-1a over the strings, each followed by a zero byte.
func fnv(ss ...string) uint64 {
	h := uint64(14695981039346656037)
	for _, s := range ss {
		for i := 0; i < len(s); i++ {
			h ^= uint64(s[i])
			h *= 1099511628211
		}
		h *= 1099511628211
	}
	return h ^ h>>32
}

type result struct {
	ct        []listening.CountryTrackPlays
	listeners map[string]int64 // distinct listeners per artist among the partition's pairs
	top       map[string][]listening.CountryTrackPlays
}

func less(a, b listening.CountryTrackPlays) int {
	return cmp.Or(cmp.Compare(b.Plays, a.Plays), cmp.Compare(a.TrackID, b.TrackID))
}

// keepTop inserts r into the sorted top list, keeping at most n.
func keepTop(top []listening.CountryTrackPlays, r listening.CountryTrackPlays, n int) []listening.CountryTrackPlays {
	i, _ := slices.BinarySearchFunc(top, r, less)
	if i >= n {
		return top
	}
	top = slices.Insert(top, i, r)
	return top[:min(len(top), n)]
}

func main() {
	events := flag.String("events", "", "events: a file, directory or glob of .avro or .parquet files")
	tracks := flag.String("tracks", "", "catalogue: a file, directory or glob")
	output := flag.String("output", "", "output directory")
	workers := flag.Int("workers", 0, "goroutines (0: one per CPU)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	log.SetFlags(0)
	log.SetPrefix("baseline: ")
	if *events == "" || *tracks == "" || *output == "" {
		log.Fatal("--events, --tracks and --output are required")
	}
	if *workers <= 0 {
		*workers = runtime.NumCPU()
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			log.Fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			log.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	if err := run(context.Background(), *events, *tracks, *output, *workers); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, events, tracks, output string, workers int) error {
	files, err := storage.DataFiles(ctx, events)
	if err != nil {
		return err
	}
	// The catalogue is read alongside the events.
	titles := map[string]string{}
	var titlesErr error
	var titlesDone sync.WaitGroup
	titlesDone.Go(func() {
		titlesErr = fileio.ScanFiles(ctx, tracks, func(t listening.TrackTitle) {
			if old, ok := titles[t.TrackID]; t.Title != "" && (!ok || t.Title < old) { // "": null, no title
				titles[t.TrackID] = t.Title
			}
		})
	})

	// Phase 1: read and aggregate into per-worker partitions.
	parts := make([]*partial, workers)
	errs := make([]error, workers)
	var next atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			p := newPartial()
			parts[w] = p
			for {
				i := int(next.Add(1) - 1)
				if i >= len(files) {
					return
				}
				err := fileio.ScanFile(ctx, files[i].URL, func(e listening.PlayEvent) {
					if !e.IsPlay() {
						return
					}
					k := listening.CountryTrack{Country: e.Country, TrackID: e.TrackID}
					m := p.ct[fnv(e.Country, e.TrackID)%partitions]
					t, ok := m[k]
					if !ok {
						// The reader shares a batch's string memory: a key
						// kept in the map gets its own copy.
						k = listening.CountryTrack{Country: strings.Clone(k.Country), TrackID: strings.Clone(k.TrackID)}
					}
					m[k] = listening.PlayTotals{Plays: t.Plays + 1, MsPlayed: t.MsPlayed + e.MsPlayed}
					if len(e.ArtistID) > math.MaxUint16 {
						panic(fmt.Sprintf("artist id of %d bytes", len(e.ArtistID)))
					}
					p.au[fnv(e.ArtistID, e.UserID)%partitions].add(e.ArtistID, e.UserID)
				}, parquetio.SharedStrings())
				if err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}

	// Phase 2: merge each partition across workers.
	results := make([]result, partitions)
	next.Store(0)
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= partitions {
					return
				}
				ct := parts[0].ct[i]
				n := 0
				for _, p := range parts {
					n += len(p.au[i].keys)
				}
				seen := make(map[string]struct{}, n)
				counts := map[string]int64{}
				for w, p := range parts {
					if w > 0 {
						for k, v := range p.ct[i] {
							t := ct[k]
							ct[k] = listening.PlayTotals{Plays: t.Plays + v.Plays, MsPlayed: t.MsPlayed + v.MsPlayed}
						}
						p.ct[i] = nil
					}
					au := &p.au[i]
					for j := range au.keys {
						k := au.key(j)
						if _, dup := seen[k]; dup {
							continue
						}
						seen[k] = struct{}{}
						a := artistOf(k)
						if c, ok := counts[a]; ok {
							counts[a] = c + 1
						} else {
							counts[strings.Clone(a)] = 1
						}
					}
				}
				clear(seen)
				for _, p := range parts {
					p.au[i] = pairs{}
				}
				r := result{ct: make([]listening.CountryTrackPlays, 0, len(ct)), top: map[string][]listening.CountryTrackPlays{}}
				for k, v := range ct {
					row := listening.CountryTrackPlays{Country: k.Country, TrackID: k.TrackID, Plays: v.Plays, MsPlayed: v.MsPlayed}
					r.ct = append(r.ct, row)
					r.top[k.Country] = keepTop(r.top[k.Country], row, listening.TopN)
				}
				r.listeners = counts
				parts[0].ct[i] = nil
				results[i] = r
			}
		})
	}
	wg.Wait()

	// Phase 3: sum the listener counts (the partitions' pairs are disjoint),
	// merge the top candidates, join titles, write.
	listeners := map[string]int64{}
	for _, r := range results {
		for a, n := range r.listeners {
			listeners[a] += n
		}
	}
	titlesDone.Wait()
	if titlesErr != nil {
		return titlesErr
	}
	top := map[string][]listening.CountryTrackPlays{}
	for _, r := range results {
		for c, rows := range r.top {
			for _, row := range rows {
				top[c] = keepTop(top[c], row, listening.TopN)
			}
		}
	}
	var topRows []listening.TopTrack
	for c, rows := range top {
		for i, r := range rows {
			row := listening.TopTrack{Country: c, Rank: int32(i + 1), TrackID: r.TrackID, Plays: r.Plays}
			if t, ok := titles[r.TrackID]; ok {
				row.Title = &t
			}
			topRows = append(topRows, row)
		}
	}
	return writeAll(ctx, output, results, listeners, topRows)
}

func writeAll(ctx context.Context, output string, results []result, listeners map[string]int64, top []listening.TopTrack) error {
	write := func(dir string, f func() error) error {
		if err := f(); err != nil {
			return fmt.Errorf("writing %s: %w", dir, err)
		}
		return storage.WriteFile(ctx, storage.Join(output, dir, "_SUCCESS"), nil)
	}
	part := func(dir string) string { return storage.Join(output, dir, "part-00000.parquet") }
	return cmp.Or(
		write(listening.PlaysByCountryTrackDir, func() error {
			return fileio.WriteFile(ctx, part(listening.PlaysByCountryTrackDir), func(yield func(listening.CountryTrackPlays) bool) {
				for _, r := range results {
					for _, row := range r.ct {
						if !yield(row) {
							return
						}
					}
				}
			})
		}),
		write(listening.ListenersByArtistDir, func() error {
			return fileio.WriteFile(ctx, part(listening.ListenersByArtistDir), func(yield func(listening.ArtistListeners) bool) {
				for a, n := range listeners {
					if !yield(listening.ArtistListeners{ArtistID: a, Listeners: n}) {
						return
					}
				}
			})
		}),
		write(listening.TopTracksByCountryDir, func() error {
			return fileio.WriteFile(ctx, part(listening.TopTracksByCountryDir), slices.Values(top))
		}),
	)
}
