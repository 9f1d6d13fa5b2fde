package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/gob"
	"encoding/json"
	"testing"
	"time"
)

func TestEncodeDoesNotAllocate(t *testing.T) {
	p := samplePlay()
	n := int64(1)
	e := Everything{S: "s", Bytes: []byte("b"), Slice: []Inner{{"a", 1}}, Ptr: &Inner{"p", 1},
		Time: time.Unix(5, 6), Pair: Pair[string, *int64]{"k", &n}}
	k := nestedKey{P: new(uint16), Bs: []byte("x\x00y"), T: time.Unix(1, 2)}
	buf := make([]byte, 0, 4096)
	cases := []struct {
		name string
		run  func()
	}{
		{"value Play", func() { buf = MustFor[Play]().Append(buf[:0], p) }},
		{"key Play", func() { buf = MustKeyFor[Play]().Append(buf[:0], p) }},
		{"value Everything without map", func() { buf = MustFor[Everything]().Append(buf[:0], e) }},
		{"key nested", func() { buf = MustKeyFor[nestedKey]().Append(buf[:0], k) }},
		{"value string", func() { buf = MustFor[string]().Append(buf[:0], "abc") }},
		{"key int64", func() { buf = MustKeyFor[int64]().Append(buf[:0], -5) }},
		{"value named string", func() { buf = MustFor[UserID]().Append(buf[:0], "abc") }},
	}
	for _, tc := range cases {
		if got := testing.AllocsPerRun(100, tc.run); got != 0 {
			t.Errorf("%s: %v allocations per Append, want 0", tc.name, got)
		}
	}
}

func TestDecodeAllocatesOnlyStrings(t *testing.T) {
	p := samplePlay() // five strings of at least two bytes
	vc, kc := MustFor[Play](), MustKeyFor[Play]()
	venc, kenc := vc.Append(nil, p), kc.Append(nil, p)
	if got := testing.AllocsPerRun(100, func() { _, _, _ = vc.Decode(venc) }); got > 5 {
		t.Errorf("value Decode: %v allocations, want at most 5", got)
	}
	if got := testing.AllocsPerRun(100, func() { _, _, _ = kc.Decode(kenc) }); got > 5 {
		t.Errorf("key Decode: %v allocations, want at most 5", got)
	}
}

// The benchmarks encode and decode one listening event (Play, 8 fields).
// Baselines: a hand-written append encoder (the floor), encoding/gob on a
// stream (type information amortised), and encoding/json.

func BenchmarkPlay(b *testing.B) {
	p := samplePlay()
	benchCodec(b, "value", MustFor[Play](), p)
	benchCodec(b, "key", MustKeyFor[Play](), p)
	b.Run("handwritten/encode", func(b *testing.B) {
		buf := appendPlayByHand(nil, p)
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			buf = appendPlayByHand(buf[:0], p)
		}
	})
	b.Run("handwritten/decode", func(b *testing.B) {
		buf := appendPlayByHand(nil, p)
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := decodePlayByHand(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gob/encode", func(b *testing.B) {
		var buf bytes.Buffer
		enc := gob.NewEncoder(&buf)
		if err := enc.Encode(&p); err != nil { // type information, once
			b.Fatal(err)
		}
		buf.Reset()
		if err := enc.Encode(&p); err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(buf.Len()))
		b.ReportAllocs()
		for b.Loop() {
			buf.Reset()
			if err := enc.Encode(&p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("gob/decode", func(b *testing.B) {
		const batch = 1000
		var stream bytes.Buffer
		enc := gob.NewEncoder(&stream)
		for range batch {
			if err := enc.Encode(&p); err != nil {
				b.Fatal(err)
			}
		}
		b.SetBytes(int64(stream.Len() / batch))
		b.ReportAllocs()
		var dec *gob.Decoder
		i := 0
		for b.Loop() {
			if i%batch == 0 {
				dec = gob.NewDecoder(bytes.NewReader(stream.Bytes()))
			}
			i++
			var q Play
			if err := dec.Decode(&q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json/encode", func(b *testing.B) {
		buf, _ := json.Marshal(&p)
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(&p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("json/decode", func(b *testing.B) {
		buf, _ := json.Marshal(&p)
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			var q Play
			if err := json.Unmarshal(buf, &q); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func benchCodec[T any](b *testing.B, name string, c Codec[T], v T) {
	buf := c.Append(nil, v)
	b.Run(name+"/encode", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		out := make([]byte, 0, 2*len(buf))
		for b.Loop() {
			out = c.Append(out[:0], v)
		}
	})
	b.Run(name+"/decode", func(b *testing.B) {
		b.SetBytes(int64(len(buf)))
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := c.Decode(buf); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func appendPlayByHand(dst []byte, p Play) []byte {
	dst = appendString(dst, p.UserID)
	dst = appendString(dst, p.TrackID)
	dst = appendString(dst, p.ArtistID)
	dst = appendString(dst, p.Country)
	dst = appendString(dst, p.Platform)
	dst = binary.AppendVarint(dst, p.MsPlayed)
	dst = binary.AppendVarint(dst, p.TS)
	return appendBool(dst, p.Skipped)
}

func decodePlayByHand(src []byte) (Play, int, error) {
	var p Play
	off := 0
	for _, s := range []*string{&p.UserID, &p.TrackID, &p.ArtistID, &p.Country, &p.Platform} {
		v, n, err := decodeString(src[off:])
		if err != nil {
			return Play{}, 0, err
		}
		*s, off = v, off+n
	}
	for _, i := range []*int64{&p.MsPlayed, &p.TS} {
		v, n, err := decodeVarint(src[off:])
		if err != nil {
			return Play{}, 0, err
		}
		*i, off = v, off+n
	}
	v, n, err := decodeBool(src[off:])
	if err != nil {
		return Play{}, 0, err
	}
	p.Skipped = v
	return p, off + n, nil
}
