package ptable

import "github.com/crunchgo/crunchgo/pcollection"

// Cross pairs every element of a with every element of b (Crunch's
// Cartesian.cross, Spark's cartesian). b is a side input: every task over
// a holds all of it, decoded, so b must be small; a is never shuffled. The
// output has len(a)·len(b) elements.
func Cross[A, B any](a pcollection.PCollection[A], b pcollection.PCollection[B], opts ...pcollection.Option) pcollection.PCollection[Pair[A, B]] {
	info := pcollection.Build("Cross", opts)
	return pcollection.FlatMapWithSide(a, b, func(bs []B) (func(A, func(Pair[A, B])), error) {
		return func(x A, emit func(Pair[A, B])) {
			for _, y := range bs {
				emit(Pair[A, B]{Key: x, Value: y})
			}
		}, nil
	}, pcollection.Name(info.Name))
}
