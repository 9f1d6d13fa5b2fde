// Package textio reads and writes text files as lines, per file (LineReader,
// Writer) and as pipeline sources and sinks (Read, Write). ReadLines gives
// each line with its file's URL and its byte offset, as Hadoop gives a
// mapper its split's path and the line's offset.
//
// # Model
//
// A line is the bytes up to "\n", without it and without a "\r" before it
// (so "\n" and "\r\n" files read alike; a lone "\r" is content). A last line
// without a newline is a line, without a "\r" it ends with (as if the file
// had been cut inside a "\r\n"); a newline at the end of the file does not
// start another one. A UTF-8 byte order mark starting a file (or a
// compressed file's text) is dropped, as Hadoop's LineRecordReader does.
//
// # Compression
//
// As with Hadoop's CompressionCodecFactory, a file's extension, in any
// case, says whether it is compressed and how: ".gz" is gzip, ".bz2" bzip2,
// ".zst" or ".zstd" zstd, and, as Hadoop's codecs write them, ".deflate"
// zlib (DefaultCodec), ".snappy" and ".lz4" Hadoop's block framing of raw
// snappy or LZ4 blocks (SnappyCodec, Lz4Codec) (Compressed). Such a file
// is read whole through its decompressor, concatenated streams included
// (as pigz, pbzip2, pzstd or cat write them); offsets in errors and line
// limits then count in the decompressed text. Hadoop's framing is read
// strictly: where Hadoop's reader takes a file cut short for its end, or
// stops at a block of length 0, textio fails naming the bad block's
// compressed offset, or reads on. Files named for codecs textio does not
// read (".lzo", ".br"; ".xz", whose Go reader reads some damaged files as
// fewer lines without an error) are refused, and so is compressed data
// whose name does not say so (gzip, bzip2, xz, zstd or the lz4 tool's
// frame format by its first bytes; Hadoop's framings have no magic), and
// a zstd frame whose window is over 512 MiB: rename it or decompress it
// first. A tar archive compressed whole (.tar.gz) is read as the lines of
// the tar stream, headers included, as Hadoop reads it: extract it first.
//
// # Splits
//
// Files are split into byte ranges, like Hadoop's TextInputFormat: a split
// not starting at 0 skips through the first newline at or after its start,
// and a split reads the lines starting at or before its end, reading past
// the end to finish the last one. Ranges that tile a file give every line to
// exactly one split. Compressed files cannot be cut: each is one split
// (Hadoop splits bzip2 at its blocks; textio does not).
//
// # Errors and limits
//
// A line longer than MaxLineLength (default 64 MiB) fails the read with an
// *Error naming the path and the line's offset, wrapping ErrLineTooLong;
// SkipLongLines skips such lines and counts them instead. A damaged or
// truncated compressed stream yields an *Error matching ErrCorrupt that
// names the codec and about where in the file it stopped, and so does a
// 0-byte compressed file, which is no compressed stream (Read fails on it
// in the driver, before any task runs). A failing read of the file is
// that error, not ErrCorrupt. Writers reject lines containing "\n", which
// would read back as several lines, and lines ending in "\r", which would
// read back without it; a first line starting with U+FEFF gets one more,
// for the reader to drop.
//
// Read refuses, with an error naming the file and matching ErrNotText, an
// input that is recognisably Avro or Parquet, by extension (.avro,
// .parquet, also compressed whole: .avro.gz, .parquet.zst, ...) or by its
// magic bytes ("Obj\x01"; "PAR1" followed by a byte no text holds, or also
// ending the file, so that a CSV row "PAR1,..." is text), saying which
// reader to use; and compressed input it cannot read or whose name does
// not say so, as above. It checks in the driver when it lists the files (one
// read of up to 10 bytes per file, and of the last 4 of one starting "PAR1"
// as text; an open of one shorter than 2 bytes), before any task runs. A
// pipe or device (/dev/stdin), which has no size to split by, is refused
// there too, naming it. LineReader refuses compressed data that is not as
// named too, but reads any other bytes it is given.
package textio
