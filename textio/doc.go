// Package textio reads and writes text files as lines, per file (LineReader,
// Writer) and as pipeline sources and sinks (Read, Write).
//
// # Model
//
// A line is the bytes up to "\n", without it and without a "\r" before it
// (so "\n" and "\r\n" files read alike; a lone "\r" is content). A last line
// without a newline is a line, without a "\r" it ends with (as if the file
// had been cut inside a "\r\n"); a newline at the end of the file does not
// start another one.
//
// # Splits
//
// Files are split into byte ranges, like Hadoop's TextInputFormat: a split
// not starting at 0 skips through the first newline at or after its start,
// and a split reads the lines starting at or before its end, reading past
// the end to finish the last one. Ranges that tile a file give every line to
// exactly one split. Files whose names end in ".gz" are gzip streams
// (multi-member streams included) and are one split each.
//
// # Errors and limits
//
// A line longer than MaxLineLength (default 64 MiB) fails the read with an
// *Error naming the path and the line's offset, wrapping ErrLineTooLong;
// SkipLongLines skips such lines and counts them instead. A damaged gzip
// stream yields an *Error matching ErrCorrupt, and so does a 0-byte ".gz"
// file, which is not a gzip stream (Read fails on it in the driver, before
// any task runs). Writers reject lines containing "\n", which would read
// back as several lines.
//
// Read refuses an input that is recognisably Avro or Parquet, by extension
// (.avro, .parquet) or by its first four bytes ("Obj\x01", "PAR1"), with an
// error naming the file and the reader to use, matching ErrNotText. It
// checks in the driver when it lists the files (one 4-byte read per file),
// before any task runs. LineReader reads whatever it is given.
package textio
