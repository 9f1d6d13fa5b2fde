// Package fileformat tells the data formats crunchgo reads apart by the
// magic bytes their files start (and, for Parquet, end) with, so that a
// reader given a file of another format can say what the file is and what
// reads it, instead of failing on bytes it cannot decode. It is the one
// place that knows these magics; the readers only ask it.
//
// It knows Avro object container files ("Obj\x01"), Parquet ("PAR1") and
// gzip (1f 8b), and takes no text for one of them: "Obj\x01" and 1f 8b
// hold a control byte no text holds, and a file starting with "PAR1" is
// Parquet only if such a byte follows (as a Parquet file's first page or
// footer header does) or it also ends with "PAR1", so that a CSV row
// "PAR1,..." stays text.
package fileformat
