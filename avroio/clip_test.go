package avroio_test

import (
	"testing"
)

type blobRec struct {
	Payload []byte            `avro:"payload"`
	Name    string            `avro:"name"`
	Parts   []blobPart        `avro:"parts"`
	ByKey   map[string][]byte `avro:"by_key"`
}

type blobPart struct {
	Data []byte `avro:"data"`
	Tag  string `avro:"tag"`
}

// TestDecodedBytesDoNotAliasStrings checks that a decoded []byte has no
// spare capacity: hamba/avro hands one out as a slice of a slab whose
// capacity ran over the strings decoded after it, so an append to it
// rewrote them (found by a helper's audit: Name "xyz" became "QQQ").
func TestDecodedBytesDoNotAliasStrings(t *testing.T) {
	recs := []blobRec{
		{Payload: []byte("ab"), Name: "xyz", Parts: []blobPart{{[]byte("p"), "t1"}}, ByKey: map[string][]byte{"k": []byte("v")}},
		{Payload: []byte("cd"), Name: "uvw", Parts: []blobPart{{[]byte("q"), "t2"}}, ByKey: map[string][]byte{"k": []byte("w")}},
	}
	got := readAll[blobRec](t, openBytes(t, "blobs.avro", writeFile(t, recs)))
	for _, r := range got {
		for what, b := range map[string][]byte{"payload": r.Payload, "parts[0].data": r.Parts[0].Data, "by_key[k]": r.ByKey["k"]} {
			if cap(b) != len(b) {
				t.Errorf("%s %q: capacity %d, want its length %d", what, b, cap(b), len(b))
			}
			_ = append(b, "QQQQQQQQQQQQ"...)
		}
	}
	for i, r := range got {
		if r.Name != recs[i].Name || r.Parts[0].Tag != recs[i].Parts[0].Tag {
			t.Errorf("record %d: strings %q, %q after appending to its bytes, want %q, %q", i, r.Name, r.Parts[0].Tag, recs[i].Name, recs[i].Parts[0].Tag)
		}
	}

	// Read generically, as the command line's cat does.
	for _, r := range readAll[map[string]any](t, openBytes(t, "blobs.avro", writeFile(t, recs))) {
		b := r["payload"].([]byte)
		if cap(b) != len(b) {
			t.Errorf("generic payload %q: capacity %d, want %d", b, cap(b), len(b))
		}
		if d := r["parts"].([]any)[0].(map[string]any)["data"].([]byte); cap(d) != len(d) {
			t.Errorf("generic parts[0].data %q: capacity %d, want %d", d, cap(d), len(d))
		}
	}
}
