// gen.js writes the avroio test fixtures with avsc (https://github.com/mtth/avsc),
// an Avro implementation independent of the one avroio uses, then derives the
// deliberately corrupt files from one of them by byte surgery.
//
//   cd avroio/testdata/gen && npm install && node gen.js
//
// The Go tests recompute the expected records with the same formula as
// event(i) below; keep the two in step.
'use strict';

const fs = require('fs');
const path = require('path');
const avro = require('avsc');

const OUT = path.join(__dirname, '..');
const SYNC = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

function listeningSchema(tsType) {
  return {
    type: 'record',
    name: 'ListeningEvent',
    namespace: 'com.example.music',
    fields: [
      {name: 'user_id', type: 'string'},
      {name: 'track_id', type: 'string'},
      {name: 'artist_id', type: 'string'},
      {name: 'country', type: 'string'},
      {name: 'ms_played', type: 'long'},
      {name: 'ts', type: tsType},
      {name: 'platform', type: 'string'},
      {name: 'skipped', type: 'boolean'},
    ],
  };
}

const COUNTRIES = ['SE', 'US', 'DE', 'BR'];
const PLATFORMS = ['ios', 'android', 'web'];

function event(i) {
  return {
    user_id: i === 1 ? 'Åsa ✓' : 'user-' + i,
    track_id: 't' + (100 + i),
    artist_id: 'a' + (i % 3),
    country: COUNTRIES[i % 4],
    ms_played: 1000 * i + 12345,
    ts: 1764201600000 + i * 60000,
    platform: PLATFORMS[i % 3],
    skipped: i % 5 === 0,
  };
}

function events(n) {
  const out = [];
  for (let i = 0; i < n; i++) out.push(event(i));
  return out;
}

// encode writes records with avsc's BlockEncoder and returns the file bytes.
function encode(schema, records, opts) {
  return new Promise((resolve, reject) => {
    const enc = new avro.streams.BlockEncoder(schema, Object.assign({syncMarker: SYNC}, opts));
    const chunks = [];
    enc.on('data', (c) => chunks.push(c));
    enc.on('end', () => resolve(Buffer.concat(chunks)));
    enc.on('error', reject);
    for (const r of records) enc.write(r);
    enc.end();
  });
}

// readLong decodes a zigzag varint at buf[pos]; returns [value, next].
function readLong(buf, pos) {
  let n = 0n;
  let shift = 0n;
  for (;;) {
    const b = buf[pos++];
    n |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if ((b & 0x80) === 0) break;
  }
  return [Number((n >> 1n) ^ -(n & 1n)), pos];
}

function writeLong(v) {
  let n = (BigInt(v) << 1n) ^ (BigInt(v) >> 63n);
  n = BigInt.asUintN(64, n);
  const out = [];
  do {
    let b = Number(n & 0x7fn);
    n >>= 7n;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return Buffer.from(out);
}

// layout returns the header length and, per block, the offsets of its count,
// size, data and trailing sync marker.
function layout(buf) {
  let pos = 4;
  for (;;) {
    let count;
    [count, pos] = readLong(buf, pos);
    if (count === 0) break;
    if (count < 0) {
      count = -count;
      [, pos] = readLong(buf, pos);
    }
    for (let i = 0; i < count; i++) {
      let n;
      [n, pos] = readLong(buf, pos);
      pos += n;
      [n, pos] = readLong(buf, pos);
      pos += n;
    }
  }
  const mapCountAt = 4;
  pos += 16;
  const header = pos;
  const blocks = [];
  while (pos < buf.length) {
    const start = pos;
    let count, size;
    [count, pos] = readLong(buf, pos);
    const sizeAt = pos;
    [size, pos] = readLong(buf, pos);
    blocks.push({start, sizeAt, count, size, data: pos, sync: pos + size});
    pos += size + 16;
  }
  return {header, mapCountAt, blocks};
}

function write(name, buf) {
  fs.writeFileSync(path.join(OUT, name), buf);
  console.log(name, buf.length, 'bytes');
}

async function main() {
  const plain = listeningSchema('long');
  const millis = listeningSchema({type: 'long', logicalType: 'timestamp-millis'});
  fs.writeFileSync(path.join(OUT, 'listening_event.avsc'), JSON.stringify(plain, null, 2) + '\n');

  write('events_null.avro', await encode(plain, events(5), {codec: 'null'}));
  write('events_deflate.avro', await encode(millis, events(5), {codec: 'deflate'}));

  // Three blocks of three records: the block size fits any three consecutive
  // records but never four.
  const recs = events(9);
  const type = avro.Type.forSchema(plain);
  const lens = recs.map((r) => type.toBuffer(r).length);
  let blockSize = 0;
  for (let i = 0; i + 3 <= lens.length; i += 3) blockSize = Math.max(blockSize, lens[i] + lens[i + 1] + lens[i + 2]);
  const three = await encode(plain, recs, {codec: 'null', blockSize});
  const lay = layout(three);
  if (lay.blocks.length !== 3 || lay.blocks.some((b) => b.count !== 3)) {
    throw new Error('expected 3 blocks of 3 records, got ' + JSON.stringify(lay.blocks));
  }
  write('events_3blocks.avro', three);

  // An older writer schema: "user" was renamed to user_id (alias in the reader),
  // ms_played was an int and score a float (promoted to long and double),
  // legacy was removed and country added with a default in the reader.
  const v1 = {
    type: 'record',
    name: 'Play',
    namespace: 'com.example.v1',
    fields: [
      {name: 'user', type: 'string'},
      {name: 'track_id', type: 'string'},
      {name: 'ms_played', type: 'int'},
      {name: 'score', type: 'float'},
      {name: 'legacy', type: 'string'},
    ],
  };
  const old = [];
  for (let i = 0; i < 4; i++) {
    old.push({user: 'user-' + i, track_id: 't' + (100 + i), ms_played: 30000 + i, score: i + 0.5, legacy: 'x' + i});
  }
  write('play_v1.avro', await encode(v1, old, {codec: 'deflate'}));
  const v2 = {
    type: 'record',
    name: 'Play',
    namespace: 'com.example.v2',
    fields: [
      {name: 'user_id', type: 'string', aliases: ['user']},
      {name: 'track_id', type: 'string'},
      {name: 'ms_played', type: 'long'},
      {name: 'score', type: 'double'},
      {name: 'country', type: 'string', default: 'unknown'},
    ],
  };
  fs.writeFileSync(path.join(OUT, 'play_v2.avsc'), JSON.stringify(v2, null, 2) + '\n');

  // Corrupt files, all derived from events_3blocks.avro; block 1 (the second)
  // is the damaged one.
  const b1 = lay.blocks[1];
  write('corrupt_truncated.avro', three.subarray(0, b1.data + Math.floor(b1.size / 2)));

  const badSync = Buffer.from(three);
  badSync[b1.sync + 7] ^= 0xff;
  write('corrupt_sync.avro', badSync);

  write('corrupt_huge_count.avro', Buffer.concat([
    three.subarray(0, b1.start), writeLong(2n ** 60n), three.subarray(b1.sizeAt),
  ]));
  write('corrupt_huge_size.avro', Buffer.concat([
    three.subarray(0, b1.sizeAt), writeLong(2n ** 60n), three.subarray(b1.data),
  ]));

  // The header's metadata map claims 2^60 entries.
  const [, afterCount] = readLong(three, lay.mapCountAt);
  write('corrupt_header_huge_map.avro', Buffer.concat([
    three.subarray(0, lay.mapCountAt), writeLong(2n ** 60n), three.subarray(afterCount),
  ]));

  // Layout of the 3-block file, for the tests' expected offsets.
  fs.writeFileSync(path.join(OUT, 'events_3blocks.layout.json'), JSON.stringify(lay, null, 2) + '\n');
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
