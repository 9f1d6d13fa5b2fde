package parquetio

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
)

// The files of these tests are written by parquet-go directly, not by
// Writer, so that they can hold any schema.

// writeGo writes rows with a bare parquet-go writer.
func writeGo[W any](t *testing.T, rows []W, opts ...parquet.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := parquet.NewGenericWriter[W](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// listen is the row type the files of the schema tests are read as.
type listen struct {
	UserID   string `parquet:"user_id"`
	MsPlayed int64  `parquet:"ms_played"`
}

const schemaPath = "logs/day=1/events.parquet"

func TestSchemaMismatchAtOpen(t *testing.T) {
	type noMsPlayed struct {
		UserID  string `parquet:"user_id"`
		Country string `parquet:"country"`
	}
	type upperUserID struct {
		UserID   string `parquet:"USER_ID"`
		MsPlayed int64  `parquet:"ms_played"`
	}
	type doubleMs struct {
		UserID   string  `parquet:"user_id"`
		MsPlayed float64 `parquet:"ms_played"`
	}
	type stringMs struct {
		UserID   string `parquet:"user_id"`
		MsPlayed string `parquet:"ms_played"`
	}
	type uint32Ms struct {
		UserID   string `parquet:"user_id"`
		MsPlayed uint32 `parquet:"ms_played"`
	}
	type listMs struct {
		UserID   string  `parquet:"user_id"`
		MsPlayed []int64 `parquet:"ms_played,list"`
	}
	type int32Ms struct { // the reader's type here
		UserID   string `parquet:"user_id"`
		MsPlayed int32  `parquet:"ms_played"`
	}
	type nested struct {
		UserID string `parquet:"user_id"`
		Device struct {
			OS string `parquet:"os"`
		} `parquet:"device"`
	}
	type nestedMore struct { // the reader's type here
		UserID string `parquet:"user_id"`
		Device struct {
			OS    string `parquet:"os"`
			Model string `parquet:"model"`
		} `parquet:"device"`
	}
	type tsMicros struct {
		UserID string    `parquet:"user_id"`
		Ts     time.Time `parquet:"ts,timestamp(microsecond)"`
	}
	type tsMillis struct { // the reader's type here
		UserID string    `parquet:"user_id"`
		Ts     time.Time `parquet:"ts,timestamp(millisecond)"`
	}
	open := func(data []byte) func() error { // opens data as a listen Reader
		return func() error {
			_, err := NewReader[listen](schemaPath, bytes.NewReader(data), int64(len(data)))
			return err
		}
	}
	for _, tc := range []struct {
		name   string
		open   func() error
		column string
		want   []string // in the message, besides the path and the column
	}{
		{"missing column", open(writeGo(t, []noMsPlayed{{"u1", "SE"}})),
			"ms_played", []string{"not in the file", "field MsPlayed (int64) of parquetio.listen", "ZeroFillMissing"}},
		{"column name in another case", open(writeGo(t, []upperUserID{{"u1", 40000}})),
			"user_id", []string{"not in the file", `it has "USER_ID": names are case-sensitive; name it in the field's tag, parquet:"USER_ID"`, "field UserID (string)"}},
		{"struct without tags", func() error {
			type untagged struct {
				UserID   string
				MsPlayed int64
			}
			data := writeGo(t, []listen{{"u1", 40000}})
			_, err := NewReader[untagged](schemaPath, bytes.NewReader(data), int64(len(data)))
			return err
		}, "UserID", []string{"not in the file", `it has "user_id": name it in the field's tag, parquet:"user_id"`, "field UserID (string)"}},
		{"DOUBLE into int64", open(writeGo(t, []doubleMs{{"u1", 40000.9}})),
			"ms_played", []string{"file type DOUBLE", "INT64/INT(64,true)", "field MsPlayed (int64)"}},
		{"string into int64", open(writeGo(t, []stringMs{{"u1", "40000"}})),
			"ms_played", []string{"file type BYTE_ARRAY/STRING", "field MsPlayed (int64)"}},
		{"UINT32 into int64", open(writeGo(t, []uint32Ms{{"u1", math.MaxUint32}})),
			"ms_played", []string{"file type INT32/INT(32,false)", "field MsPlayed (int64)", "values from 2^31 up as negative): read it into a uint32 field"}},
		{"UINT32 into uint64", func() error {
			type uint64Ms struct {
				UserID   string `parquet:"user_id"`
				MsPlayed uint64 `parquet:"ms_played"`
			}
			data := writeGo(t, []uint32Ms{{"u1", math.MaxUint32}})
			_, err := NewReader[uint64Ms](schemaPath, bytes.NewReader(data), int64(len(data)))
			return err
		}, "ms_played", []string{"file type INT32/INT(32,false)", "INT64/INT(64,false)", "field MsPlayed (uint64)"}},
		{"list into int64", open(writeGo(t, []listMs{{"u1", []int64{1}}})),
			"ms_played", []string{"a group in the file but a leaf", "field MsPlayed (int64)"}},
		{"INT64 into int32", func() error {
			data := writeGo(t, []listen{{"u1", 1 << 40}})
			_, err := NewReader[int32Ms](schemaPath, bytes.NewReader(data), int64(len(data)))
			return err
		}, "ms_played", []string{"file type INT64/INT(64,true)", "INT32/INT(32,true)", "field MsPlayed (int32)"}},
		{"missing field of a struct", func() error {
			data := writeGo(t, []nested{{UserID: "u1"}})
			_, err := NewReader[nestedMore](schemaPath, bytes.NewReader(data), int64(len(data)))
			return err
		}, "device.model", []string{"not in the file", "field Device.Model (string)"}},
		{"timestamp of a coarser unit", func() error {
			data := writeGo(t, []tsMicros{{"u1", time.UnixMicro(1_764_115_200_123_456)}})
			_, err := NewReader[tsMillis](schemaPath, bytes.NewReader(data), int64(len(data)))
			return err
		}, "ts", []string{"unit=MICROS", "unit=MILLIS", "field Ts (time.Time)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.open()
			var se *SchemaError
			if !errors.As(err, &se) || !errors.Is(err, ErrSchemaMismatch) || errors.Is(err, ErrCorrupt) {
				t.Fatalf("got %v, want a *SchemaError", err)
			}
			if se.Path != schemaPath || se.Column != tc.column || se.RowGroup != -1 || se.Row != -1 {
				t.Errorf("got path %q column %q row group %d row %d, want %q %q -1 -1",
					se.Path, se.Column, se.RowGroup, se.Row, schemaPath, tc.column)
			}
			msg := err.Error()
			for _, w := range append([]string{schemaPath, fmt.Sprintf("column %q", tc.column)}, tc.want...) {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q does not contain %q", msg, w)
				}
			}
		})
	}
}

// readAs reads data as T, on the fast path if it applies, or on the row
// path.
func readAs[T any](data []byte, row bool, opts ...ReadOption) ([]T, error) {
	if row {
		opts = append(opts, rowPath())
	}
	got, _, err := readAll[T](schemaPath, data, opts...)
	return got, err
}

// TestSchemaAllowed reads files whose schema differs from T's in ways that
// lose nothing, and checks every value.
func TestSchemaAllowed(t *testing.T) {
	type int32Ms struct {
		UserID   string `parquet:"user_id"`
		MsPlayed int32  `parquet:"ms_played"`
	}
	type optional struct {
		UserID   *string `parquet:"user_id"`
		MsPlayed *int64  `parquet:"ms_played"`
	}
	type small struct {
		I8  int8    `parquet:"i8"`
		I16 int16   `parquet:"i16"`
		U8  uint8   `parquet:"u8"`
		U16 uint16  `parquet:"u16"`
		U32 uint32  `parquet:"u32"`
		F32 float32 `parquet:"f32"`
		I32 int32   `parquet:"i32"`
	}
	type wide struct {
		I8  int64   `parquet:"i8"`
		I16 int32   `parquet:"i16"`
		U8  int16   `parquet:"u8"`
		U16 int32   `parquet:"u16"`
		U32 uint32  `parquet:"u32"`
		F32 float64 `parquet:"f32"`
		I32 float64 `parquet:"i32"`
	}
	type bytesLike struct {
		S    string   `parquet:"s"`
		E    string   `parquet:"e,enum"`
		J    []byte   `parquet:"j,json"`
		Fixd [4]byte  `parquet:"fixd"`
		U    [16]byte `parquet:"u,uuid"`
	}
	type bytesRead struct {
		S    []byte `parquet:"s"`
		E    string `parquet:"e"`
		J    string `parquet:"j"`
		Fixd []byte `parquet:"fixd"`
		U    []byte `parquet:"u"`
	}
	type stamped struct {
		Ts  time.Time `parquet:"ts,timestamp(millisecond)"`
		Day Date      `parquet:"day,date"`
	}
	type numbers struct {
		Ts  int64 `parquet:"ts"`
		Day int64 `parquet:"day"`
	}
	type extra struct {
		UserID   string            `parquet:"user_id"`
		MsPlayed int64             `parquet:"ms_played"`
		Country  *string           `parquet:"country"`
		Device   string            `parquet:"device,optional"`
		Tags     []string          `parquet:"tags,list"`
		Attrs    map[string]string `parquet:"attrs"`
		Geo      *struct {
			Lat float64 `parquet:"lat"`
		} `parquet:"geo"`
	}
	const n = 3000
	events := make([]listen, n)
	narrow := make([]int32Ms, n)
	opt := make([]optional, n)
	for i := range events {
		events[i] = listen{fmt.Sprint("u", i%97), int64(i*7919%300000) - 1000}
		narrow[i] = int32Ms{events[i].UserID, int32(events[i].MsPlayed)}
		opt[i] = optional{&events[i].UserID, &events[i].MsPlayed}
	}
	narrow[0].MsPlayed, narrow[1].MsPlayed = math.MinInt32, math.MaxInt32
	wantNarrow := make([]listen, n)
	for i, r := range narrow {
		wantNarrow[i] = listen{r.UserID, int64(r.MsPlayed)}
	}
	smallRows := []small{
		{math.MinInt8, math.MinInt16, math.MaxUint8, math.MaxUint16, math.MaxUint32, 1.1, math.MinInt32},
		{math.MaxInt8, math.MaxInt16, 0, 0, 0, -3.25e38, math.MaxInt32},
	}
	var wantWide []wide
	for _, r := range smallRows {
		wantWide = append(wantWide, wide{int64(r.I8), int32(r.I16), int16(r.U8), int32(r.U16), r.U32, float64(r.F32), float64(r.I32)})
	}
	uuid := [16]byte{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}
	ts := time.UnixMilli(1_764_115_200_123).UTC()
	pages := []parquet.WriterOption{parquet.PageBufferSize(512), parquet.MaxRowsPerRowGroup(1000)}
	wantExtra := make([]extra, n)
	for i, e := range events {
		wantExtra[i] = extra{UserID: e.UserID, MsPlayed: e.MsPlayed, Tags: []string{}, Attrs: map[string]string{}}
	}

	for _, tc := range []struct {
		name string
		read func(t *testing.T, row bool) (got, want any, err error)
	}{
		{"INT32 into int64", func(t *testing.T, row bool) (any, any, error) {
			got, err := readAs[listen](writeGo(t, narrow, pages...), row)
			return got, wantNarrow, err
		}},
		{"optional columns without nulls", func(t *testing.T, row bool) (any, any, error) {
			got, err := readAs[listen](writeGo(t, opt, pages...), row)
			return got, events, err
		}},
		{"optional columns without nulls, v2 pages", func(t *testing.T, row bool) (any, any, error) {
			got, err := readAs[listen](writeGo(t, opt, append(pages, parquet.DataPageVersion(2))...), row)
			return got, events, err
		}},
		{"integer and float widening", func(t *testing.T, row bool) (any, any, error) {
			got, err := readAs[wide](writeGo(t, smallRows), row)
			return got, wantWide, err
		}},
		{"byte strings", func(t *testing.T, row bool) (any, any, error) {
			got, err := readAs[bytesRead](writeGo(t, []bytesLike{{"s", "e", []byte(`{"a":1}`), [4]byte{0, 1, 2, 3}, uuid}}), row)
			return got, []bytesRead{{[]byte("s"), "e", `{"a":1}`, []byte{0, 1, 2, 3}, uuid[:]}}, err
		}},
		{"TIMESTAMP and DATE into their numbers", func(t *testing.T, row bool) (any, any, error) {
			got, err := readAs[numbers](writeGo(t, []stamped{{ts, DateOf(ts)}}), row)
			return got, []numbers{{ts.UnixMilli(), ts.Unix() / 86400}}, err
		}},
		{"missing columns T need not have", func(t *testing.T, row bool) (any, any, error) {
			got, err := readAs[extra](writeGo(t, events, pages...), row)
			return got, wantExtra, err
		}},
		{"missing column with ZeroFillMissing", func(t *testing.T, row bool) (any, any, error) {
			type noMs struct {
				UserID string `parquet:"user_id"`
			}
			got, err := readAs[listen](writeGo(t, []noMs{{"u1"}, {"u2"}}), row, ZeroFillMissing())
			return got, []listen{{"u1", 0}, {"u2", 0}}, err
		}},
	} {
		for _, row := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/rowpath=%v", tc.name, row), func(t *testing.T) {
				got, want, err := tc.read(t, row)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					g, w := reflect.ValueOf(got), reflect.ValueOf(want)
					for i := range min(g.Len(), w.Len()) {
						if !reflect.DeepEqual(g.Index(i).Interface(), w.Index(i).Interface()) {
							t.Fatalf("row %d: got %+v, want %+v", i, g.Index(i), w.Index(i))
						}
					}
					t.Fatalf("got %d rows, want %d", g.Len(), w.Len())
				}
			})
		}
	}
}

// TestNullIntoRequiredField reads files whose optional columns hold nulls
// into non-pointer fields: on both paths, the read fails at the first null
// with its row group and row, after returning the rows before it (and
// none of them wrong).
func TestNullIntoRequiredField(t *testing.T) {
	type optional struct {
		UserID   *string `parquet:"user_id"`
		MsPlayed *int64  `parquet:"ms_played"`
	}
	type withList struct { // the row path only
		UserID string   `parquet:"user_id"`
		Tags   []string `parquet:"tags,list"`
	}
	type optList struct {
		UserID string    `parquet:"user_id"`
		Tags   []*string `parquet:"tags,optional,list"`
	}
	const n = 3000
	events := make([]listen, n)
	for i := range events {
		events[i] = listen{fmt.Sprint("u", i%97), int64(i)}
	}
	withNull := func(column string, at int) []optional {
		rows := make([]optional, n)
		for i := range rows {
			rows[i] = optional{&events[i].UserID, &events[i].MsPlayed}
		}
		if column == "user_id" {
			rows[at].UserID = nil
		} else {
			rows[at].MsPlayed = nil
		}
		return rows
	}
	tags := make([]optList, n)
	for i := range tags {
		tags[i] = optList{UserID: events[i].UserID, Tags: []*string{ptr("a"), ptr("b")}}
	}
	tags[2100].Tags[1] = nil
	nullList := bytes.Clone(writeGo(t, tags, parquet.MaxRowsPerRowGroup(1000)))
	tags[2100].Tags[1] = ptr("b")
	tags[1500].Tags = nil
	noList := writeGo(t, tags, parquet.MaxRowsPerRowGroup(1000))
	pages := []parquet.WriterOption{parquet.PageBufferSize(512), parquet.MaxRowsPerRowGroup(1000)}
	if !usesFast[listen](t, writeGo(t, withNull("user_id", 1), pages...)) {
		t.Fatal("listen does not take the fast path")
	}

	for _, tc := range []struct {
		name     string
		read     func(t *testing.T, row bool) (int, error) // returns how many rows read correctly
		column   string
		rowGroup int
		row      int64
		advice   string
	}{
		{"string", func(t *testing.T, row bool) (int, error) {
			return readPrefix[listen](t, writeGo(t, withNull("user_id", 1234), pages...), row, events)
		}, "user_id", 1, 1234, "the data needs a value there, or the Go field must be a pointer, or tagged optional"},
		{"int64", func(t *testing.T, row bool) (int, error) {
			return readPrefix[listen](t, writeGo(t, withNull("ms_played", 2999), pages...), row, events)
		}, "ms_played", 2, 2999, "the data needs a value there, or the Go field must be a pointer, or tagged optional"},
		{"first row, v2 pages, dictionary", func(t *testing.T, row bool) (int, error) {
			type optDict struct {
				UserID   *string `parquet:"user_id,dict"`
				MsPlayed *int64  `parquet:"ms_played"`
			}
			rows := make([]optDict, n)
			for i, r := range withNull("user_id", 0) {
				rows[i] = optDict(r)
			}
			data := writeGo(t, rows, append(pages, parquet.DataPageVersion(2))...)
			return readPrefix[listen](t, data, row, events)
		}, "user_id", 0, 0, "the data needs a value there, or the Go field must be a pointer, or tagged optional"},
		{"null list element", func(t *testing.T, row bool) (int, error) {
			want := make([]withList, n)
			for i := range want {
				want[i] = withList{events[i].UserID, []string{"a", "b"}}
			}
			return readPrefix[withList](t, nullList, row, want)
		}, "tags.list.element", 2, 2100, "the Go list's elements must be pointers"},
		{"null list", func(t *testing.T, row bool) (int, error) {
			want := make([]withList, n)
			for i := range want {
				want[i] = withList{events[i].UserID, []string{"a", "b"}}
			}
			return readPrefix[withList](t, noList, row, want)
		}, "tags.list.element", 1, 1500, "or its Go field must be tagged optional (tags,list,optional) to read a null list as empty"},
	} {
		for _, row := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/rowpath=%v", tc.name, row), func(t *testing.T) {
				ok, err := tc.read(t, row)
				var se *SchemaError
				if !errors.As(err, &se) || !errors.Is(err, ErrSchemaMismatch) || errors.Is(err, ErrCorrupt) {
					t.Fatalf("got %v, want a *SchemaError", err)
				}
				if se.Path != schemaPath || se.Column != tc.column || se.RowGroup != tc.rowGroup || se.Row != tc.row ||
					se.RowInGroup != tc.row-int64(tc.rowGroup)*1000 {
					t.Errorf("got %q column %q row group %d row %d (%d in group), want %q %q %d %d",
						se.Path, se.Column, se.RowGroup, se.Row, se.RowInGroup, schemaPath, tc.column, tc.rowGroup, tc.row)
				}
				msg := err.Error()
				for _, w := range []string{schemaPath, fmt.Sprintf("column %q", tc.column), fmt.Sprintf("row group %d, row %d", tc.rowGroup, se.RowInGroup),
					fmt.Sprintf("row %d of the file", tc.row), "null value", tc.advice} {
					if !strings.Contains(msg, w) {
						t.Errorf("error %q does not contain %q", msg, w)
					}
				}
				if int64(ok) > tc.row {
					t.Errorf("read %d rows before failing at row %d", ok, tc.row)
				}
			})
		}
	}

	// The advice for a null list works.
	type listOpt struct {
		UserID string   `parquet:"user_id"`
		Tags   []string `parquet:"tags,list,optional"`
	}
	lists, _, err := readAll[listOpt](schemaPath, noList)
	if err != nil || len(lists) != n || len(lists[1500].Tags) != 0 || !slices.Equal(lists[1499].Tags, []string{"a", "b"}) {
		t.Errorf("a null list into a list tagged optional: %d rows (%v)", len(lists), err)
	}

	// Lenient skips corrupt row groups, not nulls.
	data := writeGo(t, withNull("user_id", 5), pages...)
	if _, _, err := readAll[listen](schemaPath, data, Lenient()); !errors.Is(err, ErrSchemaMismatch) {
		t.Errorf("lenient: got %v, want a schema mismatch", err)
	}
	// Pointers, and fields tagged optional, hold the nulls.
	got, _, err := readAll[optional](schemaPath, data)
	if err != nil || len(got) != n || got[5].UserID != nil || *got[6].UserID != events[6].UserID {
		t.Errorf("into pointers: got %d rows, error %v", len(got), err)
	}
	type zero struct {
		UserID   string `parquet:"user_id,optional"`
		MsPlayed int64  `parquet:"ms_played,optional"`
	}
	zeros, _, err := readAll[zero](schemaPath, data)
	if err != nil || len(zeros) != n || zeros[5] != (zero{"", 5}) || zeros[6] != zero(events[6]) {
		t.Errorf("into fields tagged optional: got %d rows, error %v", len(zeros), err)
	}
}

// readPrefix reads data as T until the first error, checks the rows read
// against want, and returns how many were read with the error.
func readPrefix[T any](t *testing.T, data []byte, row bool, want []T) (int, error) {
	t.Helper()
	got, err := readAs[T](data, row)
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("row %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	return len(got), err
}

// TestTimestampUnitOfInt64Field checks an int64 field tagged with a
// timestamp unit: a plain INT64 column reads into it (its numbers taken in
// that unit), as does a TIMESTAMP of that unit; one of another unit is
// refused, and so is a plain INT64 into a time.Time, whose unit the file
// does not give.
func TestTimestampUnitOfInt64Field(t *testing.T) {
	type plain struct {
		TS int64 `parquet:"ts"`
	}
	type micros struct {
		TS int64 `parquet:"ts,timestamp(microsecond)"`
	}
	type millis struct {
		TS int64 `parquet:"ts,timestamp(millisecond)"`
	}
	type instant struct {
		TS time.Time `parquet:"ts"`
	}
	read := func(data []byte) (int64, error) {
		r, err := NewReader[millis](schemaPath, bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return 0, err
		}
		rows := make([]millis, 2)
		n, err := r.Read(rows)
		if err != nil && !errors.Is(err, io.EOF) {
			return 0, err
		}
		if n != 1 {
			return 0, fmt.Errorf("%d rows", n)
		}
		return rows[0].TS, nil
	}
	for name, data := range map[string][]byte{
		"plain":  writeGo(t, []plain{{1_764_115_200_123}}),
		"millis": writeGo(t, []millis{{1_764_115_200_123}}),
	} {
		if got, err := read(data); err != nil || got != 1_764_115_200_123 {
			t.Errorf("%s into a millisecond int64: %d, %v", name, got, err)
		}
	}
	if _, err := read(writeGo(t, []micros{{1_764_115_200_123_000}})); err == nil || !strings.Contains(err.Error(), "unit=MICROS") {
		t.Errorf("microseconds into a millisecond int64: err %v, want refused", err)
	}
	data := writeGo(t, []plain{{1_764_115_200_123}})
	if _, err := NewReader[instant](schemaPath, bytes.NewReader(data), int64(len(data))); err == nil {
		t.Errorf("a plain INT64 into a time.Time was read, want refused (its unit is unknown)")
	}
}

// A timestamp a time.Time cannot be given through parquet-go's int64
// nanoseconds (beyond 1677-09-21..2262-04-11) fails the read naming its
// row, rather than reading as another date; an int64 field reads it.
func TestTimestampOutsideTimeRange(t *testing.T) {
	type written struct {
		ID int64  `parquet:"id"`
		TS *int64 `parquet:"ts,timestamp(microsecond),optional"`
	}
	y2300 := time.Date(2300, 6, 1, 0, 0, 0, 0, time.UTC)
	far := y2300.Unix() * 1_000_000
	in := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC).UnixMicro()
	data := writeGo(t, []written{{1, &in}, {2, nil}, {3, &far}, {4, &in}})

	type asTime struct {
		ID int64      `parquet:"id"`
		TS *time.Time `parquet:"ts,timestamp(microsecond),optional"`
	}
	_, _, err := readAll[asTime]("far.parquet", data)
	var se *SchemaError
	if !errors.As(err, &se) || se.Row != 2 || se.Column != "ts" ||
		!strings.Contains(err.Error(), "row group 0, row 2 (row 2 of the file): column \"ts\": timestamp 2300-06-01T00:00:00Z is outside 1677-09-21..2262-04-11") ||
		!strings.Contains(err.Error(), "into an int64 tagged timestamp(microsecond)") {
		t.Fatalf("got %v, want a schema error for row 2's timestamp", err)
	}
	got, _, err := readAll[written]("far.parquet", data)
	if err != nil || len(got) != 4 || *got[2].TS != far || time.UnixMicro(*got[2].TS).UTC() != y2300 {
		t.Errorf("as int64: %+v (%v), want the microseconds written", got, err)
	}
	// Within the range, time.Time reads.
	ok, _, err := readAll[asTime]("in.parquet", writeGo(t, []written{{1, &in}, {2, nil}}))
	if err != nil || len(ok) != 2 || ok[0].TS.UnixMicro() != in || ok[1].TS != nil {
		t.Errorf("in range: %+v (%v)", ok, err)
	}
}

// A list or repeated field of timestamps in milliseconds or microseconds
// (DuckDB's TIMESTAMP[]) does not read into []time.Time, which parquet-go
// gives nanoseconds and no unit tag: the refusal says to read int64s,
// which hold every value, including those a time.Time cannot be given.
func TestTimestampListUnits(t *testing.T) {
	far := time.Date(2300, 6, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	in := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC).UnixMicro()
	// parquet-go takes no timestamp tag on an []int64 either: the files
	// are written from a schema.
	write := func(node parquet.Node, rows ...[]int64) []byte {
		schema := parquet.NewSchema("row", parquet.Group{"ts": node})
		var buf bytes.Buffer
		w := parquet.NewGenericWriter[map[string]any](&buf, schema)
		for _, r := range rows {
			if _, err := w.Write([]map[string]any{{"ts": r}}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	rows := [][]int64{{in}, {in, far}, {}}
	type repeatedTimes struct {
		TS []time.Time `parquet:"ts"`
	}
	type repeatedInts struct {
		TS []int64 `parquet:"ts"`
	}
	type listTimes struct {
		TS []time.Time `parquet:"ts,list"`
	}
	type listInts struct {
		TS []int64 `parquet:"ts,list"`
	}
	type scalarTime struct {
		TS time.Time `parquet:"ts"`
	}
	const advice = "read the list or map's elements as int64s (the microseconds stored)"
	repeated := write(parquet.Repeated(parquet.Timestamp(parquet.Microsecond)), rows...)
	if _, _, err := readAll[repeatedTimes]("repeated.parquet", repeated); !errors.Is(err, ErrSchemaMismatch) || !strings.Contains(err.Error(), advice) {
		t.Errorf("repeated into []time.Time: got %v, want refused with advice", err)
	}
	if got, _, err := readAll[repeatedInts]("repeated.parquet", repeated); err != nil || len(got) != 3 || !slices.Equal(got[1].TS, rows[1]) {
		t.Errorf("repeated into []int64: %v (%v), want %v", got, err, rows)
	}
	list := write(parquet.List(parquet.Timestamp(parquet.Microsecond)), rows...)
	if _, _, err := readAll[listTimes]("list.parquet", list); !errors.Is(err, ErrSchemaMismatch) || !strings.Contains(err.Error(), advice) {
		t.Errorf("list into []time.Time: got %v, want refused with advice", err)
	}
	if got, _, err := readAll[listInts]("list.parquet", list); err != nil || len(got) != 3 || !slices.Equal(got[1].TS, rows[1]) {
		t.Errorf("list into []int64: %v (%v), want %v", got, err, rows)
	}
	type one struct {
		TS int64 `parquet:"ts,timestamp(microsecond)"`
	}
	if _, _, err := readAll[scalarTime]("one.parquet", writeGo(t, []one{{in}})); !errors.Is(err, ErrSchemaMismatch) || !strings.Contains(err.Error(), ": tag the field timestamp(microsecond)") {
		t.Errorf("microseconds into an untagged time.Time: got %v, want refused with advice", err)
	}
}

// A TIME or TIMESTAMP in milliseconds or microseconds is refused for an
// untagged time.Duration, which would read the number stored as
// nanoseconds (a TIME of 01:02:03 as 3.7 ms); TIME in nanoseconds reads
// into one, and so does TIME in microseconds into one tagged with its unit.
func TestTimeIntoDuration(t *testing.T) {
	type micros struct {
		T int64 `parquet:"t,time(microsecond)"`
	}
	type nanos struct {
		T int64 `parquet:"t,time(nanosecond)"`
	}
	type duration struct {
		T time.Duration `parquet:"t"`
	}
	hms := 1*time.Hour + 2*time.Minute + 3*time.Second
	_, _, err := readAll[duration]("micros.parquet", writeGo(t, []micros{{hms.Microseconds()}}))
	if !errors.Is(err, ErrSchemaMismatch) || !strings.Contains(err.Error(), "stores microseconds, which field T (time.Duration)") ||
		!strings.Contains(err.Error(), "tag it time(microsecond) to read a duration") {
		t.Errorf("TIME(MICROS) into time.Duration: got %v, want it refused", err)
	}
	type tagged struct {
		T time.Duration `parquet:"t,time(microsecond)"`
	}
	if got, _, err := readAll[tagged]("micros.parquet", writeGo(t, []micros{{hms.Microseconds()}})); err != nil || len(got) != 1 || got[0].T != hms {
		t.Errorf("TIME(MICROS) into a time.Duration tagged time(microsecond): %v (%v), want %v", got, err, hms)
	}
	got, _, err := readAll[duration]("nanos.parquet", writeGo(t, []nanos{{hms.Nanoseconds()}}))
	if err != nil || len(got) != 1 || got[0].T != hms {
		t.Errorf("TIME(NANOS) into time.Duration: %v (%v), want %v", got, err, hms)
	}
}
