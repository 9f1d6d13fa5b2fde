package avroio_test

import (
	"bytes"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
)

// sparkOrders is the schema Spark writes for array<decimal(10,2)>,
// map<string,decimal(38,18)> and array<struct<sku:string,price:decimal(10,2)>>,
// all nullable, with nulls in them (fixed decimals, unions with null at
// every level), next to a plain array of bytes decimals, a map of nullable
// bytes decimals and a map of records, as other writers write them.
const sparkOrders = `{"type":"record","name":"topLevelRecord","fields":[
	{"name":"prices","type":["null",{"type":"array","items":["null",
		{"type":"fixed","name":"fixed","namespace":"topLevelRecord.prices","size":5,"logicalType":"decimal","precision":10,"scale":2}]}]},
	{"name":"rates","type":["null",{"type":"map","values":["null",
		{"type":"fixed","name":"fixed","namespace":"topLevelRecord.rates","size":16,"logicalType":"decimal","precision":38,"scale":18}]}]},
	{"name":"items","type":["null",{"type":"array","items":["null",{"type":"record","name":"items","namespace":"topLevelRecord","fields":[
		{"name":"sku","type":["null","string"]},
		{"name":"price","type":["null",{"type":"fixed","name":"fixed","namespace":"topLevelRecord.items.price","size":5,"logicalType":"decimal","precision":10,"scale":2}]}]}]}]},
	{"name":"totals","type":{"type":"array","items":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}}},
	{"name":"fees","type":{"type":"map","values":["null",{"type":"bytes","logicalType":"decimal","precision":38,"scale":18}]}},
	{"name":"byKey","type":{"type":"map","values":"topLevelRecord.items"}}]}`

// sparkOrdersFile writes two records in sparkOrders with hamba/avro's
// generic encoding: a union's member is given as {"name": value}.
func sparkOrdersFile(t *testing.T) []byte {
	t.Helper()
	in := func(name string, v any) any { return map[string]any{name: v} }
	item := func(sku, price any) any {
		return in("topLevelRecord.items", map[string]any{"sku": sku, "price": price})
	}
	price := func(s string) any { return in("topLevelRecord.items.price.fixed", rat(s)) }
	return ocfBytes(t, sparkOrders, map[string]any{
		"prices": in("array", []any{in("topLevelRecord.prices.fixed", rat("1.25")), nil, in("topLevelRecord.prices.fixed", rat("-99999999.99"))}),
		"rates": in("map", map[string]any{
			"eur": in("topLevelRecord.rates.fixed", rat("0.000000000000000001")),
			"usd": nil,
			"big": in("topLevelRecord.rates.fixed", rat("-12345678901234567890.123456789012345679")),
		}),
		"items":  in("array", []any{item(in("string", "a"), price("19.99")), nil, item(nil, nil)}),
		"totals": []any{rat("7.01"), rat("-0.01"), rat("0")},
		"fees":   map[string]any{"x": in("bytes.decimal", rat("-1.5")), "y": nil},
		"byKey":  map[string]any{"k": map[string]any{"sku": in("string", "b"), "price": price("-3.5")}},
	}, map[string]any{"prices": nil, "rates": nil, "items": nil, "totals": []any{}, "fees": map[string]any{}, "byKey": map[string]any{}})
}

type sparkItem struct {
	Sku   *string  `avro:"sku"`
	Price *big.Rat `avro:"price"`
}

type sparkOrder struct {
	Prices []*big.Rat           `avro:"prices"`
	Rates  *map[string]*big.Rat `avro:"rates"`
	Items  []*sparkItem         `avro:"items"`
	Totals []*big.Rat           `avro:"totals"`
	Fees   map[string]*big.Rat  `avro:"fees"`
	ByKey  map[string]sparkItem `avro:"byKey"`
}

// showRats renders a slice of decimals, or a map's in key order.
func showRats[R ~[]*big.Rat | ~map[string]*big.Rat](rs R) string {
	var out []string
	switch rs := any(rs).(type) {
	case []*big.Rat:
		for _, r := range rs {
			out = append(out, ratString(r))
		}
	case map[string]*big.Rat:
		for _, k := range slices.Sorted(func(yield func(string) bool) {
			for k := range rs {
				if !yield(k) {
					return
				}
			}
		}) {
			out = append(out, k+"="+ratString(rs[k]))
		}
	}
	return "[" + strings.Join(out, " ") + "]"
}

func (it *sparkItem) String() string {
	if it == nil {
		return "nil"
	}
	sku := "nil"
	if it.Sku != nil {
		sku = *it.Sku
	}
	return sku + ":" + ratString(it.Price)
}

func (o sparkOrder) String() string {
	rates := "nil"
	if o.Rates != nil {
		rates = showRats(*o.Rates)
	}
	var items []string
	for _, it := range o.Items {
		items = append(items, it.String())
	}
	var byKey []string
	for k, it := range o.ByKey {
		byKey = append(byKey, k+"="+it.String())
	}
	slices.Sort(byKey)
	return fmt.Sprintf("prices %s rates %s items %v totals %s fees %s byKey %v",
		showRats(o.Prices), rates, items, showRats(o.Totals), showRats(o.Fees), byKey)
}

// Spark's decimals in arrays, maps and arrays of records, nullable at
// every level, fixed and bytes, read exactly with and without a reader
// schema; nulls read as nil. hamba/avro alone reads a nullable bytes
// decimal as a corrupt 0 and refuses a nullable fixed one.
func TestDecimalSparkContainersRead(t *testing.T) {
	data := sparkOrdersFile(t)
	want := []string{
		"prices [5/4 nil -9999999999/100] " +
			"rates [big=-12345678901234567890123456789012345679/1000000000000000000 eur=1/1000000000000000000 usd=nil] " +
			"items [a:1999/100 nil nil:nil] totals [701/100 -1/100 0] fees [x=-3/2 y=nil] byKey [k=b:-7/2]",
		"prices [] rates nil items [] totals [] fees [] byKey []",
	}
	for _, opts := range [][]avroio.ReadOption{nil, {avroio.WithReaderSchema(sparkOrders)}} {
		got := readAll[sparkOrder](t, openBytes(t, "orders.avro", data, opts...))
		if len(got) != len(want) {
			t.Fatalf("reader schema %v: read %d records, want %d", opts != nil, len(got), len(want))
		}
		for i := range want {
			if g := got[i].String(); g != want[i] {
				t.Errorf("reader schema %v, record %d:\n got %s\nwant %s", opts != nil, i, g, want[i])
			}
		}
	}
	// A nullable map reads into a plain map too, a null as nil, but not
	// with a reader schema: hamba/avro decodes a union into no map.
	type plainMap struct {
		Rates map[string]*big.Rat `avro:"rates"`
	}
	got := readAll[plainMap](t, openBytes(t, "orders.avro", data))
	if len(got) != 2 || showRats(got[0].Rates) != "[big=-12345678901234567890123456789012345679/1000000000000000000 eur=1/1000000000000000000 usd=nil]" || got[1].Rates != nil {
		t.Errorf("a nullable map into a plain one: %+v", got)
	}
	_, err := avroio.NewDecoder[plainMap](openBytes(t, "orders.avro", data, avroio.WithReaderSchema(sparkOrders)))
	if err == nil || !strings.Contains(err.Error(), "Rates is a map but the reader schema's rates is a union") {
		t.Errorf("a nullable map into a plain one with a reader schema: %v", err)
	}
}

// With a reader schema, Spark's nullable records in an array or a map are
// refused for a slice or map of struct values, which hamba/avro would
// overwrite with pointers; a slice or map of pointers reads them.
func TestDecimalSparkRecordsIntoValuesRefused(t *testing.T) {
	data := sparkOrdersFile(t)
	type itemValues struct {
		Items []sparkItem `avro:"items"`
	}
	_, err := avroio.NewDecoder[itemValues](openBytes(t, "orders.avro", data, avroio.WithReaderSchema(sparkOrders)))
	if err == nil || !strings.Contains(err.Error(), "Items[] is a struct value but the reader schema's items[] is a union") {
		t.Errorf("nullable records into a slice of values: %v", err)
	}
	const mapOfNullable = `{"type":"record","name":"r","fields":[{"name":"byKey","type":{"type":"map","values":["null",
		{"type":"record","name":"items","fields":[{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}}]}]}}]}`
	mapData := ocfBytes(t, mapOfNullable, map[string]any{"byKey": map[string]any{"k": map[string]any{"items": map[string]any{"price": rat("2.5")}}, "n": nil}})
	type values struct {
		ByKey map[string]sparkItem `avro:"byKey"`
	}
	_, err = avroio.NewDecoder[values](openBytes(t, "m.avro", mapData, avroio.WithReaderSchema(mapOfNullable)))
	if err == nil || !strings.Contains(err.Error(), "ByKey[value] is a struct value but the reader schema's byKey[value] is a union") {
		t.Errorf("nullable records into a map of values: %v", err)
	}
	type pointers struct {
		ByKey map[string]*sparkItem `avro:"byKey"`
	}
	got := readAll[pointers](t, openBytes(t, "m.avro", mapData, avroio.WithReaderSchema(mapOfNullable)))
	if len(got) != 1 || len(got[0].ByKey) != 2 || got[0].ByKey["k"].String() != "nil:5/2" || got[0].ByKey["n"] != nil {
		t.Errorf("nullable records into a map of pointers: %+v", got)
	}
}

// orderLine and order hold decimals in records in arrays and maps, and in
// arrays and maps in those, as deep as decimals go at the top level.
type orderLine struct {
	Sku   string     `avro:"sku"`
	Price *big.Rat   `avro:"price,decimal(10,2)"`
	Parts []*big.Rat `avro:"parts,decimal(4,1)"`
}

type order struct {
	Lines   []*orderLine                   `avro:"lines"`
	ByKey   map[string]orderLine           `avro:"byKey"`
	Buckets map[string][]*big.Rat          `avro:"buckets,decimal(10,2)"`
	Nested  []map[string]*big.Rat          `avro:"nested,decimal(6,3)"`
	Deep    map[string]map[string]*big.Rat `avro:"deep,decimal(38,18)"`
}

func (l *orderLine) String() string {
	if l == nil {
		return "nil"
	}
	return l.Sku + ":" + ratString(l.Price) + showRats(l.Parts)
}

func (o order) String() string {
	var lines, byKey, buckets, nested, deep []string
	for _, l := range o.Lines {
		lines = append(lines, l.String())
	}
	for k, l := range o.ByKey {
		byKey = append(byKey, k+"="+l.String())
	}
	for k, b := range o.Buckets {
		buckets = append(buckets, k+"="+showRats(b))
	}
	for _, m := range o.Nested {
		nested = append(nested, showRats(m))
	}
	for k, m := range o.Deep {
		deep = append(deep, k+"="+showRats(m))
	}
	for _, s := range [][]string{byKey, buckets, deep} {
		slices.Sort(s)
	}
	return fmt.Sprintf("lines %v byKey %v buckets %v nested %v deep %v", lines, byKey, buckets, nested, deep)
}

func orders() []order {
	return []order{{
		Lines:   []*orderLine{{Sku: "a", Price: rat("19.99"), Parts: []*big.Rat{rat("1.5"), nil}}, nil, {Sku: "b"}},
		ByKey:   map[string]orderLine{"k": {Sku: "c", Price: rat("-0.01"), Parts: []*big.Rat{rat("-999.9")}}},
		Buckets: map[string][]*big.Rat{"x": {rat("1"), nil, rat("-2.5")}, "y": nil},
		Nested:  []map[string]*big.Rat{{"p": rat("0.125"), "q": nil}, nil},
		Deep:    map[string]map[string]*big.Rat{"d": {"e": rat("-0.000000000000000001")}},
	}, {}}
}

// Records, slices and maps of decimals nested in slices and maps are
// written and read back exactly, with and without a reader schema.
func TestDecimalNestedContainersRoundTrip(t *testing.T) {
	want := orders()
	data := writeFile(t, want)
	schema := openBytes(t, "o.avro", data).Schema().String()
	for _, opts := range [][]avroio.ReadOption{nil, {avroio.WithReaderSchema(schema)}} {
		got := readAll[order](t, openBytes(t, "o.avro", data, opts...))
		if len(got) != len(want) {
			t.Fatalf("read %d records, want %d", len(got), len(want))
		}
		for i := range want {
			if g, w := got[i].String(), want[i].String(); g != w {
				t.Errorf("reader schema %v, record %d:\n got %s\nwant %s", opts != nil, i, g, w)
			}
		}
	}
}

// A value deep in slices and maps that its decimal cannot hold fails the
// write, naming the path to it.
func TestDecimalNestedContainersRefuseLoss(t *testing.T) {
	for _, c := range []struct {
		rec  order
		want string
	}{
		{order{Lines: []*orderLine{nil, {Parts: []*big.Rat{rat("1"), rat("0.25")}}}}, "field lines[1].parts[1]: 1/4 (≈0.2500) is not exact at scale 1"},
		{order{ByKey: map[string]orderLine{"k": {Price: big.NewRat(1, 3)}}}, `field byKey["k"].price: 1/3`},
		{order{Buckets: map[string][]*big.Rat{"b": {nil, rat("123456789")}}}, `field buckets["b"][1]: 123456789.00 has 11 digits at scale 2, more than its precision, 10`},
		{order{Nested: []map[string]*big.Rat{nil, {"q\"": rat("1000")}}}, `field nested[1]["q\""]: 1000.000 has 7 digits at scale 3, more than its precision, 6`},
		{order{Deep: map[string]map[string]*big.Rat{"d": {"e": big.NewRat(1, 3)}}}, `field deep["d"]["e"]: 1/3`},
	} {
		if err := writeErrOf(c.rec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error with %q", err, c.want)
		}
	}
}

// A writer schema's fixed decimals in an array: a value wider than the
// fixed's bytes (hamba/avro writes -90000 into 3 bytes as 77772.16) or not
// exact at its scale (which it would truncate) fails the write, and nil
// fails where the items are not nullable; the records written before and
// after read back exactly, and nothing of the failed one is in the file.
func TestDecimalFixedInArrayWriterSchema(t *testing.T) {
	const schema = `{"type":"record","name":"r","fields":[
		{"name":"prices","type":{"type":"array","items":{"type":"fixed","name":"p","size":3,"logicalType":"decimal","precision":7,"scale":2}}},
		{"name":"rates","type":{"type":"map","values":{"type":"bytes","logicalType":"decimal","precision":9,"scale":4}}}]}`
	type rec struct {
		Prices []*big.Rat          `avro:"prices"`
		Rates  map[string]*big.Rat `avro:"rates"`
	}
	var buf bytes.Buffer
	w, err := avroio.NewFileWriter[rec](&buf, avroio.WithWriterSchema(schema))
	if err != nil {
		t.Fatal(err)
	}
	good := rec{Prices: []*big.Rat{rat("83886.07"), rat("-83886.08")}, Rates: map[string]*big.Rat{"a": rat("-12345.6789")}}
	if err := w.Write(good); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		rec  rec
		want string
	}{
		{rec{Prices: []*big.Rat{rat("1"), rat("-90000")}}, "field prices[1]: -90000.00 does not fit the 3 bytes of its fixed decimal"},
		{rec{Prices: []*big.Rat{big.NewRat(-1, 3)}}, "field prices[0]: -1/3 (≈-0.33333) is not exact at scale 2"},
		{rec{Prices: []*big.Rat{nil}}, "field prices[0] is nil, but its decimal is not nullable"},
		{rec{Rates: map[string]*big.Rat{"b": nil}}, `field rates["b"] is nil, but its decimal is not nullable`},
	} {
		if err := w.Write(c.rec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error with %q", err, c.want)
		}
	}
	if err := w.Write(good); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := readAll[rec](t, openBytes(t, "f.avro", buf.Bytes()))
	if len(got) != 2 {
		t.Fatalf("read %d records, want the 2 written", len(got))
	}
	for _, g := range got {
		if showRats(g.Prices) != "[8388607/100 -2097152/25]" || showRats(g.Rates) != "[a=-123456789/10000]" {
			t.Errorf("read %s %s", showRats(g.Prices), showRats(g.Rates))
		}
	}
}
