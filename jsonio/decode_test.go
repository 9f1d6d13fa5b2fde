package jsonio

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"net/netip"
	"reflect"
	"testing"
	"time"

	segjson "github.com/segmentio/encoding/json"
)

type inner struct {
	A int
	B string
}

type Embedded struct {
	E1 string
	E2 int `json:"e2"`
}

type X1 struct{ X int }
type X2 struct{ X int }
type hidden struct{ Hidden string }

// tricky holds what encoding/json treats in its own way: tag options,
// embedding (with a conflict and an unexported pointer), unmarshalers of
// JSON and text, numbers of every kind.
type tricky struct {
	Name  string `json:"name"`
	N     int64  `json:"n"`
	U     uint8
	I8    int8
	F     float64
	F32   float32
	B     bool
	P     *int
	PP    **string
	S     []int
	M     map[string]int
	MI    map[int]string
	MA    map[netip.Addr]int
	In    inner
	PIn   *inner
	Deep  [][]map[string][]*int
	Raw   json.RawMessage
	Time  time.Time
	Addr  netip.Addr
	Big   *big.Int
	Str   int  `json:"str,string"`
	StrB  bool `json:"strb,string"`
	Any   any
	Iface fmt.Stringer
	Arr   [2]int
	Embedded
	X1
	X2
	*hidden
	Bytes  []byte
	Num    json.Number
	Skip   string `json:"-"`
	Dash   string `json:"-,"`
	Omit   string `json:",omitempty"`
	Kelvin string `json:"k"`
}

var trickyLines = []string{
	`{"name":"a","n":1}`, `  {"name" : "a" , "n" : 2 }  `, "{\"name\":\"a\"}\r",
	// case, duplicates, nulls
	`{"NAME":"a","N":1}`, `{"Name":"a","nAmE":"b"}`, `{"name":"a","name":"b"}`, "{\"\u212a\":\"kelvin sign\"}", `{"K":"up"}`,
	`{"n":null,"name":null,"P":null,"S":null,"M":null,"In":null,"PIn":null,"Time":null,"Raw":null,"PP":null,"str":null}`,
	`{"name":"a","n":1,"name":"b","n":"x"}`, `{"M":{"a":1,"a":2}}`, `{"In":{"A":1,"A":2}}`,
	// strings: escapes, surrogates, invalid UTF-8, control characters
	`{"name":"\u00e9\ud83d\ude00\n\t\"\\\/"}`, `{"name":"\ud83d"}`, `{"name":"\ude00x"}`, `{"name":"\ud83d\u0041"}`, `{"name":"\u0000"}`,
	"{\"name\":\"\xff\xfe\"}", "{\"name\":\"a\xc3\"}", "{\"na\xffme\":\"a\"}", "{\"name\":\"a\tb\"}", "{\"name\":\"a\x01\"}", `{"name":"\U0041"}`, `{"name":"\x"}`,
	// numbers
	`{"n":1e3}`, `{"n":1.0}`, `{"n":1.5}`, `{"n":1E2}`, `{"n":100e-2}`, `{"n":1e19}`, `{"n":-0}`, `{"n":-1e-2}`,
	`{"n":9223372036854775807}`, `{"n":9223372036854775808}`, `{"n":-9223372036854775808}`,
	`{"n":01}`, `{"n":+1}`, `{"n":.5}`, `{"n":1.}`, `{"n":"1"}`, `{"U":256}`, `{"U":-1}`, `{"U":255}`, `{"I8":128}`, `{"I8":-128}`,
	`{"F":1e400}`, `{"F":-1e-400}`, `{"F32":1e39}`, `{"F":1.7976931348623157e308}`, `{"F":0.1}`, `{"F":1e-7}`,
	`{"Big":123456789012345678901234567890}`, `{"Big":"1"}`, `{"Any":12345678901234567890}`,
	`{"Num":123.5}`, `{"Num":"123"}`, `{"Num":"x"}`, `{"Num":1e5}`,
	// literals and shapes
	`{"B":true}`, `{"B":1}`, `{"B":"true"}`, `{"B":tru}`, `{"B":nul}`, `{"name":1}`, `{"name":{}}`, `{"name":[]}`,
	`{"P":5,"PP":"s"}`, `{"S":[1,2,3]}`, `{"S":[]}`, `{"S":[1,"a"]}`, `{"S":{}}`, `{"Arr":[1]}`, `{"Arr":[1,2,3]}`,
	`{"MI":{"1":"a","-2":"b"}}`, `{"MI":{"x":"a"}}`, `{"MI":{"1.5":"a"}}`, `{"MA":{"1.2.3.4":1}}`, `{"MA":{"bad":1}}`,
	`{"In":{"A":1,"b":"x"}}`, `{"PIn":{"A":3}}`, `{"In":[1]}`, `{"In":"s"}`, `{"Deep":[[{"a":[1,null,2]}]]}`,
	`{"Any":{"a":[1,"b",null,true,1.5]}}`, `{"Iface":null}`, `{"Iface":"x"}`,
	// unmarshalers and tag options
	`{"Raw":{"a": [1, 2]}}`, `{"Raw": "s" }`, `{"Raw":123}`, `{"Raw":[ ]}`,
	`{"Time":"2026-11-26T10:00:00Z"}`, `{"Time":"2026-11-26T10:00:00.123456789+02:00"}`, `{"Time":"bad"}`, `{"Time":1}`,
	`{"Addr":"1.2.3.4"}`, `{"Addr":"x"}`, `{"Bytes":"aGVsbG8="}`, `{"Bytes":"aGVsbG8"}`, `{"Bytes":"!!"}`, `{"Bytes":[1,2]}`,
	`{"str":"12"}`, `{"str":12}`, `{"str":"x"}`, `{"str":"1.5"}`, `{"str":" 1"}`, `{"str":"null"}`, `{"strb":"true"}`, `{"strb":true}`, `{"strb":"1"}`,
	`{"E1":"x","e2":2}`, `{"Embedded":{"E1":"x"}}`, `{"X":1}`, `{"Hidden":"h"}`, `{"Skip":"x"}`, `{"-":"y"}`, `{"Omit":"z"}`,
	// unknown keys, bad syntax, more than one value
	`{"unknown":{"deep":[1,2,{"x":null}]},"name":"a"}`, `{"unknown":[1,2}`, `{"unknown":tru}`, "{\"unknown\":\"\xff\"}", `{"unknown":"\ud800"}`, `{"unknown":01}`,
	`{"name":"a"} x`, `{"name":"a"}}`, `{"name":"a"} {"name":"b"}`, `{"name":"a",}`, `{"name":"a"`, `{"name" "a"}`, `{,}`,
	``, ` `, `nul`, `null`, `[]`, `[1]`, `1`, `"x"`, `true`,
}

// agree checks that decode, which tries segmentio/encoding/json first,
// gives what encoding/json alone gives for line: the same value, or the
// same error. And that a value the fast decoder accepted does not share
// memory with the line, which textio reuses.
func agree[V any](t *testing.T, line []byte, strict bool) {
	t.Helper()
	var in bytes.Reader
	var want V
	wantErr := decodeStd(bytes.Clone(line), &in, &want, strict, zero[V])

	var fast V
	buf := bytes.Clone(line)
	if rest, err := segjson.Parse(buf, &fast, config{strict: strict}.fastFlags()); err == nil && len(rest) == 0 {
		clear(buf)
		if wantErr != nil {
			t.Errorf("%T %q (strict %v): segmentio accepts what encoding/json refuses: %v", want, line, strict, wantErr)
		} else if !reflect.DeepEqual(fast, want) {
			t.Errorf("%T %q (strict %v): segmentio decodes\n%+v\nencoding/json\n%+v", want, line, strict, fast, want)
		}
	}

	s := &source[V]{cfg: config{strict: strict}, nullable: true} // nullable: past the null check, to Parse
	var got V
	gotErr := s.decode(bytes.Clone(line), &in, &got, zero[V])
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Errorf("%T %q (strict %v): error %v, want %v", want, line, strict, gotErr, wantErr)
	} else if gotErr == nil && !reflect.DeepEqual(got, want) {
		t.Errorf("%T %q (strict %v): decoded\n%+v\nwant\n%+v", want, line, strict, got, want)
	}
}

func agreeAll(t *testing.T, line []byte) {
	t.Helper()
	for _, strict := range []bool{false, true} {
		agree[tricky](t, line, strict)
		agree[*tricky](t, line, strict)
		agree[map[string]any](t, line, strict)
		agree[any](t, line, strict)
		agree[json.RawMessage](t, line, strict)
	}
}

func TestDecodeAgreesWithEncodingJSON(t *testing.T) {
	for _, line := range trickyLines {
		agreeAll(t, []byte(line))
	}
}

func FuzzDecode(f *testing.F) {
	for _, line := range trickyLines {
		f.Add([]byte(line))
	}
	f.Fuzz(func(t *testing.T, line []byte) { agreeAll(t, line) })
}

// zero resets v to its zero value, as decode's reset does without
// partition fields.
func zero[V any](v *V) { *v = *new(V) }
