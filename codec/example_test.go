package codec_test

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/crunchgo/crunchgo/codec"
)

type Play struct {
	UserID   string
	Country  string
	MsPlayed int64
	Skipped  bool
}

func Example() {
	c, err := codec.For[Play]()
	if err != nil {
		panic(err)
	}
	buf := c.Append(nil, Play{UserID: "u1", Country: "DE", MsPlayed: 187000})
	fmt.Printf("%d bytes\n", len(buf))

	p, n, err := c.Decode(buf)
	fmt.Println(p, n, err)
	// Output:
	// 10 bytes
	// {u1 DE 187000 false} 10 <nil>
}

type CountryTrack struct {
	Country string
	TrackID int64
}

func ExampleKeyFor() {
	k := codec.MustKeyFor[CountryTrack]()
	keys := []CountryTrack{{"SE", 7}, {"DE", 42}, {"DE", -1}, {"", 3}}
	var encoded [][]byte
	for _, ct := range keys {
		encoded = append(encoded, k.Append(nil, ct))
	}
	slices.SortFunc(encoded, bytes.Compare) // what the shuffle does
	for _, b := range encoded {
		ct, _, _ := k.Decode(b)
		fmt.Println(ct)
	}
	_, err := codec.KeyFor[map[string]int]()
	fmt.Println(err)
	// Output:
	// { 3}
	// {DE -1}
	// {DE 42}
	// {SE 7}
	// codec: key type map[string]int is not orderable (maps have no order)
}

func ExampleDecodeError() {
	c := codec.MustFor[Play]()
	buf := c.Append(nil, Play{UserID: "u1", Country: "DE"})
	_, _, err := c.Decode(buf[:5])
	fmt.Println(err)
	// Output:
	// codec: decoding field Country of codec_test.Play at byte 3: length exceeds remaining input
}
