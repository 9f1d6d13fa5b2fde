package avroio_test

import (
	"bytes"
	"math/big"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
)

// basket holds decimals in arrays and maps, as Spark writes
// array<decimal(10,2)>, map<string,decimal(38,18)> and
// array<struct<price:decimal(9,2)>>.
type basket struct {
	ID      int64                 `avro:"id"`
	Prices  []*big.Rat            `avro:"prices,decimal(10,2)"`
	Rates   map[string]*big.Rat   `avro:"rates,decimal(38,18)"`
	Lines   []moneyLine           `avro:"lines"`
	Refunds map[string]*moneyLine `avro:"refunds"`
	Grid    [][]*big.Rat          `avro:"grid,decimal(5,1)"`
}

// ratsOf renders a basket's decimals for comparison.
func ratsOf(b basket) string {
	var sb strings.Builder
	for _, p := range b.Prices {
		sb.WriteString(ratString(p) + " ")
	}
	sb.WriteString("| ")
	for _, k := range []string{"a", "b", "c"} {
		if r, ok := b.Rates[k]; ok {
			sb.WriteString(k + "=" + ratString(r) + " ")
		}
	}
	sb.WriteString("| ")
	for _, l := range b.Lines {
		sb.WriteString(ratString(l.Price) + " ")
	}
	sb.WriteString("| ")
	for _, k := range []string{"x", "y"} {
		if l, ok := b.Refunds[k]; ok {
			if l == nil {
				sb.WriteString(k + "=nil ")
			} else {
				sb.WriteString(k + "=" + ratString(l.Price) + " ")
			}
		}
	}
	sb.WriteString("| ")
	for _, row := range b.Grid {
		for _, r := range row {
			sb.WriteString(ratString(r) + " ")
		}
		sb.WriteString("; ")
	}
	return sb.String()
}

func baskets() []basket {
	return []basket{
		{
			ID:      1,
			Prices:  []*big.Rat{rat("1.25"), nil, rat("-99999999.99")},
			Rates:   map[string]*big.Rat{"a": rat("12345678901234567890.123456789012345678"), "b": nil},
			Lines:   []moneyLine{{rat("0.05")}, {nil}},
			Refunds: map[string]*moneyLine{"x": {rat("-7")}, "y": nil},
			Grid:    [][]*big.Rat{{rat("1.5"), rat("-2")}, {}, {nil}},
		},
		{ID: 2},
	}
}

// Decimals in arrays and maps, and in records inside them, are written
// and read back exactly, nulls as nil.
func TestDecimalInContainersRoundTrip(t *testing.T) {
	want := baskets()
	data := writeFile(t, want)
	f := openBytes(t, "b.avro", data)
	if s := f.Schema().String(); !strings.Contains(s, `{"name":"prices","type":{"type":"array","items":["null",{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}]}}`) {
		t.Errorf("schema %s", s)
	}
	for _, opts := range [][]avroio.ReadOption{nil, {avroio.WithReaderSchema(f.Schema().String())}} {
		got := readAll[basket](t, openBytes(t, "b.avro", data, opts...))
		if len(got) != len(want) {
			t.Fatalf("read %d records, want %d", len(got), len(want))
		}
		for i := range want {
			if g, w := ratsOf(got[i]), ratsOf(want[i]); g != w || got[i].ID != want[i].ID {
				t.Errorf("record %d (reader schema %v): got %s, want %s", i, opts != nil, g, w)
			}
		}
	}
}

// rawBasket writes a file holding decimals' bytes, in Spark's shapes: a
// nullable bytes decimal in an array, a fixed decimal in a map.
type rawBasket struct {
	Prices []*[]byte          `avro:"prices"`
	Rates  map[string][9]byte `avro:"rates"`
}

const rawBasketSchema = `{"type":"record","name":"topLevelRecord","fields":[
	{"name":"prices","type":{"type":"array","items":["null",{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}]}},
	{"name":"rates","type":{"type":"map","values":{"type":"fixed","name":"rate","size":9,"logicalType":"decimal","precision":20,"scale":4}}}]}`

// Files written by another writer, with nullable and fixed decimals in
// arrays and maps, read exactly; hamba/avro alone reads a nullable decimal
// in an array as 0.
func TestDecimalInContainersHandWritten(t *testing.T) {
	price := twos(big.NewInt(-12345), 0) // -123.45
	var rate [9]byte
	copy(rate[:], twos(big.NewInt(98765432101), 9)) // 9876543.2101
	data := ocfBytes(t, rawBasketSchema, rawBasket{Prices: []*[]byte{&price, nil}, Rates: map[string][9]byte{"a": rate}})
	type spark struct {
		Prices []*big.Rat          `avro:"prices"`
		Rates  map[string]*big.Rat `avro:"rates"`
	}
	for _, opts := range [][]avroio.ReadOption{nil, {avroio.WithReaderSchema(rawBasketSchema)}} {
		got := readAll[spark](t, openBytes(t, "spark.avro", data, opts...))
		if len(got) != 1 || len(got[0].Prices) != 2 || !sameRat(got[0].Prices[0], rat("-123.45")) || got[0].Prices[1] != nil ||
			!sameRat(got[0].Rates["a"], rat("9876543.2101")) {
			t.Errorf("reader schema %v: got %+v", opts != nil, got)
		}
	}
}

// A value in an array or map that its decimal cannot hold fails the write,
// naming the field, the item's index or the value's key, and the value;
// nothing is truncated.
func TestDecimalInContainersRefusesLoss(t *testing.T) {
	for _, c := range []struct {
		rec  basket
		want string
	}{
		{basket{Prices: []*big.Rat{rat("1"), big.NewRat(1, 3)}}, "field prices[1]: 1/3 (≈0.33333) is not exact at scale 2"},
		{basket{Rates: map[string]*big.Rat{"a": big.NewRat(1, 7)}}, `field rates["a"]: 1/7`},
		{basket{Lines: []moneyLine{{rat("10000000")}}}, "field lines[0].price: 10000000.00 has 10 digits at scale 2, more than its precision, 9"},
		{basket{Refunds: map[string]*moneyLine{"x": {big.NewRat(1, 8)}}}, `field refunds["x"].price: 1/8`},
		{basket{Grid: [][]*big.Rat{{rat("0.5")}, {rat("0.05")}}}, "field grid[1][0]: 1/20 (≈0.0500) is not exact at scale 1"},
	} {
		if err := writeErrOf(c.rec); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error with %q", err, c.want)
		}
	}
	// A nil where the writer schema's items are not nullable.
	w, err := avroio.NewFileWriter[basket](&bytes.Buffer{}, avroio.WithWriterSchema(`{"type":"record","name":"b","fields":[
		{"name":"prices","type":{"type":"array","items":{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(basket{Prices: []*big.Rat{nil}}); err == nil || !strings.Contains(err.Error(), "field prices[0] is nil, but its decimal is not nullable") {
		t.Errorf("nil into a plain decimal: %v", err)
	}
	// Spark's nullable fixed decimals, which hamba/avro cannot encode a
	// *big.Rat into, are refused when the writer is made.
	_, err = avroio.NewFileWriter[basket](&bytes.Buffer{}, avroio.WithWriterSchema(`{"type":"record","name":"b","fields":[
		{"name":"rates","type":{"type":"map","values":["null",{"type":"fixed","name":"r","size":9,"logicalType":"decimal","precision":20,"scale":4}]}}]}`))
	if err == nil || !strings.Contains(err.Error(), "field rates[key]: hamba/avro cannot write a *big.Rat into a fixed decimal in a union") {
		t.Errorf("nullable fixed decimal in a map: %v", err)
	}
}

// Spark's exact shape for a nullable array<decimal(20,4)>: a nullable array
// of nullable fixed decimals, read into a plain slice and into a pointer to
// one; a pointer to a slice of decimals round-trips too.
func TestDecimalInNullableArray(t *testing.T) {
	const schema = `{"type":"record","name":"r","fields":[{"name":"a","type":["null",{"type":"array","items":["null",
		{"type":"fixed","name":"f","size":9,"logicalType":"decimal","precision":20,"scale":4}]}]}]}`
	type raw struct {
		A *[]*[9]byte `avro:"a"`
	}
	var f [9]byte
	copy(f[:], twos(big.NewInt(-98765), 9)) // -9.8765
	data := ocfBytes(t, schema, raw{A: &[]*[9]byte{&f, nil}}, raw{})
	type plain struct {
		A []*big.Rat `avro:"a"`
	}
	type ptr struct {
		A *[]*big.Rat `avro:"a,decimal(20,4)"`
	}
	for _, opts := range [][]avroio.ReadOption{nil, {avroio.WithReaderSchema(schema)}} {
		got := readAll[plain](t, openBytes(t, "n.avro", data, opts...))
		if len(got) != 2 || len(got[0].A) != 2 || !sameRat(got[0].A[0], rat("-9.8765")) || got[0].A[1] != nil || len(got[1].A) != 0 {
			t.Errorf("into a slice (reader schema %v): %+v", opts != nil, got)
		}
		gotPtr := readAll[ptr](t, openBytes(t, "n.avro", data, opts...))
		if len(gotPtr) != 2 || gotPtr[0].A == nil || len(*gotPtr[0].A) != 2 || !sameRat((*gotPtr[0].A)[0], rat("-9.8765")) || gotPtr[1].A != nil {
			t.Errorf("into a pointer to a slice (reader schema %v): %+v", opts != nil, gotPtr)
		}
	}
	want := []ptr{{A: &[]*big.Rat{rat("1.0001"), nil}}, {}}
	got := readAll[ptr](t, openBytes(t, "p.avro", writeFile(t, want)))
	if len(got) != 2 || got[0].A == nil || !sameRat((*got[0].A)[0], rat("1.0001")) || (*got[0].A)[1] != nil || got[1].A != nil {
		t.Errorf("round trip of a pointer to a slice: %+v", got)
	}
	if err := writeErrOf(ptr{A: &[]*big.Rat{big.NewRat(1, 3)}}); err == nil || !strings.Contains(err.Error(), "field a[0]: 1/3") {
		t.Errorf("a loss through a pointer to a slice: %v", err)
	}
}

// writeErrOf is the error of writing rec to a new file.
func writeErrOf[T any](rec T) error {
	w, err := avroio.NewFileWriter[T](&bytes.Buffer{})
	if err != nil {
		return err
	}
	return w.Write(rec)
}
