package parquetio

import (
	"bytes"
	"errors"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// rat parses an exact decimal, e.g. "-12.34".
func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("bad decimal %q", s)
	}
	return r
}

// sameRat reports whether a and b are both nil or equal.
func sameRat(a, b *big.Rat) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Cmp(b) == 0
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "nil"
	}
	return r.RatString()
}

// columnTypes returns the type of each top-level column of data, by name.
func columnTypes(t *testing.T, data []byte) map[string]string {
	t.Helper()
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]string{}
	for _, fld := range f.Schema().Fields() {
		opt := "required "
		if fld.Optional() {
			opt = "optional "
		}
		types[fld.Name()] = opt + typeName(fld.Type())
	}
	return types
}

type ratRow struct {
	ID    int64    `parquet:"id"`
	Small *big.Rat `parquet:"small,decimal(2:9)"`
	Mid   *big.Rat `parquet:"mid,decimal(2:18)"`
	Wide  *big.Rat `parquet:"wide,decimal(18:38)"`
	Req   big.Rat  `parquet:"req,decimal(3:20)"`
	Note  string   `parquet:"note"`
}

func TestRatRoundTrip(t *testing.T) {
	wide38 := "99999999999999999999.999999999999999999" // 38 digits
	rows := []ratRow{
		{ID: 0, Small: rat(t, "0"), Mid: rat(t, "0"), Wide: rat(t, "0"), Note: "zeros"},
		{ID: 1, Small: rat(t, "-12.34"), Mid: rat(t, "-0.01"), Wide: rat(t, "-1.000000000000000001"), Note: "negative"},
		{ID: 2, Note: "nulls"},
		{ID: 3, Small: rat(t, "9999999.99"), Mid: rat(t, "9999999999999999.99"), Wide: rat(t, wide38), Note: "max"},
		{ID: 4, Small: rat(t, "-9999999.99"), Mid: rat(t, "-9999999999999999.99"), Wide: rat(t, "-"+wide38), Note: "min"},
		{ID: 5, Small: rat(t, "1/4"), Mid: rat(t, "12345"), Wide: rat(t, "-0.000000000000000001"), Note: "fractions"},
	}
	for i := range rows {
		rows[i].Req.SetFrac64(int64(i)*1000001-2500000, 1000) // scale 3
	}
	rows[5].Req.Set(rat(t, "-99999999999999999.999")) // precision 20, beyond int64
	data := encodeRows(t, rows, RowGroupRows(4))

	got := columnTypes(t, data)
	want := map[string]string{
		"id":    "required INT64/INT(64,true)",
		"small": "optional INT32/DECIMAL(9,2)",
		"mid":   "optional INT64/DECIMAL(18,2)",
		"wide":  "optional FIXED_LEN_BYTE_ARRAY(16)/DECIMAL(38,18)",
		"req":   "required FIXED_LEN_BYTE_ARRAY(9)/DECIMAL(20,3)",
		"note":  "required BYTE_ARRAY/STRING",
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("column %s: got %q, want %q", name, got[name], w)
		}
	}

	back, _, err := readAll[ratRow]("rats.parquet", data)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(rows) {
		t.Fatalf("read %d rows, want %d", len(back), len(rows))
	}
	for i, g := range back {
		w := rows[i]
		if g.ID != w.ID || g.Note != w.Note || !sameRat(g.Small, w.Small) || !sameRat(g.Mid, w.Mid) ||
			!sameRat(g.Wide, w.Wide) || g.Req.Cmp(&w.Req) != 0 {
			t.Errorf("row %d: got %d %s %s %s %s %q, want %d %s %s %s %s %q", i,
				g.ID, ratString(g.Small), ratString(g.Mid), ratString(g.Wide), g.Req.RatString(), g.Note,
				w.ID, ratString(w.Small), ratString(w.Mid), ratString(w.Wide), w.Req.RatString(), w.Note)
		}
	}

	// Untagged *big.Rat fields read any DECIMAL; projection reads a subset.
	type untagged struct {
		Wide  *big.Rat `parquet:"wide"`
		Small *big.Rat `parquet:"small"`
	}
	proj, _, err := readAll[untagged]("rats.parquet", data)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range proj {
		if !sameRat(g.Wide, rows[i].Wide) || !sameRat(g.Small, rows[i].Small) {
			t.Errorf("untagged row %d: got %s %s, want %s %s", i,
				ratString(g.Wide), ratString(g.Small), ratString(rows[i].Wide), ratString(rows[i].Small))
		}
	}
}

// The schema DuckDB writes for DECIMAL(20,4) and DECIMAL(10,2), every column
// optional.
var foreignSchema = parquet.NewSchema("duckdb_schema", parquet.Group{
	"id":    parquet.Optional(parquet.Int(32)),
	"price": parquet.Optional(parquet.Decimal(2, 10, parquet.Int64Type)),
	"big":   parquet.Optional(parquet.Decimal(4, 20, parquet.FixedLenByteArrayType(16))),
	"raw":   parquet.Optional(parquet.Decimal(3, 30, parquet.ByteArrayType)),
})

const foreignRows = 5000

// foreignValues are row i's unscaled values, or nil for a null: price at
// scale 2, big at scale 4 (beyond int64), raw at scale 3.
func foreignValues(i int) (price, bigv, raw *big.Int) {
	if i%97 != 3 {
		price = big.NewInt(int64(i-2500) * 137)
	}
	if i%89 != 5 {
		bigv = new(big.Int).Mul(big.NewInt(int64(i-2500)), new(big.Int).Exp(big.NewInt(10), big.NewInt(17), nil))
		bigv.Add(bigv, big.NewInt(int64(i)*7919))
	}
	if i%83 != 7 {
		raw = new(big.Int).Lsh(big.NewInt(int64(i-2500)), uint(i%90))
	}
	return
}

// twosBytes is x in two's complement, big-endian, in n bytes, or in the
// fewest bytes if n is 0.
func twosBytes(x *big.Int, n int) []byte {
	if n == 0 {
		n = x.BitLen()/8 + 1
	}
	v := new(big.Int).Set(x)
	if v.Sign() < 0 {
		v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(8*n)))
	}
	return v.FillBytes(make([]byte, n))
}

// writeForeign writes foreignRows rows of foreignSchema with parquet-go's
// row API, in row groups of 2000 rows and small pages.
func writeForeign(t testing.TB) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[any](&buf, foreignSchema, parquet.PageBufferSize(4096), parquet.MaxRowsPerRowGroup(2000))
	// Columns in the group's (sorted) order: big, id, price, raw.
	level := func(v parquet.Value, ok bool, col int) parquet.Value {
		if !ok {
			return parquet.NullValue().Level(0, 0, col)
		}
		return v.Level(0, 1, col)
	}
	rows := make([]parquet.Row, 0, foreignRows)
	for i := range foreignRows {
		price, bigv, raw := foreignValues(i)
		var bv, pv, rv parquet.Value
		if bigv != nil {
			bv = parquet.FixedLenByteArrayValue(twosBytes(bigv, 16))
		}
		if price != nil {
			pv = parquet.Int64Value(price.Int64())
		}
		if raw != nil {
			rv = parquet.ByteArrayValue(twosBytes(raw, 0))
		}
		rows = append(rows, parquet.Row{
			level(bv, bigv != nil, 0),
			level(parquet.Int32Value(int32(i)), true, 1),
			level(pv, price != nil, 2),
			level(rv, raw != nil, 3),
		})
	}
	if _, err := w.WriteRows(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

type foreignRow struct {
	ID    int32    `parquet:"id"` // optional in the file, never null
	Price *big.Rat `parquet:"price"`
	Big   *big.Rat `parquet:"big,decimal(4:20)"`
	Raw   *big.Rat `parquet:"raw"`
}

func checkForeign(t *testing.T, got []foreignRow, ids []int) {
	t.Helper()
	if len(got) != len(ids) {
		t.Fatalf("read %d rows, want %d", len(got), len(ids))
	}
	scaled := func(x *big.Int, scale int64) *big.Rat {
		if x == nil {
			return nil
		}
		return new(big.Rat).SetFrac(x, new(big.Int).Exp(big.NewInt(10), big.NewInt(scale), nil))
	}
	bad := 0
	for k, i := range ids {
		g := got[k]
		price, bigv, raw := foreignValues(i)
		wp, wb, wr := scaled(price, 2), scaled(bigv, 4), scaled(raw, 3)
		if int(g.ID) != i || !sameRat(g.Price, wp) || !sameRat(g.Big, wb) || !sameRat(g.Raw, wr) {
			if bad++; bad <= 5 {
				t.Errorf("row %d: got %d %s %s %s, want %d %s %s %s", k, g.ID,
					ratString(g.Price), ratString(g.Big), ratString(g.Raw), i, ratString(wp), ratString(wb), ratString(wr))
			}
		}
	}
}

func TestRatReadForeign(t *testing.T) {
	data := writeForeign(t)
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.Metadata().RowGroups); n != 3 {
		t.Fatalf("%d row groups, want 3", n)
	}
	pages := 0
	pr := f.RowGroups()[0].ColumnChunks()[0].Pages()
	for {
		p, err := pr.ReadPage()
		if err != nil {
			break
		}
		pages++
		parquet.Release(p)
	}
	pr.Close()
	if pages < 3 {
		t.Fatalf("column big has %d pages in row group 0, want several", pages)
	}

	all := make([]int, foreignRows)
	for i := range all {
		all[i] = i
	}
	t.Run("all", func(t *testing.T) {
		got, st, err := readAll[foreignRow]("duck.parquet", data)
		if err != nil {
			t.Fatal(err)
		}
		checkForeign(t, got, all)
		if st.Rows != foreignRows || st.RowGroups != 3 {
			t.Errorf("stats %+v, want %d rows in 3 row groups", st, foreignRows)
		}
	})
	t.Run("byte ranges", func(t *testing.T) {
		// Split at the second row group: each half reads its own rows.
		mid := rowGroupOffset(&f.Metadata().RowGroups[1])
		a, _, err := readAll[foreignRow]("duck.parquet", data, ByteRange(0, mid))
		if err != nil {
			t.Fatal(err)
		}
		b, _, err := readAll[foreignRow]("duck.parquet", data, ByteRange(mid, int64(len(data))-mid))
		if err != nil {
			t.Fatal(err)
		}
		if len(a) != 2000 {
			t.Errorf("first range read %d rows, want 2000", len(a))
		}
		checkForeign(t, append(a, b...), all)
	})
	t.Run("filter", func(t *testing.T) {
		got, st, err := readAll[foreignRow]("duck.parquet", data, WithFilter(Ge("id", 4000)))
		if err != nil {
			t.Fatal(err)
		}
		if st.RowGroupsPruned != 2 {
			t.Errorf("%d row groups pruned, want 2", st.RowGroupsPruned)
		}
		checkForeign(t, got, all[4000:])
	})
	t.Run("projection", func(t *testing.T) {
		type onlyBig struct {
			Big *big.Rat `parquet:"big"`
		}
		r, err := NewReader[onlyBig]("duck.parquet", bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		rows := make([]onlyBig, foreignRows)
		n := 0
		for n < len(rows) {
			m, err := r.Read(rows[n:])
			if err != nil {
				t.Fatal(err)
			}
			n += m
		}
		for i, g := range rows {
			_, bigv, _ := foreignValues(i)
			var w *big.Rat
			if bigv != nil {
				w = new(big.Rat).SetFrac(bigv, big.NewInt(10000))
			}
			if !sameRat(g.Big, w) {
				t.Fatalf("row %d: got %s, want %s", i, ratString(g.Big), ratString(w))
			}
		}
		// Only column big's chunks were read: less than half the file.
		if r.BytesRead() > int64(len(data))/2 {
			t.Errorf("read %d bytes of %d for one column of four", r.BytesRead(), len(data))
		}
	})
	t.Run("lenient", func(t *testing.T) {
		off := rowGroupOffset(&f.Metadata().RowGroups[1])
		bad := bytes.Clone(data)
		for i := range 16 {
			bad[off+int64(i)] = 0xff
		}
		_, _, err := readAll[foreignRow]("duck.parquet", bad)
		var ce *CorruptError
		if !errors.As(err, &ce) || ce.RowGroup != 1 || ce.Offset != off {
			t.Fatalf("got %v, want a *CorruptError in row group 1 at offset %d", err, off)
		}
		got, st, err := readAll[foreignRow]("duck.parquet", bad, Lenient())
		if err != nil {
			t.Fatal(err)
		}
		if st.CorruptRowGroups != 1 {
			t.Errorf("%d corrupt row groups skipped, want 1", st.CorruptRowGroups)
		}
		checkForeign(t, got, append(all[:2000:2000], all[4000:]...))
	})
	t.Run("null into big.Rat", func(t *testing.T) {
		type required struct {
			Price big.Rat `parquet:"price"`
		}
		_, _, err := readAll[required]("duck.parquet", data)
		var se *SchemaError
		if !errors.As(err, &se) || se.Column != "price" || se.RowGroup != 0 || se.Row != 3 {
			t.Fatalf("got %v, want a *SchemaError at row 3 of column price", err)
		}
	})
}

func TestRatSchemaErrors(t *testing.T) {
	data := writeForeign(t)
	type notDecimal struct {
		ID *big.Rat `parquet:"id"`
	}
	type narrower struct {
		Big *big.Rat `parquet:"big,decimal(2:20)"`
	}
	type absent struct {
		Gone *big.Rat `parquet:"gone"`
		ID   int32    `parquet:"id"`
	}
	type absentRequired struct {
		Gone big.Rat `parquet:"gone"`
	}
	type absentWide struct { // its tag alone would make it a FIXED_LEN_BYTE_ARRAY(13)
		Gone big.Rat `parquet:"gone,decimal(2:30)"`
	}
	t.Run("not a decimal", func(t *testing.T) {
		_, _, err := readAll[notDecimal]("duck.parquet", data)
		var se *SchemaError
		if !errors.As(err, &se) || se.Path != "duck.parquet" || se.Column != "id" ||
			!strings.Contains(err.Error(), "field ID (*big.Rat)") || !strings.Contains(err.Error(), "not a DECIMAL") {
			t.Fatalf("got %v, want a *SchemaError naming the file, column id and field ID", err)
		}
	})
	t.Run("narrower tag", func(t *testing.T) {
		_, _, err := readAll[narrower]("duck.parquet", data)
		var se *SchemaError
		if !errors.As(err, &se) || se.Column != "big" || !strings.Contains(err.Error(), "decimal(4:20)") {
			t.Fatalf("got %v, want a *SchemaError for column big suggesting decimal(4:20)", err)
		}
	})
	t.Run("absent pointer", func(t *testing.T) {
		got, _, err := readAll[absent]("duck.parquet", data)
		if err != nil || len(got) != foreignRows || got[7].Gone != nil || got[7].ID != 7 {
			t.Fatalf("got %d rows, %v: want %d with Gone nil", len(got), err, foreignRows)
		}
	})
	t.Run("absent required", func(t *testing.T) {
		_, _, err := readAll[absentRequired]("duck.parquet", data)
		var se *SchemaError
		if !errors.As(err, &se) || se.Column != "gone" {
			t.Fatalf("got %v, want a *SchemaError for column gone", err)
		}
		got, _, err := readAll[absentRequired]("duck.parquet", data, ZeroFillMissing())
		if err != nil || len(got) != foreignRows || got[0].Gone.Sign() != 0 {
			t.Fatalf("with ZeroFillMissing: got %d rows, %v", len(got), err)
		}
		wide, _, err := readAll[absentWide]("duck.parquet", data, ZeroFillMissing())
		if err != nil || len(wide) != foreignRows || wide[0].Gone.Sign() != 0 {
			t.Fatalf("a wide tag with ZeroFillMissing: got %d rows, %v", len(wide), err)
		}
	})
}

func TestRatUnsupportedTypes(t *testing.T) {
	type listOfLists struct {
		Xs [][]*big.Rat `parquet:"xs,list"`
	}
	type untaggedSlice struct {
		Xs []*big.Rat `parquet:"xs"`
	}
	type mapKey struct {
		M map[*big.Rat]int32 `parquet:"m"`
	}
	type Embedded struct {
		X *big.Rat `parquet:"x,decimal(2:9)"`
	}
	type embedded struct {
		Embedded
	}
	type recursive struct {
		X    *big.Rat    `parquet:"x,decimal(2:9)"`
		Kids []recursive `parquet:"kids,list"`
	}
	type badTag struct {
		X *big.Rat `parquet:"x,decimal(9:2)"`
	}
	type otherTag struct {
		X *big.Rat `parquet:"x,timestamp(millisecond)"`
	}
	type dupColumn struct {
		X *big.Rat `parquet:"x,decimal(2:9)"`
		Y int64    `parquet:"x"`
	}
	if _, err := ratStructOf(reflect.TypeFor[recursive]()); err == nil || !strings.Contains(err.Error(), "contains itself") {
		t.Errorf("a recursive type: got %v, want an error", err)
	}
	data := writeForeign(t)
	for _, tc := range []struct {
		name  string
		read  func() error
		write func() error
		want  string
	}{
		{"list of lists", func() error { _, _, err := readAll[listOfLists]("f", data); return err },
			func() error { _, err := NewWriter[listOfLists](&bytes.Buffer{}); return err }, "field Xs"},
		{"slice without list tag", func() error { _, _, err := readAll[untaggedSlice]("f", data); return err },
			func() error { _, err := NewWriter[untaggedSlice](&bytes.Buffer{}); return err }, "list tag"},
		{"map key", func() error { _, _, err := readAll[mapKey]("f", data); return err },
			func() error { _, err := NewWriter[mapKey](&bytes.Buffer{}); return err }, "in its keys"},
		{"embedded", func() error { _, _, err := readAll[embedded]("f", data); return err },
			func() error { _, err := NewWriter[embedded](&bytes.Buffer{}); return err }, "embedded struct"},
		{"bad tag", func() error { _, _, err := readAll[badTag]("f", data); return err },
			func() error { _, err := NewWriter[badTag](&bytes.Buffer{}); return err }, "decimal(9:2)"},
		{"other tag", func() error { _, _, err := readAll[otherTag]("f", data); return err },
			func() error { _, err := NewWriter[otherTag](&bytes.Buffer{}); return err }, "timestamp(millisecond)"},
		{"duplicate column", func() error { _, _, err := readAll[dupColumn]("f", data); return err },
			func() error { _, err := NewWriter[dupColumn](&bytes.Buffer{}); return err }, "same column name"},
		{"pointer row", func() error { _, _, err := readAll[*foreignRow]("f", data); return err },
			func() error { _, err := NewWriter[*foreignRow](&bytes.Buffer{}); return err }, "row struct itself"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for what, f := range map[string]func() error{"read": tc.read, "write": tc.write} {
				if err := f(); err == nil || !strings.Contains(err.Error(), tc.want) || errors.Is(err, ErrCorrupt) {
					t.Errorf("%s: got %v, want an error mentioning %q", what, err, tc.want)
				}
			}
		})
	}
}

func TestRatWriteErrors(t *testing.T) {
	type untagged struct {
		X *big.Rat `parquet:"x"`
	}
	if _, err := NewWriter[untagged](&bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "field X") ||
		!strings.Contains(err.Error(), "decimal(scale:precision)") {
		t.Errorf("NewWriter of an untagged *big.Rat: got %v, want an error asking for the decimal tag", err)
	}
	type price struct {
		Item  string   `parquet:"item"`
		Price *big.Rat `parquet:"price,decimal(2:6)"`
		Total big.Rat  `parquet:"total,decimal(0:30)"`
	}
	for _, tc := range []struct {
		name  string
		price *big.Rat
		total *big.Rat
		want  []string
	}{
		{"inexact", big.NewRat(1, 3), big.NewRat(1, 1), []string{"row 1", "field Price", "1/3", "scale 2"}},
		{"too many digits", rat(t, "10000"), big.NewRat(1, 1), []string{"row 1", "field Price", "10000.00", "decimal(2:6)"}},
		{"too many digits, negative", rat(t, "-10000.5"), big.NewRat(1, 1), []string{"field Price", "-10000.50"}},
		{"fraction at scale 0", nil, rat(t, "0.5"), []string{"field Total", "1/2"}},
		{"31 digits", nil, rat(t, "1"+strings.Repeat("0", 30)), []string{"field Total", "1" + strings.Repeat("0", 30)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter[price](&buf)
			if err != nil {
				t.Fatal(err)
			}
			rows := []price{{Item: "ok", Price: rat(t, "9999.99")}, {Item: "bad", Price: tc.price}}
			rows[1].Total.Set(tc.total)
			_, err = w.Write(rows)
			checkDecimalValueError(t, err, tc.want, w.Close)
		})
	}
}

// checkDecimalValueError checks that err, a failed Write's, is a decimal
// value error mentioning every string of want, and that the writer's
// Close then fails too.
func checkDecimalValueError(t *testing.T, err error, want []string, close func() error) {
	t.Helper()
	if !errors.Is(err, errDecimalValue) {
		t.Fatalf("got %v, want a decimal value error", err)
	}
	for _, s := range want {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("got %v, want it to mention %q", err, s)
		}
	}
	if close() == nil {
		t.Error("Close after a failed Write: got nil, want the error")
	}
}

func TestRatPlainFieldsUnchanged(t *testing.T) {
	// A row type without big.Rat still takes the fast path.
	type flat struct {
		ID   int64  `parquet:"id"`
		Name string `parquet:"name"`
	}
	data := encodeRows(t, []flat{{1, "a"}, {2, "b"}})
	if !usesFast[flat](t, data) {
		t.Error("flat row type does not take the fast path")
	}
	r, err := NewReader[foreignRow]("duck.parquet", bytes.NewReader(writeForeign(t)), int64(len(writeForeign(t))))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if r.fast != nil || r.rats == nil {
		t.Error("a row type with big.Rat fields does not read through its shadow")
	}
}

// TestRatMutatedFiles runs random byte mutations of files with DECIMAL
// columns through the checks of FuzzReader, reading them as big.Rats.
func TestRatMutatedFiles(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	foreign := writeForeign(t)
	ours := encodeRows(t, []ratRow{
		{ID: 1, Small: big.NewRat(-5, 4), Mid: big.NewRat(7, 100), Wide: big.NewRat(-1, 1000)},
		{ID: 2}, {ID: 3, Small: big.NewRat(3, 1)},
	})
	seeds := [][]byte{foreign, ours, readFixture(t, "decimals_nested.parquet"), readFixture(t, "crunchgo_decimals.parquet")}
	n := 300
	if testing.Short() {
		n = 60
	}
	for range n {
		d := bytes.Clone(seeds[rng.IntN(len(seeds))])
		for range 1 + rng.IntN(4) {
			d[rng.IntN(len(d))] = byte(rng.IntN(256))
		}
		fuzzRead[foreignRow](t, d)
		fuzzRead[ratRow](t, d)
		fuzzRead[duckDecimals](t, d)
	}
}

// TestRatColumnOptions checks that a big.Rat field's compression and
// encoding options reach its column, as on any other field.
func TestRatColumnOptions(t *testing.T) {
	type row struct {
		Price *big.Rat `parquet:"price,decimal(2:10),zstd"`
		Wide  big.Rat  `parquet:"wide,decimal(4:30),uncompressed"`
	}
	rows := []row{{Price: rat(t, "1.25"), Wide: *rat(t, "-3.1416")}, {Wide: *rat(t, "0")}}
	data := encodeRows(t, rows)
	f, err := OpenFile("o.parquet", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, c := range f.RowGroups()[0].Columns {
		got[strings.Join(c.Path, ".")] = c.Compression
	}
	if got["price"] != "ZSTD" || got["wide"] != "UNCOMPRESSED" {
		t.Errorf("compression by column: %v, want price ZSTD and wide UNCOMPRESSED", got)
	}
	back, _, err := readAll[row]("o.parquet", data)
	if err != nil || len(back) != 2 || back[0].Price.Cmp(rat(t, "1.25")) != 0 || back[0].Wide.Cmp(rat(t, "-3.1416")) != 0 || back[1].Price != nil {
		t.Errorf("read back %v, %v", back, err)
	}
}

// TestByteDecimalsHaveNoBounds writes decimals stored as bytes and as
// integers. parquet-go compares byte decimals as unsigned bytes, so a chunk
// of 7 and -(10^20-1) claimed min 7 and max -(10^20-1), which would make an engine
// that prunes by statistics skip rows it needs; such chunks now have no
// bounds. Integer decimals keep theirs, which are right.
func TestByteDecimalsHaveNoBounds(t *testing.T) {
	type row struct {
		Wide   *big.Rat `parquet:"wide,decimal(0:20)"`   // FIXED_LEN_BYTE_ARRAY
		Narrow *big.Rat `parquet:"narrow,decimal(2:18)"` // INT64
		Plain  int64    `parquet:"plain"`
	}
	data := encodeRows(t, []row{
		{rat(t, "7"), rat(t, "-1.5"), 3},
		{rat(t, "-99999999999999999999"), rat(t, "2.25"), -4},
	})
	f, err := OpenFile("d.parquet", bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{"wide": {"", ""}, "narrow": {"-1.50", "2.25"}, "plain": {"-4", "3"}}
	for _, c := range f.RowGroups()[0].Columns {
		name := strings.Join(c.Path, ".")
		if got := [2]string{c.Min, c.Max}; got != want[name] {
			t.Errorf("%s (%s): min, max = %q, want %q", name, c.PhysicalType, got, want[name])
		}
	}
}
