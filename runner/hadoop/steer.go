package hadoop

import (
	"errors"
	"math"
)

// A Hadoop job has one reducer count R, the largest partition count of the
// stage's channels. A channel with R partitions sends [tag][key] and
// Hadoop's HashPartitioner puts it exactly where runner.Partition does. A
// channel with fewer partitions P is steered: its shuffle key is
//
//	[tag] escape(key) 0x00 0x01 s1 s2
//
// where escape turns 0x00 into 0x00 0xFF (so the encoding is prefix-free and
// sorts like the key) and the two steering bytes are chosen so that
// HashPartitioner picks runner.Partition(tag, key, P). A channel whose
// GroupByKey partitions itself (plan.Partitioner: a sort's, a secondary
// sort's) is always steered, to the partition it picks. Each channel's
// partitions then hold exactly what every other runner puts in them.

// hashJava is WritableComparator.hashBytes continued from h.
func hashJava(h int32, b []byte) int32 {
	for _, c := range b {
		h = 31*h + int32(int8(c))
	}
	return h
}

func hadoopPartition(h int32, reducers int) int { return int(h&math.MaxInt32) % reducers }

// appendSteered appends the shuffle key of (ch, key) to dst, steered to
// reducer want.
func appendSteered(dst []byte, ch int, key []byte, want, reducers int) ([]byte, error) {
	start := len(dst)
	dst = append(dst, byte(ch))
	for _, c := range key {
		if c == 0 {
			dst = append(dst, 0, 0xFF)
		} else {
			dst = append(dst, c)
		}
	}
	dst = append(dst, 0, 1)
	h := hashJava(1, dst[start:])
	for s1 := range 256 {
		h1 := 31*h + int32(int8(s1))
		for s2 := range 256 {
			if hadoopPartition(31*h1+int32(int8(s2)), reducers) == want {
				return append(dst, byte(s1), byte(s2)), nil
			}
		}
	}
	return nil, errors.New("no steering bytes reach the partition") // not reached for reducers below 2^13
}

// unsteer recovers the encoded key from a steered shuffle key without its tag.
func unsteer(dst, k []byte) ([]byte, error) {
	if len(k) < 4 || k[len(k)-4] != 0 || k[len(k)-3] != 1 {
		return nil, errors.New("malformed steered shuffle key")
	}
	k = k[:len(k)-4]
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c == 0 {
			if i+1 >= len(k) || k[i+1] != 0xFF {
				return nil, errors.New("malformed escape in steered shuffle key")
			}
			i++
		}
		dst = append(dst, c)
	}
	return dst, nil
}
