package runner_test

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/crunchgo/crunchgo/pcollection"
	"github.com/crunchgo/crunchgo/plan"
	"github.com/crunchgo/crunchgo/ptable"
	"github.com/crunchgo/crunchgo/runner"
)

// TestPartitions checks the default number of reduce partitions against
// the estimated size of a shuffle's input, and that a setting overrides it.
func TestPartitions(t *testing.T) {
	const MiB = 1 << 20
	p := pcollection.NewPipeline("partitions")
	_ = pcollection.Materialize(ptable.Count(pcollection.Of(p, "a", "b")))
	sg, err := plan.Optimize(context.Background(), p.Graph(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ch := sg.Stages[0].Channels[0]
	in := sg.Graph.Node(ch.GroupByKey).Inputs[0]
	for _, tt := range []struct {
		size float64
		want int
	}{
		{0, 1},
		{900 << 10, 1},  // under a MiB: one partition
		{2.5 * MiB, 2},  // one per MiB up to MinPartitions
		{11 * MiB, 4},   // a day of a million events: MinPartitions
		{200 * MiB, 4},  // 64 MiB each would be 4
		{300 * MiB, 5},  // 64 MiB each
		{100 << 30, 64}, // capped
	} {
		sg.Sizes[in] = tt.size
		if got := runner.Partitions(sg, ch, runner.Options{}); got != tt.want {
			t.Errorf("shuffle of %.1f MiB: %d partitions, want %d", tt.size/MiB, got, tt.want)
		}
	}
	sg.Sizes[in] = 11 * MiB
	if got := runner.Partitions(sg, ch, runner.Options{Partitions: 3}); got != 3 {
		t.Errorf("with Options.Partitions 3: got %d", got)
	}
	ch.Partitions = 7
	if got := runner.Partitions(sg, ch, runner.Options{Partitions: 3}); got != 7 {
		t.Errorf("with the channel asking for 7: got %d", got)
	}
}

// TestPartitionHashesLikeHadoop checks Partition against Hadoop's
// HashPartitioner on a BytesWritable key, written out byte by byte
// (WritableComparator.hashBytes: h = 31*h + b from 1, over the tag byte and
// the key), on keys of every length up to 40 and every byte value.
func TestPartitionHashesLikeHadoop(t *testing.T) {
	hadoop := func(channel int, key []byte, partitions int) int {
		h := int32(1)
		for _, b := range append([]byte{byte(channel)}, key...) {
			h = 31*h + int32(int8(b))
		}
		return int(h&math.MaxInt32) % partitions
	}
	r := rand.New(rand.NewPCG(1, 2))
	for n := range 41 {
		for range 200 {
			key := make([]byte, n)
			for i := range key {
				key[i] = byte(r.Uint32())
			}
			ch, parts := r.IntN(300), 1+r.IntN(1000)
			if got, want := runner.Partition(ch, key, parts), hadoop(ch, key, parts); got != want {
				t.Fatalf("Partition(%d, %x, %d) = %d, want %d", ch, key, parts, got, want)
			}
		}
	}
	// Hadoop hashes the bytes {0, 'a', 'b', 'c'} to 31⁴ + 97·31² + 98·31 + 99
	// = 1,019,875.
	if got := runner.Partition(0, []byte("abc"), math.MaxInt32); got != 1019875 {
		t.Errorf("Partition(0, abc) = %d, want 1019875", got)
	}
}

func BenchmarkPartition(b *testing.B) {
	key := []byte("a000123\x00\x01u0012345\x00\x01") // an (artist, user) pair
	n := 0
	for b.Loop() {
		n += runner.Partition(1, key, 8)
	}
	if n < 0 {
		b.Fatal(n)
	}
}
