package avroio_test

import (
	"bytes"
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/crunchtest"
	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/runner"
	"github.com/crunchgo/crunchgo/runner/mem"
	"github.com/crunchgo/crunchgo/storage"
)

func rat(s string) *big.Rat {
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		panic("bad rational " + s)
	}
	return r
}

// sameRat reports whether a and b are both nil or equal.
func sameRat(a, b *big.Rat) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Cmp(b) == 0
}

func ratString(r *big.Rat) string {
	if r == nil {
		return "nil"
	}
	return r.RatString()
}

type moneyLine struct {
	Price *big.Rat `avro:"price,decimal(9,2)"`
}

type money struct {
	ID     int64      `avro:"id"`
	Price  *big.Rat   `avro:"price,decimal(10,2)"`
	Big    *big.Rat   `avro:"big,decimal(38,18)"`
	Line   moneyLine  `avro:"line"`
	Refund *moneyLine `avro:"refund"`
}

// TestDecimalRoundTrip writes *big.Rat fields tagged decimal(P,S), at the
// top and in nested records, and reads them back exactly.
func TestDecimalRoundTrip(t *testing.T) {
	big38 := "12345678901234567890.123456789012345678" // 38 digits, 18 after the point
	recs := []money{
		{ID: 1, Price: rat("12.34"), Big: rat(big38), Line: moneyLine{rat("-0.01")}, Refund: &moneyLine{rat("1.5")}},
		{ID: 2, Price: rat("-12.34"), Big: rat("-" + big38), Line: moneyLine{rat("0")}},
		{ID: 3, Price: rat("0"), Big: rat("1e-18"), Refund: &moneyLine{}},
		{ID: 4, Price: rat("1.5"), Big: rat("-1")},   // fewer decimals than the scale
		{ID: 5, Price: rat("99999999.99"), Big: nil}, // the largest decimal(10,2)
		{ID: 6, Price: rat("-99999999.99"), Big: rat("-128")},
		{ID: 7}, // all nil
	}
	data := writeFile(t, recs)
	f := openBytes(t, "money.avro", data)
	s := f.Schema().String()
	for _, want := range []string{
		`{"name":"price","type":["null",{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}]}`,
		`{"name":"big","type":["null",{"type":"bytes","logicalType":"decimal","precision":38,"scale":18}]}`,
	} {
		if !strings.Contains(s, want) {
			t.Errorf("written schema %s lacks %s", s, want)
		}
	}
	got := readAll[money](t, f)
	if len(got) != len(recs) {
		t.Fatalf("read %d records, want %d", len(got), len(recs))
	}
	for i, g := range got {
		w := recs[i]
		wantRefund, gotRefund := (*big.Rat)(nil), (*big.Rat)(nil)
		if w.Refund != nil {
			wantRefund = w.Refund.Price
		}
		if g.Refund != nil {
			gotRefund = g.Refund.Price
		}
		if g.ID != w.ID || !sameRat(g.Price, w.Price) || !sameRat(g.Big, w.Big) || !sameRat(g.Line.Price, w.Line.Price) ||
			(g.Refund == nil) != (w.Refund == nil) || !sameRat(gotRefund, wantRefund) {
			t.Errorf("record %d: got %d %s %s %s %s, want %d %s %s %s %s", i,
				g.ID, ratString(g.Price), ratString(g.Big), ratString(g.Line.Price), ratString(gotRefund),
				w.ID, ratString(w.Price), ratString(w.Big), ratString(w.Line.Price), ratString(wantRefund))
		}
	}
	// Each record's value is its own.
	if got[0].Price == got[1].Price {
		t.Error("two records share a *big.Rat")
	}
}

// twos is the big-endian two's complement of n in size bytes, or in as
// few as hold it for size 0: an Avro decimal's bytes, encoded here rather
// than by hamba/avro's encoder.
func twos(n *big.Int, size int) []byte {
	if size == 0 {
		size = (n.BitLen() + 8) / 8 // room for the sign bit
	}
	v := new(big.Int).Set(n)
	if v.Sign() < 0 {
		v.Add(v, new(big.Int).Lsh(big.NewInt(1), uint(size*8)))
	}
	b := v.Bytes()
	return append(make([]byte, size-len(b)), b...)
}

const handWrittenDecimals = `{"type":"record","name":"topLevelRecord","fields":[
	{"name":"amount","type":{"type":"fixed","name":"amount_fixed","namespace":"topLevelRecord","size":16,"logicalType":"decimal","precision":38,"scale":18}},
	{"name":"qty","type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":4}},
	{"name":"fee","type":["null",{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}]},
	{"name":"tax","type":["null",{"type":"fixed","name":"tax_fixed","size":5,"logicalType":"decimal","precision":10,"scale":3}]},
	{"name":"line","type":["null",{"type":"record","name":"line","fields":[
		{"name":"price","type":["null",{"type":"bytes","logicalType":"decimal","precision":9,"scale":2}]}]}]}
]}`

// The file's side: decimals as their unscaled two's-complement bytes.
type rawLine struct {
	Price *[]byte `avro:"price"`
}

type rawDecimals struct {
	Amount [16]byte `avro:"amount"`
	Qty    []byte   `avro:"qty"`
	Fee    *[]byte  `avro:"fee"`
	Tax    *[5]byte `avro:"tax"`
	Line   *rawLine `avro:"line"`
}

// Go's side: no decimal options, for reading takes the file's decimals.
type decimalsLine struct {
	Price *big.Rat `avro:"price"`
}

type decimals struct {
	Amount  *big.Rat      `avro:"amount"`
	Qty     *big.Rat      `avro:"qty"`
	Fee     *big.Rat      `avro:"fee"`
	Tax     *big.Rat      `avro:"tax"`
	Line    *decimalsLine `avro:"line"`
	Missing *big.Rat      `avro:"missing"` // not in the file: nil
}

// wantDecimals is record i of the hand-written file as read, with the
// unscaled values written: every 7th fee, 5th tax and 3rd line price is
// null, and every 11th line.
func wantDecimals(i int) (decimals, [5]*big.Int) {
	n := big.NewInt(int64(i*7919 - 4_000_000))
	amount := new(big.Int).Mul(n, new(big.Int).Exp(big.NewInt(10), big.NewInt(25), nil)) // 32 digits
	qty, fee, tax, price := big.NewInt(int64(-i*31)), big.NewInt(int64(i*i-5000)), big.NewInt(int64(500_000-i*997)), big.NewInt(int64(i-500))
	unscaled := [5]*big.Int{amount, qty, fee, tax, price}
	scaled := func(u *big.Int, scale int64) *big.Rat {
		return new(big.Rat).SetFrac(u, new(big.Int).Exp(big.NewInt(10), big.NewInt(scale), nil))
	}
	d := decimals{Amount: scaled(amount, 18), Qty: scaled(qty, 4), Fee: scaled(fee, 2), Tax: scaled(tax, 3), Line: &decimalsLine{scaled(price, 2)}}
	if i%7 == 0 {
		d.Fee, unscaled[2] = nil, nil
	}
	if i%5 == 0 {
		d.Tax, unscaled[3] = nil, nil
	}
	if i%3 == 0 {
		d.Line.Price, unscaled[4] = nil, nil
	}
	if i%11 == 0 {
		d.Line = nil
	}
	return d, unscaled
}

// TestDecimalReadHandWritten reads decimals hamba/avro's decimal encoder
// did not write, fixed and bytes, nullable or not, at the top and in a
// nested record, into *big.Rat fields, over many records and blocks
// (hamba/avro reuses its buffers from record to record). hamba/avro alone
// reads every nullable bytes decimal into a *big.Rat as a corrupt zero, and
// refuses a nullable fixed one.
func TestDecimalReadHandWritten(t *testing.T) {
	const n = 1000
	var recs []any
	for i := range n {
		d, u := wantDecimals(i)
		r := rawDecimals{Qty: twos(u[1], 0)}
		copy(r.Amount[:], twos(u[0], 16))
		if u[2] != nil {
			b := twos(u[2], 0)
			r.Fee = &b
		}
		if u[3] != nil {
			var b [5]byte
			copy(b[:], twos(u[3], 5))
			r.Tax = &b
		}
		if d.Line != nil {
			r.Line = &rawLine{}
			if u[4] != nil {
				b := twos(u[4], 0)
				r.Line.Price = &b
			}
		}
		recs = append(recs, r)
	}
	data := ocfBytes(t, handWrittenDecimals, recs...)

	check := func(t *testing.T, got []decimals) {
		if len(got) != n {
			t.Fatalf("read %d records, want %d", len(got), n)
		}
		bad := 0
		for i, g := range got {
			w, _ := wantDecimals(i)
			gotLine, wantLine := (*big.Rat)(nil), (*big.Rat)(nil)
			if g.Line != nil {
				gotLine = g.Line.Price
			}
			if w.Line != nil {
				wantLine = w.Line.Price
			}
			if !sameRat(g.Amount, w.Amount) || !sameRat(g.Qty, w.Qty) || !sameRat(g.Fee, w.Fee) || !sameRat(g.Tax, w.Tax) ||
				(g.Line == nil) != (w.Line == nil) || !sameRat(gotLine, wantLine) || g.Missing != nil {
				if bad++; bad <= 5 {
					t.Errorf("record %d: got %s %s %s %s line %s, want %s %s %s %s line %s", i,
						ratString(g.Amount), ratString(g.Qty), ratString(g.Fee), ratString(g.Tax), ratString(gotLine),
						ratString(w.Amount), ratString(w.Qty), ratString(w.Fee), ratString(w.Tax), ratString(wantLine))
				}
			}
		}
		if bad > 0 {
			t.Errorf("%d of %d records wrong", bad, n)
		}
	}

	t.Run("derived", func(t *testing.T) {
		f := openBytes(t, "decimals.avro", data)
		d, err := avroio.NewDecoder[decimals](f)
		if err != nil {
			t.Fatal(err)
		}
		// The reader keeps the file's fixed types.
		if s := d.ReaderSchema().String(); !strings.Contains(s, `"name":"topLevelRecord.amount_fixed","type":"fixed","size":16`) ||
			!strings.Contains(s, `"name":"tax_fixed","type":"fixed","size":5`) {
			t.Errorf("reader schema %s lacks the file's fixed decimals", s)
		}
		check(t, readAll[decimals](t, f))
	})
	t.Run("reader schema", func(t *testing.T) {
		f := openBytes(t, "decimals.avro", data, avroio.WithReaderSchema(handWrittenDecimals))
		check(t, readAll[decimals](t, f))
	})
	t.Run("nullable reader schema", func(t *testing.T) {
		// Which decimals are nullable is the file's to say.
		reader := strings.NewReplacer(
			`"type":{"type":"fixed","name":"amount_fixed"`, `"type":["null",{"type":"fixed","name":"amount_fixed"`,
			`"precision":38,"scale":18}}`, `"precision":38,"scale":18}]}`,
			`"type":{"type":"bytes","logicalType":"decimal","precision":20,"scale":4}}`, `"type":["null",{"type":"bytes","logicalType":"decimal","precision":20,"scale":4}]}`,
		).Replace(handWrittenDecimals)
		if reader == handWrittenDecimals {
			t.Fatal("reader schema unchanged")
		}
		f := openBytes(t, "decimals.avro", data, avroio.WithReaderSchema(reader))
		check(t, readAll[decimals](t, f))
	})
}

// TestDecimalWriteRefusesLoss checks that a value the field's decimal
// cannot hold exactly (hamba/avro would write 1/3 at scale 2 as 0.33, and
// -1/3 as -0.34) fails naming the field and the value, and leaves nothing
// of the record in the file.
func TestDecimalWriteRefusesLoss(t *testing.T) {
	for _, c := range []struct {
		rec  money
		want []string
	}{
		{money{ID: 1, Price: big.NewRat(1, 3)}, []string{"record 1", "field price: 1/3 (≈0.33333) is not exact at scale 2"}},
		{money{ID: 1, Price: big.NewRat(-1, 3)}, []string{"field price: -1/3", "not exact at scale 2"}},
		{money{ID: 1, Price: rat("0.001")}, []string{"field price: 1/1000", "not exact at scale 2"}},
		{money{ID: 1, Price: rat("100000000")}, []string{"field price: 100000000.00 has 11 digits at scale 2, more than its precision, 10"}},
		{money{ID: 1, Price: rat("-100000000.5")}, []string{"field price: -100000000.50 has 11 digits"}},
		{money{ID: 1, Big: rat("123456789012345678901")}, []string{"field big:", "has 39 digits at scale 18, more than its precision, 38"}},
		{money{ID: 1, Line: moneyLine{big.NewRat(1, 8)}}, []string{"field line.price: 1/8 (≈0.12500) is not exact at scale 2"}},
		{money{ID: 1, Refund: &moneyLine{rat("10000000")}}, []string{"field refund.price: 10000000.00 has 10 digits at scale 2, more than its precision, 9"}},
	} {
		var buf bytes.Buffer
		w, err := avroio.NewFileWriter[money](&buf)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(money{ID: 0, Price: rat("0.25")}); err != nil {
			t.Fatal(err)
		}
		err = w.Write(c.rec)
		for _, want := range c.want {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("writing %+v: got %v, want an error with %q", c.rec, err, want)
			}
		}
		if err := w.Write(money{ID: 2, Price: rat("0.5")}); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got := readAll[money](t, openBytes(t, "w.avro", buf.Bytes()))
		if len(got) != 2 || got[0].ID != 0 || got[1].ID != 2 || got[1].Price.Cmp(rat("0.5")) != 0 {
			t.Errorf("after the refused record the file holds %+v, want records 0 and 2", got)
		}
	}

	// A decimal the writer schema declares without null refuses a nil.
	type plain struct {
		Price *big.Rat `avro:"price"`
	}
	var buf bytes.Buffer
	w, err := avroio.NewFileWriter[plain](&buf, avroio.WithWriterSchema(
		`{"type":"record","name":"plain","fields":[{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(plain{}); err == nil || !strings.Contains(err.Error(), "field price is nil, but its decimal is not nullable") {
		t.Errorf("writing nil to a non-nullable decimal: got %v", err)
	}
	if err := w.Write(plain{rat("999.95")}); err == nil || !strings.Contains(err.Error(), "not exact at scale 1") {
		t.Errorf("writing 999.95 at scale 1: got %v", err)
	}
	if err := w.Write(plain{rat("-999.9")}); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if got := readAll[plain](t, openBytes(t, "plain.avro", buf.Bytes())); len(got) != 1 || got[0].Price.Cmp(rat("-999.9")) != 0 {
		t.Errorf("read %v, want -999.9", got)
	}
}

// TestDecimalRefused checks the Go types and tags a decimal is refused
// for, when the schema is derived, a writer made or a file read.
func TestDecimalRefused(t *testing.T) {
	type plainRat struct {
		Price big.Rat `avro:"price"`
	}
	type nestedPlainRat struct {
		Line struct {
			Price big.Rat `avro:"price"`
		} `avro:"line"`
	}
	type untagged struct {
		Price *big.Rat `avro:"price"`
	}
	type badScale struct {
		Price *big.Rat `avro:"price,decimal(2,3)"`
	}
	type noScale struct {
		Price *big.Rat `avro:"price,decimal(10)"`
	}
	type notRat struct {
		Price int64 `avro:"price,decimal(10,2)"`
	}
	type Base struct {
		Price *big.Rat `avro:"price,decimal(10,2)"`
	}
	type viaPointer struct {
		*Base
		ID int64 `avro:"id"`
	}
	type embedded struct {
		*big.Rat
	}
	type recursive struct {
		Price *big.Rat   `avro:"price,decimal(10,2)"`
		Next  *recursive `avro:"next"`
	}
	for _, c := range []struct {
		name  string
		write func() error
		want  string
	}{
		{"big.Rat", writeErr[plainRat], "avroio_test.plainRat.Price is a big.Rat, which hamba/avro would decode a decimal over: make it a *big.Rat"},
		{"nested big.Rat", writeErr[nestedPlainRat], "Line.Price is a big.Rat"},
		{"untagged", writeErr[untagged], "a *big.Rat field needs the precision and scale of the decimal it is written as: tag it `avro:\"name,decimal(P,S)\"`"},
		{"scale over precision", writeErr[badScale], "decimal(2,3): want a precision of at least 1 and a scale from 0 to the precision"},
		{"no scale", writeErr[noScale], `option "decimal(10)": want decimal(P,S)`},
		{"not a *big.Rat", writeErr[notRat], "the decimal option needs a *big.Rat field (or a slice or map of them), not int64"},
		{"embedded by pointer", writeErr[viaPointer], "Price is a *big.Rat in a struct that embeds *avroio_test.Base by pointer"},
		{"embedded", writeErr[embedded], "embeds *big.Rat, whose value Avro cannot see"},
		{"recursive", writeErr[recursive], "holds a *big.Rat and is recursive"},
		{"big.Rat with a writer schema", func() error {
			_, err := avroio.NewFileWriter[plainRat](&bytes.Buffer{}, avroio.WithWriterSchema(
				`{"type":"record","name":"r","fields":[{"name":"price","type":{"type":"bytes","logicalType":"decimal","precision":4,"scale":1}}]}`))
			return err
		}, "make it a *big.Rat"},
	} {
		if err := c.write(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want an error with %q", c.name, err, c.want)
		}
	}

	// Reading refuses a big.Rat too, with a reader schema as well: hamba/avro
	// would decode the decimal over its memory.
	data := writeFile(t, []money{{ID: 1, Price: rat("1.25")}})
	for _, opts := range [][]avroio.ReadOption{nil, {avroio.WithReaderSchema(
		`{"type":"record","name":"money","fields":[{"name":"price","type":["null",{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}]}]}`)}} {
		_, err := avroio.NewDecoder[plainRat](openBytes(t, "money.avro", data, opts...))
		if err == nil || !strings.Contains(err.Error(), "money.avro: reading avroio_test.plainRat: avroio_test.plainRat.Price is a big.Rat") {
			t.Errorf("reading into a big.Rat (%d options): got %v", len(opts), err)
		}
	}
}

func writeErr[T any]() error {
	_, err := avroio.NewFileWriter[T](&bytes.Buffer{})
	return err
}

// TestDecimalFromOtherTypeRefused checks that a *big.Rat field is refused
// for a column that is not a decimal, bytes without the logical type too,
// before anything is read, naming the file, the field and both types.
func TestDecimalFromOtherTypeRefused(t *testing.T) {
	type priced struct {
		ID    int64    `avro:"id"`
		Price *big.Rat `avro:"price"`
	}
	five, fiveBytes := int64(5), []byte{5}
	for _, c := range []struct {
		typ string
		rec any
	}{
		{`"long"`, struct {
			ID    int64 `avro:"id"`
			Price int64 `avro:"price"`
		}{1, 5}},
		{`"string"`, struct {
			ID    int64  `avro:"id"`
			Price string `avro:"price"`
		}{1, "5"}},
		{`"bytes"`, struct {
			ID    int64  `avro:"id"`
			Price []byte `avro:"price"`
		}{1, fiveBytes}},
		{`["null","long"]`, struct {
			ID    int64  `avro:"id"`
			Price *int64 `avro:"price"`
		}{1, &five}},
		{`["null","bytes"]`, struct {
			ID    int64   `avro:"id"`
			Price *[]byte `avro:"price"`
		}{1, &fiveBytes}},
		{`{"name":"f","type":"fixed","size":8}`, struct {
			ID    int64   `avro:"id"`
			Price [8]byte `avro:"price"`
		}{1, [8]byte{5}}},
	} {
		schema := `{"type":"record","name":"r","fields":[{"name":"id","type":"long"},{"name":"price","type":` + c.typ + `}]}`
		_, err := avroio.NewDecoder[priced](openBytes(t, "prices.avro", ocfBytes(t, schema, c.rec)))
		want := "avroio: prices.avro: field price holds " + c.typ + " in the file, not a decimal, which a *big.Rat field reads: read it into a Go field of its type (reading avroio_test.priced)"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("price %s: got %v, want %q", c.typ, err, want)
		}
	}
}

// TestDecimalPipelineRead reads decimals through a pipeline: Read[T]
// builds for a *big.Rat field with no decimal option, which only writing
// needs.
func TestDecimalPipelineRead(t *testing.T) {
	ctx := context.Background()
	storage.ResetMem("avroio-dec")
	recs := []money{{ID: 1, Price: rat("12.34")}, {ID: 2, Price: rat("-0.5")}, {ID: 3}}
	if err := storage.WriteFile(ctx, "mem://avroio-dec/in/a.avro", writeFile(t, recs)); err != nil {
		t.Fatal(err)
	}
	type priced struct {
		Price *big.Rat `avro:"price"`
	}
	p := pcollection.NewPipeline("avroio-dec")
	in, err := avroio.TryRead[priced](p, "mem://avroio-dec/in")
	if err != nil {
		t.Fatal(err)
	}
	prices := pcollection.Materialize(pcollection.Map(in, func(v priced) string { return ratString(v.Price) }))
	crunchtest.Run(t, p)
	crunchtest.EqualUnordered(t, crunchtest.Values(t, prices), []string{"617/50", "-1/2", "nil"})
}

// TestDecimalPipelineWriteFails checks that a value its decimal cannot hold
// fails a pipeline's write, naming the field, and that the error is marked
// permanent: the same records would fail the same way on a retry.
func TestDecimalPipelineWriteFails(t *testing.T) {
	storage.ResetMem("avroio-decw")
	p := pcollection.NewPipeline("avroio-decw")
	avroio.Write(pcollection.Of(p, moneyLine{rat("1.25")}, moneyLine{rat("1/3")}), "mem://avroio-decw/out")
	_, err := mem.Run(context.Background(), p, runner.Options{})
	if err == nil || !strings.Contains(err.Error(), "field price: 1/3") || !strings.Contains(err.Error(), "not exact at scale 2") {
		t.Fatalf("writing 1/3 at scale 2: %v", err)
	}
	if !plan.IsPermanent(err) {
		t.Errorf("the error is not permanent: %v", err)
	}
}

// TestDecimalWriterSchemaChecks checks values against the decimal a writer
// schema gives, where hamba/avro would write them wrong without an error:
// a decimal in a union of more than null and it (truncated), and a fixed
// decimal whose precision claims more digits than its bytes hold in two's
// complement (negative values wrapped into positive ones).
func TestDecimalWriterSchemaChecks(t *testing.T) {
	type rec struct {
		A *big.Rat `avro:"a"`
	}
	for _, c := range []struct {
		name, typ string
		bad       *big.Rat
		want      string
		good      []*big.Rat
	}{
		{"union", `["null","string",{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}]`,
			big.NewRat(-1, 3), "field a: -1/3 (≈-0.33333) is not exact at scale 2", []*big.Rat{rat("12.5"), rat("-0.01")}},
		{"fixed", `{"type":"fixed","name":"f3","size":3,"logicalType":"decimal","precision":7,"scale":2}`,
			rat("-99999.99"), "field a: -99999.99 does not fit the 3 bytes of its fixed decimal", []*big.Rat{rat("-83886.08"), rat("83886.07"), rat("12.5")}},
	} {
		t.Run(c.name, func(t *testing.T) {
			schema := `{"type":"record","name":"R","fields":[{"name":"a","type":` + c.typ + `}]}`
			var buf bytes.Buffer
			w, err := avroio.NewFileWriter[rec](&buf, avroio.WithWriterSchema(schema))
			if err != nil {
				t.Fatal(err)
			}
			if err := w.Write(rec{c.bad}); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("writing %s: got %v, want an error with %q", c.bad.RatString(), err, c.want)
			}
			// hamba/avro encodes a nil only into ["null", decimal]; it
			// would dereference it in a larger union.
			if err := w.Write(rec{nil}); err == nil || !strings.Contains(err.Error(), "field a is nil") {
				t.Errorf("writing nil: got %v, want an error", err)
			}
			for _, g := range c.good {
				if err := w.Write(rec{g}); err != nil {
					t.Fatalf("writing %v: %v", g, err)
				}
			}
			if err := w.Close(); err != nil {
				t.Fatal(err)
			}
			got := readAll[map[string]any](t, openBytes(t, "w.avro", buf.Bytes()))
			if len(got) != len(c.good) {
				t.Fatalf("the file holds %d records, want %d", len(got), len(c.good))
			}
			for i, g := range c.good {
				v := got[i]["a"]
				if m, ok := v.(map[string]any); ok { // a union member
					for _, x := range m {
						v = x
					}
				}
				r, _ := v.(*big.Rat)
				if !sameRat(r, g) {
					t.Errorf("record %d reads back as %v, want %v", i, v, ratString(g))
				}
			}
		})
	}
}

// TestDecimalReaderSchemaOfAnotherScale checks that a reader schema whose
// decimal has another scale than the file's is refused: hamba/avro would
// read 12.3456 at scale 2 as 1234.56.
func TestDecimalReaderSchemaOfAnotherScale(t *testing.T) {
	type w4 struct {
		A *big.Rat `avro:"a,decimal(10,4)"`
	}
	type r struct {
		A *big.Rat `avro:"a"`
	}
	data := writeFile(t, []w4{{rat("12.3456")}})
	reader := `{"type":"record","name":"w4","fields":[{"name":"a","type":["null",{"type":"bytes","logicalType":"decimal","precision":10,"scale":2}]}]}`
	f := openBytes(t, "d.avro", data, avroio.WithReaderSchema(reader))
	_, err := avroio.NewDecoder[r](f)
	if err == nil || !strings.Contains(err.Error(), "field a is decimal(10,4) in the file but decimal(10,2) in the reader schema") {
		t.Errorf("reading decimal(10,4) as decimal(10,2): %v", err)
	}
	// The same scale reads.
	same := strings.Replace(reader, `"scale":2`, `"scale":4`, 1)
	if got := readAll[r](t, openBytes(t, "d.avro", data, avroio.WithReaderSchema(same))); len(got) != 1 || !sameRat(got[0].A, rat("12.3456")) {
		t.Errorf("reading at the file's scale: %+v", got)
	}
}

// TestDecimalNullableFixedRefusedAtOpen checks that a writer schema with a
// nullable fixed decimal (as Spark writes) is refused by NewFileWriter:
// hamba/avro would fail every Write.
func TestDecimalNullableFixedRefusedAtOpen(t *testing.T) {
	type rec struct {
		A *big.Rat `avro:"a"`
	}
	schema := `{"type":"record","name":"R","fields":[{"name":"a","type":["null",{"type":"fixed","name":"f16","size":16,"logicalType":"decimal","precision":38,"scale":18}]}]}`
	_, err := avroio.NewFileWriter[rec](&bytes.Buffer{}, avroio.WithWriterSchema(schema))
	if err == nil || !strings.Contains(err.Error(), "field a: hamba/avro cannot write a *big.Rat into a fixed decimal in a union") {
		t.Errorf("a nullable fixed decimal: %v", err)
	}
	// Not nullable, it writes.
	plain := `{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"fixed","name":"f16","size":16,"logicalType":"decimal","precision":38,"scale":18}}]}`
	data := writeFile(t, []rec{{rat("-12.000000000000000001")}}, avroio.WithWriterSchema(plain))
	if got := readAll[rec](t, openBytes(t, "f.avro", data)); len(got) != 1 || !sameRat(got[0].A, rat("-12.000000000000000001")) {
		t.Errorf("a fixed decimal: %+v", got)
	}
}
