package pcollection

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"iter"
	"sync"

	"github.com/crunchgo/crunchgo/codec"
	"github.com/crunchgo/crunchgo/plan"
)

// Of returns a collection of the given values: an in-memory source. Every
// process that builds the pipeline holds the values, so worker processes read
// their splits from their own copy.
func Of[T any](p *Pipeline, values ...T) PCollection[T] {
	vs := append([]T(nil), values...)
	return NewSource[T](p, "Of", &memSource[T]{values: vs})
}

type memSource[T any] struct{ values []T }

func (m *memSource[T]) Describe() string {
	return fmt.Sprintf("%d in-memory %s values", len(m.values), TypeOf[T]())
}

// ContentHash digests the values (plan.ContentHasher): each process of a
// run builds the pipeline again, and a worker reads its split from its own
// copy of the values, which must be the driver's. It uses the key encoding,
// which is canonical (a value encoding writes a map in iteration order);
// values of a type without one (holding maps, say) are not digested.
func (m *memSource[T]) ContentHash() string {
	c, err := codec.KeyFor[T]()
	if err != nil {
		return "not digested"
	}
	h := sha256.New()
	var buf []byte
	for _, v := range m.values {
		buf = c.Append(buf[:0], v) // self-delimiting: no length needed
		h.Write(buf)
	}
	return hex.EncodeToString(h.Sum(nil)[:12])
}

// EstimateSize encodes up to 64 values to guess the size of all of them.
func (m *memSource[T]) EstimateSize(context.Context) int64 {
	c, err := codec.For[T]()
	n := min(len(m.values), 64)
	if err != nil || n == 0 {
		return int64(len(m.values)) * 16
	}
	var buf []byte
	var total int
	for _, v := range m.values[:n] {
		buf = c.Append(buf[:0], v)
		total += len(buf)
	}
	return int64(total) * int64(len(m.values)) / int64(n)
}

// Splits cuts the values into about hint contiguous ranges.
func (m *memSource[T]) Splits(_ context.Context, hint int) ([]plan.Split, error) {
	hint = max(1, min(hint, len(m.values)))
	var out []plan.Split
	for i := range hint {
		lo, hi := len(m.values)*i/hint, len(m.values)*(i+1)/hint
		out = append(out, plan.Split{Index: i, Offset: int64(lo), Length: int64(hi - lo)})
	}
	return out, nil
}

func (m *memSource[T]) Read(_ context.Context, _ plan.TaskContext, s plan.Split, out plan.Emitter) error {
	emit := out.(func(T))
	if s.Offset < 0 || s.Length < 0 || s.Offset+s.Length > int64(len(m.values)) {
		return fmt.Errorf("in-memory split [%d, +%d) is out of range of %d values", s.Offset, s.Length, len(m.values))
	}
	for _, v := range m.values[s.Offset : s.Offset+s.Length] {
		emit(v)
	}
	return nil
}

// Materialized holds a collection's contents after the pipeline has run.
type Materialized[T any] struct {
	mu     sync.Mutex
	values []T
	ran    bool
}

// Values returns the collection's elements, in no particular order, or an
// error if the pipeline has not run, or its last run failed.
func (m *Materialized[T]) Values() ([]T, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if !m.ran {
		return nil, fmt.Errorf("pcollection: the pipeline has not run, or its last run failed")
	}
	return m.values, nil
}

// Deliver implements plan.MaterializePayload.
func (m *Materialized[T]) Deliver(records iter.Seq[[]byte]) error {
	c, err := codec.For[T]()
	if err != nil {
		return err
	}
	var vs []T
	for r := range records {
		v, n, err := c.Decode(r)
		if err != nil {
			return fmt.Errorf("materializing: %w", err)
		}
		if n != len(r) {
			// Decode reads a value from the front of r: without this, a
			// record damaged into zeros would read as the zero value.
			return fmt.Errorf("materializing: a record of %d bytes holds %d bytes after its value (%x): %w", len(r), len(r)-n, r, codec.ErrCorrupt)
		}
		vs = append(vs, v)
	}
	m.mu.Lock()
	m.values, m.ran = vs, true
	m.mu.Unlock()
	return nil
}

// Reset implements plan.MaterializePayload.
func (m *Materialized[T]) Reset() {
	m.mu.Lock()
	m.values, m.ran = nil, false
	m.mu.Unlock()
}

// Materialize asks the runner to hand c's elements back to the driver. Read
// them with Values after the run.
func Materialize[T any](c PCollection[T], opts ...Option) *Materialized[T] {
	b := Build("Materialize", opts)
	p := Must(b.SamePipeline(c.p))
	m := &Materialized[T]{}
	p.AddNode(b, plan.OpMaterialize, TypeOf[T](), m, c.id)
	return m
}
