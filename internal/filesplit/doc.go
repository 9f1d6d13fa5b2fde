// Package filesplit plans the splits of file sources, shared by avroio,
// parquetio and textio: the size estimate of an input pattern and byte
// ranges that tile each file exactly, so every record is read by exactly
// one split whatever rule its format uses to assign records to ranges.
package filesplit
