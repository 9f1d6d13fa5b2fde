package parquetio

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"
)

// render prints v for comparisons: big.Rats as exact decimals, nil
// pointers as nil, nil lists and maps as empty ones (which parquet-go does
// not tell apart), maps sorted by key.
func render(v reflect.Value) string {
	switch {
	case v.Type() == ratType:
		b := v.Interface().(big.Rat)
		r := &b
		if new(big.Int).Rem(decimalPow(18), r.Denom()).Sign() != 0 {
			return r.RatString() // not a decimal of up to 18 places
		}
		s := r.FloatString(18)
		s = strings.TrimRight(s, "0")
		return strings.TrimSuffix(s, ".")
	case v.Kind() == reflect.Pointer:
		if v.IsNil() {
			return "nil"
		}
		return "&" + render(v.Elem())
	case v.Kind() == reflect.Slice && v.Type().Elem().Kind() != reflect.Uint8, v.Kind() == reflect.Map:
		var parts []string
		if v.Kind() == reflect.Map {
			for it := v.MapRange(); it.Next(); {
				parts = append(parts, fmt.Sprint(it.Key())+":"+render(it.Value()))
			}
			slices.Sort(parts)
			return "map[" + strings.Join(parts, " ") + "]"
		}
		for i := range v.Len() {
			parts = append(parts, render(v.Index(i)))
		}
		return "[" + strings.Join(parts, " ") + "]"
	case v.Kind() == reflect.Struct:
		var parts []string
		for i := range v.NumField() {
			parts = append(parts, render(v.Field(i)))
		}
		return "{" + strings.Join(parts, " ") + "}"
	}
	return fmt.Sprint(v.Interface())
}

func decimalPow(n int64) *big.Int {
	return new(big.Int).Exp(big.NewInt(10), big.NewInt(n), nil)
}

// renderRows renders each row on a line.
func renderRows[T any](rows []T) string {
	var lines []string
	for i := range rows {
		lines = append(lines, render(reflect.ValueOf(&rows[i]).Elem()))
	}
	return strings.Join(lines, "\n")
}

// The rows of testdata/decimals_nested.parquet, written by DuckDB (see
// testdata/gen): DECIMAL(9,2) (INT32) in a struct and a map, DECIMAL(18,4)
// (INT64) in a list, DECIMAL(38,18) (FIXED_LEN_BYTE_ARRAY(16)) in a list, a
// list of structs and a map, with nulls at each level.
type duckItem struct {
	SKU   *string  `parquet:"sku"`
	Price *big.Rat `parquet:"price"`
}

type duckDecimals struct {
	ID int32 `parquet:"id"`
	S  *struct {
		Price *big.Rat `parquet:"price,decimal(2:9)"`
		Qty   *int32   `parquet:"qty"`
	} `parquet:"s"`
	L     []*big.Rat          `parquet:"l,list,optional"`
	Wide  []*big.Rat          `parquet:"wide,list,optional" parquet-element:",decimal(18:38)"`
	Items []*duckItem         `parquet:"items,list,optional"`
	M     map[string]*big.Rat `parquet:"m,optional"`
	Small map[string]*big.Rat `parquet:"small,optional"`
}

const wide38 = "99999999999999999999.999999999999999999"

var duckDecimalsWant = strings.Join([]string{
	"{1 &{&12.34 &3} [&1.5 nil &-2.25] [&0.000000000000000001] [&{&a &1.25} nil &{&c nil}] map[eur:&1.5 usd:nil] map[x:&-0.01]}",
	"{2 nil [] [] [] map[] map[]}",
	"{3 &{nil nil} [] [] [] map[] map[]}",
	"{4 &{&-9999999.99 &0} [&99999999999999.9999 &-99999999999999.9999] [&" + wide38 + " &-" + wide38 + "] [&{&max &" + wide38 + "}] map[min:&-" + wide38 + "] map[max:&9999999.99]}",
}, "\n")

func TestRatNestedDuckDB(t *testing.T) {
	data := readFixture(t, "decimals_nested.parquet")
	got, _, err := readAll[duckDecimals]("decimals_nested.parquet", data)
	if err != nil {
		t.Fatal(err)
	}
	if g := renderRows(got); g != duckDecimalsWant {
		t.Errorf("read\n%s\nwant\n%s", g, duckDecimalsWant)
	}
	// The scale comes from the file: 1.5 at scale 4 is 15000/10000.
	if got[0].L[0].Cmp(big.NewRat(3, 2)) != 0 {
		t.Errorf("l[0] = %s, want 3/2", got[0].L[0].RatString())
	}
}

// TestRatNestedDuckDBNulls reads the nulls of decimals_nested.parquet into
// types that cannot hold them, and decimals into narrower tags.
func TestRatNestedDuckDBNulls(t *testing.T) {
	data := readFixture(t, "decimals_nested.parquet")
	type requiredElements struct {
		L []big.Rat `parquet:"l,list,optional"`
	}
	type structByValue struct {
		S struct {
			Price *big.Rat `parquet:"price"`
		} `parquet:"s"`
	}
	type requiredPrice struct {
		Items []*struct {
			Price big.Rat `parquet:"price"`
		} `parquet:"items,list,optional"`
	}
	type narrowItem struct {
		Items []*struct {
			Price *big.Rat `parquet:"price,decimal(2:38)"`
		} `parquet:"items,list,optional"`
	}
	type narrowElement struct {
		L []*big.Rat `parquet:"l,list,optional" parquet-element:",decimal(2:18)"`
	}
	type notDecimal struct {
		Items []*struct {
			SKU *big.Rat `parquet:"sku"`
		} `parquet:"items,list,optional"`
	}
	for _, tc := range []struct {
		name   string
		read   func() error
		column string
		row    int64 // -1: when the file opens
		want   string
	}{
		{"null element", func() error { _, _, err := readAll[requiredElements]("f", data); return err },
			"l.list.element", 0, "the Go list's elements must be pointers"},
		{"null struct", func() error { _, _, err := readAll[structByValue]("f", data); return err },
			"s.price", 1, "its Go field must be a pointer"},
		{"null in a list's struct", func() error { _, _, err := readAll[requiredPrice]("f", data); return err },
			"items.list.element.price", 0, "the Go field must be a pointer"},
		{"narrower tag in a list's struct", func() error { _, _, err := readAll[narrowItem]("f", data); return err },
			"items.list.element.price", -1, "tag it decimal(18:38)"},
		{"narrower element tag", func() error { _, _, err := readAll[narrowElement]("f", data); return err },
			"l.list.element", -1, "tag it decimal(4:18)"},
		{"not a decimal", func() error { _, _, err := readAll[notDecimal]("f", data); return err },
			"items.list.element.sku", -1, "field Items[].SKU (*big.Rat)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.read()
			var se *SchemaError
			if !errors.As(err, &se) || se.Column != tc.column || se.Row != tc.row || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a *SchemaError for column %s at row %d mentioning %q", err, tc.column, tc.row, tc.want)
			}
		})
	}
}

// nestedItem is a list's struct holding big.Rats, one in a list of its own.
type nestedItem struct {
	SKU   string     `parquet:"sku"`
	Price *big.Rat   `parquet:"price,decimal(2:10)"`
	Tiers []*big.Rat `parquet:"tiers,list" parquet-element:",decimal(18:38)"`
}

type nestedRats struct {
	ID    int64 `parquet:"id"`
	Value struct {
		Price big.Rat  `parquet:"price,decimal(2:9)"`
		Fee   *big.Rat `parquet:"fee,decimal(4:18)"`
	} `parquet:"value"`
	Ptr *struct {
		Wide *big.Rat `parquet:"wide,decimal(18:38)"`
	} `parquet:"ptr"`
	Opt      []*big.Rat             `parquet:"opt,list" parquet-element:",decimal(2:9)"`
	Req      []big.Rat              `parquet:"req,list" parquet-element:",decimal(0:20)"`
	Items    []nestedItem           `parquet:"items,list"`
	PtrItems []*nestedItem          `parquet:"ptr_items,list"`
	Totals   map[string]*big.Rat    `parquet:"totals" parquet-value:",decimal(18:38)"`
	Counts   map[int32]big.Rat      `parquet:"counts" parquet-value:",decimal(3:12)"`
	ByKey    map[string]*nestedItem `parquet:"by_key"`
	Note     string                 `parquet:"note"`
}

func nestedRows(t *testing.T) []nestedRats {
	rows := make([]nestedRats, 4)
	full := &rows[0]
	full.ID, full.Note = 1, "full"
	full.Value.Price.Set(rat(t, "-9999999.99"))
	full.Value.Fee = rat(t, "0.0001")
	full.Ptr = &struct {
		Wide *big.Rat `parquet:"wide,decimal(18:38)"`
	}{Wide: rat(t, "-"+wide38)}
	full.Opt = []*big.Rat{rat(t, "1.5"), nil, rat(t, "-0.01")}
	full.Req = []big.Rat{*rat(t, "12345678901234567890"), *rat(t, "-1")}
	full.Items = []nestedItem{
		{SKU: "a", Price: rat(t, "99999999.99"), Tiers: []*big.Rat{rat(t, wide38), nil}},
		{SKU: "b"},
	}
	full.PtrItems = []*nestedItem{nil, {SKU: "c", Price: rat(t, "1/4")}}
	full.Totals = map[string]*big.Rat{"eur": rat(t, "0.000000000000000001"), "usd": nil}
	full.Counts = map[int32]big.Rat{7: *rat(t, "-999999999.999")}
	full.ByKey = map[string]*nestedItem{"k": {SKU: "d", Price: rat(t, "-3")}, "nil": nil}
	// Nulls and empties at each level.
	rows[1] = nestedRats{ID: 2, Note: "nil"}
	rows[2] = nestedRats{ID: 3, Note: "empty", Opt: []*big.Rat{}, Req: []big.Rat{}, Items: []nestedItem{},
		PtrItems: []*nestedItem{}, Totals: map[string]*big.Rat{}, Counts: map[int32]big.Rat{}, ByKey: map[string]*nestedItem{}}
	rows[2].Ptr = &struct {
		Wide *big.Rat `parquet:"wide,decimal(18:38)"`
	}{}
	rows[3] = nestedRats{ID: 4, Note: "nil elements", Opt: []*big.Rat{nil}, Items: []nestedItem{{Tiers: []*big.Rat{nil}}},
		PtrItems: []*nestedItem{nil}, Totals: map[string]*big.Rat{"x": nil}}
	return rows
}

func TestRatNestedRoundTrip(t *testing.T) {
	rows := nestedRows(t)
	data := encodeRows(t, rows, RowGroupRows(3))
	f, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for col, want := range map[string]string{
		"value.price":                           "INT32/DECIMAL(9,2)",
		"value.fee":                             "INT64/DECIMAL(18,4)",
		"ptr.wide":                              "FIXED_LEN_BYTE_ARRAY(16)/DECIMAL(38,18)",
		"opt.list.element":                      "INT32/DECIMAL(9,2)",
		"req.list.element":                      "FIXED_LEN_BYTE_ARRAY(9)/DECIMAL(20,0)",
		"items.list.element.price":              "INT64/DECIMAL(10,2)",
		"items.list.element.tiers.list.element": "FIXED_LEN_BYTE_ARRAY(16)/DECIMAL(38,18)",
		"ptr_items.list.element.price":          "INT64/DECIMAL(10,2)",
		"totals.key_value.value":                "FIXED_LEN_BYTE_ARRAY(16)/DECIMAL(38,18)",
		"counts.key_value.value":                "INT64/DECIMAL(12,3)",
		"by_key.key_value.value.price":          "INT64/DECIMAL(10,2)",
	} {
		c, ok := f.Schema().Lookup(strings.Split(col, ".")...)
		if !ok {
			t.Errorf("no column %s", col)
			continue
		}
		if got := typeName(c.Node.Type()); got != want {
			t.Errorf("column %s: %s, want %s", col, got, want)
		}
	}
	for _, col := range []string{"opt.list.element", "totals.key_value.value", "items.list.element.tiers.list.element"} {
		if c, _ := f.Schema().Lookup(strings.Split(col, ".")...); !c.Node.Optional() {
			t.Errorf("column %s is not optional: a *big.Rat's is", col)
		}
	}
	if c, _ := f.Schema().Lookup("req", "list", "element"); !c.Node.Required() {
		t.Error("column req.list.element is not required: a big.Rat's is")
	}
	back, _, err := readAll[nestedRats]("nested.parquet", data)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := renderRows(back), renderRows(rows); got != want {
		t.Errorf("read back\n%s\nwant\n%s", got, want)
	}
}

func TestRatNestedWriteErrors(t *testing.T) {
	type item struct {
		Price *big.Rat `parquet:"price,decimal(2:6)"`
	}
	type row struct {
		ID     int64               `parquet:"id"`
		S      *item               `parquet:"s"`
		L      []*big.Rat          `parquet:"l,list" parquet-element:",decimal(2:6)"`
		Items  []item              `parquet:"items,list"`
		Totals map[string]*big.Rat `parquet:"totals" parquet-value:",decimal(2:6)"`
	}
	for _, tc := range []struct {
		name string
		bad  row
		want []string
	}{
		{"struct", row{S: &item{Price: big.NewRat(1, 3)}}, []string{"row 1", "field S.Price", "1/3", "scale 2"}},
		{"list element", row{L: []*big.Rat{nil, big.NewRat(1, 1), rat(t, "10000")}}, []string{"row 1", "field L[2]", "10000.00", "decimal(2:6)"}},
		{"list's struct", row{Items: []item{{}, {Price: rat(t, "-0.001")}}}, []string{"field Items[1].Price", "-1/1000"}},
		{"map value", row{Totals: map[string]*big.Rat{"eur": rat(t, "-12345.6")}}, []string{`field Totals["eur"]`, "-12345.60"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			w, err := NewWriter[row](&buf)
			if err != nil {
				t.Fatal(err)
			}
			ok := row{S: &item{Price: rat(t, "9999.99")}, L: []*big.Rat{rat(t, "-9999.99")}}
			_, err = w.Write([]row{ok, tc.bad})
			checkDecimalValueError(t, err, tc.want, w.Close)
		})
	}
}

// TestRatNestedWriterTypes checks the big.Rats a Writer refuses.
func TestRatNestedWriterTypes(t *testing.T) {
	type untaggedElement struct {
		L []*big.Rat `parquet:"l,list"`
	}
	type untaggedValue struct {
		M map[string]*big.Rat `parquet:"m"`
	}
	type decimalOnList struct {
		L []*big.Rat `parquet:"l,list,decimal(2:9)"`
	}
	type wideMapValue struct { // parquet-go v0.32.0 panics on an empty map of them
		M map[string]big.Rat `parquet:"m" parquet-value:",decimal(2:20)"`
	}
	type wideInMapStruct struct {
		M map[string]struct {
			X big.Rat `parquet:"x,decimal(2:20)"`
		} `parquet:"m"`
	}
	for _, tc := range []struct {
		name string
		new  func() error
		want string
	}{
		{"untagged element", func() error { _, err := NewWriter[untaggedElement](&bytes.Buffer{}); return err }, `parquet-element:",decimal(2:18)"`},
		{"untagged value", func() error { _, err := NewWriter[untaggedValue](&bytes.Buffer{}); return err }, `parquet-value:",decimal(2:18)"`},
		{"decimal on the list", func() error { _, err := NewWriter[decimalOnList](&bytes.Buffer{}); return err }, "parquet-element"},
		{"wide required map value", func() error { _, err := NewWriter[wideMapValue](&bytes.Buffer{}); return err }, "field M[] (big.Rat)"},
		{"wide required in a map's struct", func() error { _, err := NewWriter[wideInMapStruct](&bytes.Buffer{}); return err }, "field M[].X (big.Rat)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.new(); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	// Nor can such a map be read, but narrower decimals can.
	type narrowMapValue struct {
		M map[string]big.Rat `parquet:"m" parquet-value:",decimal(2:18)"`
	}
	type wideMapPtr struct {
		M map[string]*big.Rat `parquet:"m" parquet-value:",decimal(2:20)"`
	}
	data := encodeRows(t, []wideMapPtr{{M: map[string]*big.Rat{"a": rat(t, "-1.5")}}, {}})
	var se *SchemaError
	if _, _, err := readAll[wideMapValue]("m.parquet", data); !errors.As(err, &se) || !strings.Contains(err.Error(), "*big.Rat") {
		t.Errorf("reading a FIXED_LEN_BYTE_ARRAY map value into a big.Rat: got %v, want a *SchemaError", err)
	}
	data = encodeRows(t, []narrowMapValue{{M: map[string]big.Rat{"a": *rat(t, "-1.5")}}, {}})
	got, _, err := readAll[narrowMapValue]("m.parquet", data)
	if err != nil || render(reflect.ValueOf(got)) != "[{map[a:-1.5]} {map[]}]" {
		t.Errorf("read %s, %v", render(reflect.ValueOf(got)), err)
	}
}

// TestRatNestedByteArray reads DECIMALs stored as BYTE_ARRAY and INT32,
// which DuckDB does not write, in a list and a struct.
func TestRatNestedByteArray(t *testing.T) {
	schema := parquet.NewSchema("foreign", parquet.Group{
		"l": parquet.Optional(parquet.List(parquet.Optional(parquet.Decimal(3, 30, parquet.ByteArrayType)))),
		"s": parquet.Group{
			"p": parquet.Optional(parquet.Decimal(1, 5, parquet.Int32Type)),
		},
	})
	type raw struct {
		L []*[]byte `parquet:"l,list,optional"`
		S struct {
			P *int32 `parquet:"p"`
		} `parquet:"s"`
	}
	neg := twosBytes(new(big.Int).Neg(new(big.Int).Mul(decimalPow(26), big.NewInt(7))), 0) // -7e26, at scale 3
	one := []byte{0x01}
	p := int32(-12345)
	rows := []raw{{L: []*[]byte{&neg, nil, &one}}, {}}
	rows[0].S.P = &p
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[any](&buf, schema)
	if _, err := w.Write([]any{&rows[0], &rows[1]}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	type decimals struct {
		L []*big.Rat `parquet:"l,list,optional"`
		S struct {
			P *big.Rat `parquet:"p"`
		} `parquet:"s"`
	}
	got, _, err := readAll[decimals]("b.parquet", buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	want := "[{[&-700000000000000000000000 nil &0.001] {&-1234.5}} {[] {nil}}]"
	if g := render(reflect.ValueOf(got)); g != want {
		t.Errorf("read %s, want %s", g, want)
	}
}

// TestDuckDBReadsOurDecimals checks that testdata/crunchgo_decimals.parquet
// is what the writer produces today, and that DuckDB read it as the text
// below (testdata/crunchgo_decimals.duckdb.txt, recorded by testdata/gen):
// its types and values. After a change to the writer: go test -run
// TestDuckDBReadsOurDecimals -update, then (cd testdata/gen && go run .).
func TestDuckDBReadsOurDecimals(t *testing.T) {
	type item struct {
		SKU   string   `parquet:"sku"`
		Price *big.Rat `parquet:"price,decimal(18:38)"`
	}
	type price struct {
		Price *big.Rat `parquet:"price,decimal(2:9)"`
	}
	type row struct {
		ID    int32               `parquet:"id"`
		S     *price              `parquet:"s"`
		L     []*big.Rat          `parquet:"l,list" parquet-element:",decimal(4:18)"`
		Items []item              `parquet:"items,list"`
		M     map[string]*big.Rat `parquet:"m" parquet-value:",decimal(18:38)"`
		R     []big.Rat           `parquet:"r,list" parquet-element:",decimal(0:20)"`
	}
	rows := []row{ // maps of one key at most, so that the file's bytes do not vary
		{ID: 1, S: &price{rat(t, "12.34")}, L: []*big.Rat{rat(t, "1.5"), nil, rat(t, "-99999999999999.9999")},
			Items: []item{{"a", rat(t, "1.25")}, {"b", nil}, {"max", rat(t, wide38)}},
			M:     map[string]*big.Rat{"eur": rat(t, "-"+wide38)}, R: []big.Rat{*rat(t, "-99999999999999999999"), *rat(t, "7")}},
		{ID: 2},
		{ID: 3, S: &price{}, L: []*big.Rat{}, Items: []item{}, M: map[string]*big.Rat{"usd": nil}, R: []big.Rat{}},
	}
	data := encodeRows(t, rows, Compression(Zstd))
	const path = "testdata/crunchgo_decimals.parquet"
	if *update {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if committed := readFixture(t, "crunchgo_decimals.parquet"); !bytes.Equal(committed, data) {
		t.Fatalf("the writer's output differs from %s: run this test with -update and then testdata/gen", path)
	}
	types := "STRUCT(price DECIMAL(9,2))|%s|DECIMAL(18,4)[]|%s|STRUCT(sku VARCHAR, price DECIMAL(38,18))[]|%s|MAP(VARCHAR, DECIMAL(38,18))|%s|DECIMAL(20,0)[]|%s"
	want := strings.Join([]string{
		"1|" + fmt.Sprintf(types, "{'price': 12.34}", "[1.5000, NULL, -99999999999999.9999]",
			"[{'sku': a, 'price': 1.250000000000000000}, {'sku': b, 'price': NULL}, {'sku': max, 'price': "+wide38+"}]",
			"{eur=-"+wide38+"}", "[-99999999999999999999, 7]"),
		"2|" + fmt.Sprintf(types, "NULL", "[]", "[]", "{}", "[]"),
		"3|" + fmt.Sprintf(types, "{'price': NULL}", "[]", "[]", "{usd=NULL}", "[]"),
	}, "\n") + "\n"
	if got := string(readFixture(t, "crunchgo_decimals.duckdb.txt")); got != want {
		t.Errorf("DuckDB read back\n%s\nwant\n%s", got, want)
	}
}
