package avroio_test

import (
	"bytes"
	"math/big"
	"net/netip"
	"strings"
	"testing"

	"github.com/crunchgo/crunchgo/avroio"
	"github.com/crunchgo/crunchgo/ptable"
)

type trackKey struct {
	Country string `avro:"country"`
	TrackID string `avro:"track_id"`
}

// A PTable written as-is is a record of key and value, named after the Go
// type without its type arguments (which would spell out package paths).
func TestSchemaOfPairs(t *testing.T) {
	tests := []struct {
		name string
		got  func() (string, error)
		want string
	}{
		{"pair", schemaString[ptable.Pair[string, int64]],
			`{"name":"Pair","type":"record","fields":[{"name":"key","type":"string"},{"name":"value","type":"long"}]}`},
		{"a join's nested pairs", schemaString[ptable.Pair[trackKey, ptable.Pair[int64, *string]]],
			`{"name":"Pair","type":"record","fields":[` +
				`{"name":"key","type":{"name":"trackKey","type":"record","fields":[{"name":"country","type":"string"},{"name":"track_id","type":"string"}]}},` +
				`{"name":"value","type":{"name":"Pair2","type":"record","fields":[{"name":"key","type":"long"},{"name":"value","type":["null","string"]}]}}]}`},
		{"a Join3's triple", schemaString[ptable.Pair[string, ptable.Triple[int64, *string, ptable.Triple[bool, string, float64]]]],
			`{"name":"Pair","type":"record","fields":[{"name":"key","type":"string"},` +
				`{"name":"value","type":{"name":"Triple","type":"record","fields":[{"name":"a","type":"long"},{"name":"b","type":["null","string"]},` +
				`{"name":"c","type":{"name":"Triple2","type":"record","fields":[{"name":"a","type":"boolean"},{"name":"b","type":"string"},{"name":"c","type":"double"}]}}]}}]}`},
	}
	for _, tt := range tests {
		got, err := tt.got()
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
}

// A Join3's output is written to Avro and reads back.
func TestTriplesRoundTrip(t *testing.T) {
	type row = ptable.Pair[string, ptable.Triple[int64, *string, float64]]
	title := "Song"
	rows := []row{ptable.KV("t1", ptable.Triple[int64, *string, float64]{A: 3, B: &title, C: 0.5}), ptable.KV("t2", ptable.Triple[int64, *string, float64]{A: 1, C: 1.5})}
	got, err := decodeAll[row](t, writeFile(t, rows))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Key != "t1" || got[0].Value.A != 3 || got[0].Value.B == nil || *got[0].Value.B != title ||
		got[0].Value.C != 0.5 || got[1] != rows[1] {
		t.Errorf("read back %+v, want %+v", got, rows)
	}
}

func schemaString[T any]() (string, error) {
	s, err := avroio.SchemaOf[T]()
	if err != nil {
		return "", err
	}
	return s.String(), nil
}

// A struct that keeps its value in unexported fields (netip.Addr) has no
// schema: written as an empty record, its value would be lost. A big.Rat
// is refused, and a *big.Rat needs its decimal's precision and scale.
func TestSchemaOfHiddenStruct(t *testing.T) {
	type price struct {
		Amount *big.Rat `avro:"amount"`
	}
	type plainPrice struct {
		Amount big.Rat `avro:"amount"`
	}
	type client struct {
		Addr netip.Addr `avro:"addr"`
	}
	type empty struct {
		Marker struct{} `avro:"marker"` // nothing to lose
	}
	if _, err := schemaString[price](); err == nil || !strings.Contains(err.Error(), "decimal(P,S)") {
		t.Errorf("*big.Rat: got %v, want refused with advice", err)
	}
	if _, err := schemaString[plainPrice](); err == nil || !strings.Contains(err.Error(), "make it a *big.Rat") {
		t.Errorf("big.Rat: got %v, want refused with advice", err)
	}
	if _, err := schemaString[client](); err == nil || !strings.Contains(err.Error(), "netip.Addr keeps its value in unexported fields") {
		t.Errorf("netip.Addr: got %v, want refused", err)
	}
	if _, err := schemaString[empty](); err != nil {
		t.Errorf("struct{}: %v", err)
	}
	var buf bytes.Buffer
	if _, err := avroio.NewFileWriter[price](&buf); err == nil {
		t.Errorf("a writer of an untagged *big.Rat was made, want refused")
	}
}
