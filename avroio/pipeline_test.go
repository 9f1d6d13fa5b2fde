package avroio_test

import (
	"context"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
	"github.com/hamba/avro/v2"
)

func putFixture(t *testing.T, url, name string) int64 {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	if err := storage.WriteFile(context.Background(), url, b); err != nil {
		t.Fatal(err)
	}
	return int64(len(b))
}

func TestPipelineReadWrite(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("avroio-rw")
	in, out := "mem://avroio-rw/in", "mem://avroio-rw/out"
	size := putFixture(t, in+"/a.avro", "events_3blocks.avro")
	size += putFixture(t, in+"/b.avro", "events_deflate.avro")
	if err := storage.WriteFile(ctx, in+"/_SUCCESS", nil); err != nil {
		t.Fatal(err)
	}
	want := append(events(9), events(5)...)

	p := pcollection.NewPipeline("avroio-rw")
	plays := avroio.Read[Event](p, in, avroio.WithSplitSize(100)) // cut files mid-block
	kept := pcollection.Filter(plays, func(e Event) bool { return !e.Skipped })
	avroio.Write(kept, out, avroio.WithCodec(avroio.CodecSnappy), avroio.WithBlockSize(100))
	all := pcollection.Materialize(plays)
	res := crunchtest.Run(t, p, func(o *runner.Options) { o.Workers = 3 })

	crunchtest.EqualUnordered(t, crunchtest.Values(t, all), want)
	if got := res.Counters.Get(avroio.CounterGroup, avroio.CounterRecordsRead); got != int64(len(want)) {
		t.Errorf("records read counter = %d, want %d", got, len(want))
	}
	var wantKept []Event
	for _, e := range want {
		if !e.Skipped {
			wantKept = append(wantKept, e)
		}
	}
	if got := res.Counters.Get(avroio.CounterGroup, avroio.CounterRecordsWritten); got != int64(len(wantKept)) {
		t.Errorf("records written counter = %d, want %d", got, len(wantKept))
	}

	// The output reads back, through the pipeline and file by file.
	files, err := storage.DataFiles(ctx, out)
	if err != nil {
		t.Fatal(err)
	}
	var got []Event
	for _, fi := range files {
		if !strings.HasSuffix(fi.Name, ".avro") {
			t.Errorf("output file %s lacks the .avro extension", fi.Name)
		}
		b, err := storage.ReadFile(ctx, fi.URL)
		if err != nil {
			t.Fatal(err)
		}
		f := openBytes(t, fi.URL, b)
		if f.Codec() != avroio.CodecSnappy {
			t.Errorf("%s: codec %q, want snappy", fi.URL, f.Codec())
		}
		got = append(got, readAll[Event](t, f)...)
	}
	crunchtest.EqualUnordered(t, got, wantKept)

	p2 := pcollection.NewPipeline("avroio-readback")
	// map[string]any has no value codec (interfaces), so map to a concrete type
	// before anything is shuffled or materialized.
	users := pcollection.Map(avroio.ReadGeneric(p2, out), func(m map[string]any) string { return m["user_id"].(string) })
	back := pcollection.Materialize(users)
	crunchtest.Run(t, p2)
	var wantUsers []string
	for _, e := range wantKept {
		wantUsers = append(wantUsers, e.UserID)
	}
	crunchtest.EqualUnordered(t, crunchtest.Values(t, back), wantUsers)

	// The source payload, as runners see it.
	src := p.Graph().Nodes()[plays.ID()].Payload.(plan.SourcePayload)
	if got, want := src.Describe(), "avro mem://avroio-rw/in as avroio_test.Event"; got != want {
		t.Errorf("Describe() = %q, want %q", got, want)
	}
	if got := src.EstimateSize(ctx); got != size {
		t.Errorf("EstimateSize() = %d, want %d", got, size)
	}
}

func TestPipelineSplitsTileFiles(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("avroio-splits")
	in := "mem://avroio-splits/in"
	sa := putFixture(t, in+"/a.avro", "events_3blocks.avro")
	sb := putFixture(t, in+"/b.avro", "events_null.avro")
	p := pcollection.NewPipeline("splits")
	for _, tt := range []struct {
		opts []avroio.ReadOption
		hint int
		want int
	}{
		{nil, 4, 2}, // small files: one split each
		{[]avroio.ReadOption{avroio.WithSplitSize(200)}, 1, 4 + 4},
	} {
		c := avroio.Read[Event](p, in, tt.opts...)
		src := p.Graph().Nodes()[c.ID()].Payload.(plan.SourcePayload)
		splits, err := src.Splits(ctx, tt.hint)
		if err != nil {
			t.Fatal(err)
		}
		if len(splits) != tt.want {
			t.Fatalf("%d splits, want %d: %+v", len(splits), tt.want, splits)
		}
		covered := map[string]int64{}
		for i, s := range splits {
			if s.Index != i || s.Count != len(splits) {
				t.Errorf("split %d: index %d count %d", i, s.Index, s.Count)
			}
			if s.Offset != covered[s.Path] {
				t.Errorf("split %+v does not start where the previous one ended (%d)", s, covered[s.Path])
			}
			covered[s.Path] += s.Length
		}
		if covered[in+"/a.avro"] != sa || covered[in+"/b.avro"] != sb {
			t.Errorf("splits cover %v, want sizes %d and %d", covered, sa, sb)
		}
	}
}

// TestPipelineEmptyFileFails checks that a 0-byte file among the inputs
// fails the job, naming it, as the file tools do: it has no split, so no
// task would open it, and the job used to succeed without its data.
func TestPipelineEmptyFileFails(t *testing.T) {
	storage.ResetMem("avroio-empty")
	in := "mem://avroio-empty/in"
	putFixture(t, in+"/a.avro", "events_3blocks.avro")
	if err := storage.WriteFile(context.Background(), in+"/b.avro", nil); err != nil {
		t.Fatal(err)
	}
	p := pcollection.NewPipeline("empty")
	pcollection.Materialize(avroio.Read[Event](p, in))
	_, err := crunchRun(p)
	if !errors.Is(err, avroio.ErrCorrupt) || !strings.Contains(err.Error(), "b.avro: header at offset 0: file of 0 bytes is too short") {
		t.Errorf("run error = %v, want ErrCorrupt naming b.avro", err)
	}
}

// TestPipelineNullableFieldIntoPlainField checks that a field the file
// declares nullable (a union with null, as Spark writes every nullable
// column) reads into a plain Go field record by record, as the Avro
// specification resolves it: values read, and a record holding a null
// fails the read naming the file, block, record and field, even with
// Lenient (it is not corrupt data). A pointer field reads the null.
func TestPipelineNullableFieldIntoPlainField(t *testing.T) {
	storage.ResetMem("avroio-nullable")
	dir := "mem://avroio-nullable/in"
	schema := avro.MustParse(`{"type":"record","name":"row","fields":[{"name":"user_id","type":"string"},
		{"name":"country","type":["null","string"]},{"name":"ms","type":["long","null"]},
		{"name":"at","type":["null",{"type":"long","logicalType":"timestamp-millis"}]}]}`)
	se, ms, at := "SE", int64(31_000), time.UnixMilli(1_764_115_200_123).UTC()
	type nullableRow struct {
		UserID  string     `avro:"user_id"`
		Country *string    `avro:"country"`
		Ms      *int64     `avro:"ms"`
		At      *time.Time `avro:"at"`
	}
	writeAvro(t, dir+"/full/a.avro", schema, nullableRow{"u1", &se, &ms, &at}, nullableRow{"u2", &se, &ms, &at})
	writeAvro(t, dir+"/holes/a.avro", schema, nullableRow{"u1", &se, &ms, &at}, nullableRow{"u2", nil, &ms, &at})

	type plain struct {
		UserID  string    `avro:"user_id"`
		Country string    `avro:"country"`
		Ms      int64     `avro:"ms"`
		At      time.Time `avro:"at"`
	}
	p := pcollection.NewPipeline("nullable-full")
	m := pcollection.Materialize(avroio.Read[plain](p, dir+"/full"))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, m), []plain{{"u1", "SE", 31_000, at}, {"u2", "SE", 31_000, at}})

	for _, lenient := range []bool{false, true} {
		var opts []avroio.ReadOption
		if lenient {
			opts = append(opts, avroio.Lenient())
		}
		p := pcollection.NewPipeline("nullable-holes")
		pcollection.Materialize(avroio.Read[plain](p, dir+"/holes", opts...))
		_, err := crunchRun(p)
		want := "holes/a.avro: block 0 at offset "
		if err == nil || errors.Is(err, avroio.ErrCorrupt) || !plan.IsPermanent(err) || !strings.Contains(err.Error(), want) ||
			!strings.Contains(err.Error(), "record 1 of 2: field country is null, which the Go field (string) cannot hold: the data needs a value there, or the Go field must be a pointer") {
			t.Errorf("lenient %v: run error %v, want the null named, not corrupt data", lenient, err)
		}
	}

	p = pcollection.NewPipeline("nullable-pointer")
	pm := pcollection.Materialize(avroio.Read[nullableRow](p, dir+"/holes"))
	crunchtest.Run(t, p)
	got := crunchtest.Values(t, pm)
	slices.SortFunc(got, func(a, b nullableRow) int { return strings.Compare(a.UserID, b.UserID) })
	if len(got) != 2 || got[0].Country == nil || *got[0].Country != "SE" || got[1].Country != nil || *got[1].Ms != ms {
		t.Errorf("read %+v, want SE then a null country", got)
	}
}

func TestPipelineCorruptInput(t *testing.T) {
	storage.ResetMem("avroio-corrupt")
	in := "mem://avroio-corrupt/in"
	putFixture(t, in+"/a.avro", "corrupt_sync.avro")

	p := pcollection.NewPipeline("corrupt")
	pcollection.Materialize(avroio.Read[Event](p, in))
	_, err := crunchRun(p)
	if !errors.Is(err, avroio.ErrCorrupt) || !plan.IsPermanent(err) || !strings.Contains(err.Error(), "a.avro: block 1 at offset 535") {
		t.Errorf("run error = %v, want a permanent ErrCorrupt at block 1 offset 535", err)
	}

	p = pcollection.NewPipeline("corrupt-lenient")
	m := pcollection.Materialize(avroio.Read[Event](p, in, avroio.Lenient()))
	res := crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, m), events(3))
	if got := res.Counters.Get(avroio.CounterGroup, avroio.CounterSkippedBlocks); got != 1 {
		t.Errorf("skipped blocks counter = %d, want 1", got)
	}
}

func TestBuildErrors(t *testing.T) {
	type bad struct {
		C chan int `avro:"c"`
	}
	p := pcollection.NewPipeline("bad")
	if _, err := avroio.TryRead[bad](p, "mem://x/in"); err == nil || !strings.Contains(err.Error(), "unsupported Go type chan int") {
		t.Errorf("TryRead of a chan field: %v, want a build error", err)
	}
	c := pcollection.Of(p, bad{})
	if err := avroio.TryWrite(c, "mem://x/out"); err == nil {
		t.Error("TryWrite of a chan field succeeded, want a build error")
	}
	if err := avroio.TryWrite(pcollection.Of(p, 1), "mem://x/out", avroio.WithCodec("lzo")); err == nil {
		t.Error("TryWrite with codec lzo succeeded, want a build error")
	}
}

func crunchRun(p *pcollection.Pipeline) (*runner.Result, error) {
	return mem.Run(context.Background(), p, runner.Options{})
}

// TestPipelinePointerFromPlainField checks that Go pointer fields read
// fields the file declares without null (hamba/avro alone decodes none
// into a pointer), each record's pointing to its own value, also in an
// embedded struct and for a declared timestamp unit; a pointer to a nested
// record reads as hamba/avro decodes it.
func TestPipelinePointerFromPlainField(t *testing.T) {
	storage.ResetMem("avroio-plain")
	in := "mem://avroio-plain/in/a.avro"
	schema := avro.MustParse(`{"type":"record","name":"row","fields":[{"name":"title","type":"string"},
		{"name":"year","type":"int"},{"name":"ts","type":{"type":"long","logicalType":"timestamp-millis"}},
		{"name":"where","type":{"type":"record","name":"place","fields":[{"name":"city","type":"string"}]}}]}`)
	type place struct {
		City string `avro:"city"`
	}
	type row struct {
		Title string    `avro:"title"`
		Year  int32     `avro:"year"`
		TS    time.Time `avro:"ts"`
		Where place     `avro:"where"`
	}
	t1, t2 := time.UnixMilli(1_764_115_200_123), time.UnixMilli(1_764_115_260_456)
	writeAvro(t, in, schema, row{"One", 1999, t1, place{"Lund"}}, row{"Two", 2001, t2, place{"Umeå"}})

	type When struct {
		TS *int64 `avro:"ts,timestamp-millis"`
	}
	type pointer struct {
		Title *string `avro:"title"`
		Year  *int32  `avro:"year"`
		When
		Where *place `avro:"where"`
	}
	p := pcollection.NewPipeline("pointer-from-plain")
	m := pcollection.Materialize(avroio.Read[pointer](p, in))
	crunchtest.Run(t, p)
	got := crunchtest.Values(t, m)
	if len(got) != 2 {
		t.Fatalf("read %d records, want 2", len(got))
	}
	slices.SortFunc(got, func(a, b pointer) int { return strings.Compare(*a.Title, *b.Title) })
	for i, want := range []row{{"One", 1999, t1, place{"Lund"}}, {"Two", 2001, t2, place{"Umeå"}}} {
		g := got[i]
		if *g.Title != want.Title || *g.Year != want.Year || *g.TS != want.TS.UnixMilli() || g.Where == nil || *g.Where != want.Where {
			t.Errorf("record %d: %+v, want %+v", i, g, want)
		}
	}
	if got[0].Title == got[1].Title || got[0].TS == got[1].TS {
		t.Error("two records share a pointer")
	}
}

// TestPipelineUnreadableNestedFieldsRefusedAtPlanning checks that pointers
// and declared timestamp units are checked at every depth: in array items,
// map values, and records the file declares nullable.
func TestPipelineUnreadableNestedFieldsRefusedAtPlanning(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("avroio-nested")
	in := "mem://avroio-nested/in/a.avro"
	schema := avro.MustParse(`{"type":"record","name":"row","fields":[
		{"name":"tags","type":{"type":"array","items":"string"}},
		{"name":"m","type":{"type":"map","values":"long"}},
		{"name":"where","type":["null",{"type":"record","name":"place","fields":[{"name":"city","type":"string"}]}]},
		{"name":"in","type":{"type":"record","name":"inner","fields":[{"name":"ts","type":{"type":"long","logicalType":"timestamp-micros"}}]}}]}`)
	type place struct {
		City string `avro:"city"`
	}
	type inner struct {
		TS time.Time `avro:"ts"`
	}
	type row struct {
		Tags  []string         `avro:"tags"`
		M     map[string]int64 `avro:"m"`
		Where *place           `avro:"where"`
		In    inner            `avro:"in"`
	}
	writeAvro(t, in, schema, row{[]string{"a"}, map[string]int64{"k": 1}, &place{"Lund"}, inner{time.UnixMicro(1_764_115_200_123_456)}})
	splits := func(p *pcollection.Pipeline, id plan.NodeID) error {
		_, err := p.Graph().Nodes()[id].Payload.(plan.SourcePayload).Splits(ctx, 1)
		return err
	}
	check := func(name string, err error, want string) {
		t.Helper()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: Splits error %v, want it to say %q", name, err, want)
		}
	}
	{
		type items struct {
			Tags []*string `avro:"tags"`
		}
		p := pcollection.NewPipeline("items")
		check("array items", splits(p, avroio.Read[items](p, in).ID()), "field tags[] is not nullable in the file")
	}
	{
		type values struct {
			M map[string]*int64 `avro:"m"`
		}
		p := pcollection.NewPipeline("values")
		check("map values", splits(p, avroio.Read[values](p, in).ID()), "field m[value] is not nullable in the file")
	}
	{
		type cityPtr struct {
			City *string `avro:"city"`
		}
		type nested struct {
			Where *cityPtr `avro:"where"`
		}
		p := pcollection.NewPipeline("nullable-record")
		check("in a nullable record", splits(p, avroio.Read[nested](p, in).ID()), "field where.city is not nullable in the file")
	}
	{
		type millisIn struct {
			TS int64 `avro:"ts,timestamp-millis"`
		}
		type deep struct {
			In millisIn `avro:"in"`
		}
		p := pcollection.NewPipeline("nested-unit")
		check("nested timestamp", splits(p, avroio.Read[deep](p, in).ID()), "field in.ts holds timestamp-micros in the file, but the Go field declares timestamp-millis")
	}
	// The file reads as written.
	p := pcollection.NewPipeline("as-written")
	m := pcollection.Materialize(avroio.Read[row](p, in))
	if _, err := crunchRun(p); err != nil {
		t.Fatal(err)
	}
	if got, err := m.Values(); err != nil || len(got) != 1 || got[0].Where == nil || got[0].Where.City != "Lund" || got[0].In.TS.UnixMicro() != 1_764_115_200_123_456 {
		t.Errorf("read %+v (err %v), want the row as written", got, err)
	}
}

// TestPipelineWiderNullableUnion checks that a field the file declares as
// a union of null and several types, read into a pointer, is refused for
// what resolution finds (a type the Go field cannot hold), not as "not
// nullable".
func TestPipelineWiderNullableUnion(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("avroio-wide")
	in := "mem://avroio-wide/in/a.avro"
	schema := avro.MustParse(`{"type":"record","name":"row","fields":[{"name":"title","type":["null","string","long"]}]}`)
	writeAvro(t, in, schema)
	type pointer struct {
		Title *string `avro:"title"`
	}
	p := pcollection.NewPipeline("wide-union")
	c := avroio.Read[pointer](p, in)
	_, err := p.Graph().Nodes()[c.ID()].Payload.(plan.SourcePayload).Splits(ctx, 1)
	if err == nil || strings.Contains(err.Error(), "not nullable") || !strings.Contains(err.Error(), "field title") {
		t.Errorf("Splits error %v, want title refused for its union, not as not nullable", err)
	}
}

// writeAvro writes records with schema as an Avro container file at url.
func writeAvro(t *testing.T, url string, schema avro.Schema, records ...any) {
	t.Helper()
	if err := storage.WriteFile(context.Background(), url, ocfBytes(t, schema.String(), records...)); err != nil {
		t.Fatal(err)
	}
}
