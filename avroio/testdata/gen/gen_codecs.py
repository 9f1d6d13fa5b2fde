#!/usr/bin/python3
"""gen_codecs.py writes the bzip2 and xz avroio test fixtures with Apache
Avro's Python implementation (Debian's python3-avro), independent of the Go
libraries avroio uses. Its bzip2 codec is Python's bz2; it has no xz codec,
so one is added here with Python's lzma (liblzma), as Avro's Java xz codec
writes: a whole .xz stream per block.

    /usr/bin/python3 avroio/testdata/gen/gen_codecs.py

The records are gen.js's event(i), in three blocks of 3; the Go tests
recompute them.
"""
import io
import json
import lzma
import os

import avro.codecs
import avro.datafile
import avro.io
import avro.schema


class XZCodec(avro.codecs.Codec):
    @staticmethod
    def compress(data):
        out = lzma.compress(data, format=lzma.FORMAT_XZ)
        return out, len(out)

    @staticmethod
    def decompress(readers_decoder):
        data = readers_decoder.read(readers_decoder.read_long())
        return avro.io.BinaryDecoder(io.BytesIO(lzma.decompress(data)))


avro.codecs.KNOWN_CODECS["xz"] = XZCodec

COUNTRIES = ["SE", "US", "DE", "BR"]
PLATFORMS = ["ios", "android", "web"]
SCHEMA = {
    "type": "record",
    "name": "ListeningEvent",
    "namespace": "com.example.music",
    "fields": [
        {"name": "user_id", "type": "string"},
        {"name": "track_id", "type": "string"},
        {"name": "artist_id", "type": "string"},
        {"name": "country", "type": "string"},
        {"name": "ms_played", "type": "long"},
        {"name": "ts", "type": "long"},
        {"name": "platform", "type": "string"},
        {"name": "skipped", "type": "boolean"},
    ],
}


def event(i):
    return {
        "user_id": "Åsa ✓" if i == 1 else "user-%d" % i,
        "track_id": "t%d" % (100 + i),
        "artist_id": "a%d" % (i % 3),
        "country": COUNTRIES[i % 4],
        "ms_played": 1000 * i + 12345,
        "ts": 1764201600000 + i * 60000,
        "platform": PLATFORMS[i % 3],
        "skipped": i % 5 == 0,
    }


def main():
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    schema = avro.schema.parse(json.dumps(SCHEMA))
    for codec in ["bzip2", "xz"]:
        name = os.path.join(out, "events_%s.avro" % codec)
        with open(name, "wb") as f:
            w = avro.datafile.DataFileWriter(f, avro.io.DatumWriter(), schema, codec=codec)
            for i in range(9):
                w.append(event(i))
                if i % 3 == 2:
                    w.sync()  # ends the block
            w.close()
        print(name, os.path.getsize(name), "bytes")


main()
