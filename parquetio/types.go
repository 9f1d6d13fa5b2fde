package parquetio

import (
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"
)

// timestampUnit returns the unit of a TIMESTAMP column type.
func timestampUnit(t parquet.Type) (time.Duration, bool) {
	lt := t.LogicalType()
	if lt == nil {
		return 0, false
	}
	ts, ok := lt.Value.(*format.TimestampType)
	if !ok || ts.Unit.Value == nil {
		return 0, false
	}
	return ts.Unit.Value.Duration(), true
}

// isDate reports whether t is a DATE column type.
func isDate(t parquet.Type) bool {
	lt := t.LogicalType()
	if lt == nil {
		return false
	}
	_, ok := lt.Value.(*format.DateType)
	return ok
}
