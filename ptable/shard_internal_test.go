package ptable

import "testing"

// Each shard's bucket must land in its own partition when the shuffle has
// as many partitions as shards.
func TestShardBucketsPartition(t *testing.T) {
	var r rangedPayload[uint16, int]
	key := make([]byte, 2)
	check := func(n int) {
		for s := range n {
			b := shardBucket(s, n)
			key[0], key[1] = byte(b>>8), byte(b)
			if got := r.Partition(key, n); got != s {
				t.Fatalf("shard %d of %d: bucket %d goes to partition %d", s, n, b, got)
			}
		}
	}
	for n := 1; n <= 3000; n++ {
		check(n)
	}
	for _, n := range []int{32767, 32768, 32769, 40000, 65535, MaxShards} {
		check(n)
	}
}
