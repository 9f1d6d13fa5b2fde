package ptable

import (
	"testing"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/plan"
)

// TestDescribeKey checks that each grouping renders its shuffle keys as
// the user's key: a sort's without its rank (and, descending, inverted
// back), a secondary sort's by its grouping prefix.
func TestDescribeKey(t *testing.T) {
	type countryTrack struct{ Country, Track string }
	strs := must(codec.KeyFor[string]())
	ranked := must(codec.KeyFor[rankedKey[string]]())
	ints := must(codec.KeyFor[int]())
	structs := must(codec.KeyFor[countryTrack]())

	desc := ranked.Append(nil, rankedKey[string]{Bucket: 9, Key: "US"})
	invert(desc[2:])
	for _, tc := range []struct {
		name string
		d    plan.KeyDescriber
		key  []byte
		want string
	}{
		{"group", &groupPayload[string, int]{key: strs}, strs.Append(nil, "US"), `"US"`},
		{"undecodable", &groupPayload[int, int]{key: ints}, []byte("\xffUS"), `"\xffUS"`},
		{"sort", (&groupPayload[rankedKey[string], int]{key: ranked, order: ascending}).plan().(plan.KeyDescriber),
			ranked.Append(nil, rankedKey[string]{Bucket: 9, Key: "US"}), `"US"`},
		{"descending sort", (&groupPayload[rankedKey[string], int]{key: ranked, order: descending}).plan().(plan.KeyDescriber),
			desc, `"US"`},
		{"secondary sort", &secondaryPayload[int, int, string]{key: ints}, ints.Append(nil, 7), `7`},
		{"combine", &combinePayload[countryTrack, int, int, int]{key: structs}, structs.Append(nil, countryTrack{"US", "t1"}), `{US t1}`},
	} {
		if got := tc.d.DescribeKey(tc.key); got != tc.want {
			t.Errorf("%s: DescribeKey = %s, want %s", tc.name, got, tc.want)
		}
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
