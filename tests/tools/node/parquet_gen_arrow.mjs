// parquet_gen_arrow.mjs DIR: Parquet files written by a second, independent
// writer (arrow-rs, through parquet-wasm) for the reader's tests: the
// encodings DuckDB does not write (DELTA_BYTE_ARRAY, DELTA_LENGTH_BYTE_ARRAY,
// BYTE_STREAM_SPLIT, DELTA_BINARY_PACKED on every integer column), the old
// Hadoop-framed LZ4, small data pages, v1 and v2.  Prints the names.
import { writeFileSync } from 'node:fs';
import * as arrow from 'apache-arrow';
import * as pq from 'parquet-wasm';

const dir = process.argv[2];
const n = 2500;
const ids = [], texts = [], urls = [], i32 = [], i64 = [], f32 = [], f64 = [], flags = [], tags = [], ts = [];
for (let i = 0; i < n; i++) {
  ids.push(i % 13 === 4 ? null : `row-${String(i).padStart(5, '0')}`);
  texts.push(i % 101 === 9 ? null : `Текст ${i} — ${'слово '.repeat(i % 17)}ü😀 ${i % 3 ? 'a' : 'b'}`);
  urls.push(`https://example.org/page/${Math.floor(i / 3)}`); // shared prefixes: DELTA_BYTE_ARRAY at work
  i32.push(i % 7 === 0 ? null : (i * 7919) % 100000 - 50000);
  i64.push(BigInt(i) * 1234567891n - 99n);
  f32.push(Math.fround(i / 3));
  f64.push(i % 5 === 0 ? null : Math.sqrt(i) * 1e-3);
  flags.push(i % 4 === 1 ? null : i % 2 === 0);
  tags.push(i % 6 === 0 ? null : Array.from({ length: i % 4 }, (_, k) => (k === 1 ? null : `t${i}-${k}`)));
  ts.push(i % 8 === 0 ? null : 1700000000000 + i * 1001);
}
const table = new arrow.Table({
  id: arrow.vectorFromArray(ids, new arrow.Utf8()),
  text: arrow.vectorFromArray(texts, new arrow.Utf8()),
  url: arrow.vectorFromArray(urls, new arrow.Utf8()),
  i32: arrow.vectorFromArray(i32, new arrow.Int32()),
  i64: arrow.vectorFromArray(i64, new arrow.Int64()),
  f32: arrow.vectorFromArray(f32, new arrow.Float32()),
  f64: arrow.vectorFromArray(f64, new arrow.Float64()),
  flag: arrow.vectorFromArray(flags, new arrow.Bool()),
  tags: arrow.vectorFromArray(tags, new arrow.List(new arrow.Field('item', new arrow.Utf8(), true))),
  ts: arrow.vectorFromArray(ts, new arrow.TimestampMillisecond()),
});
const ipc = arrow.tableToIPC(table, 'stream');
const files = [];
const write = (name, build) => {
  let b = new pq.WriterPropertiesBuilder().setMaxRowGroupSize(1000).setDataPageSizeLimit(4096);
  b = build(b);
  const bytes = pq.writeParquet(pq.Table.fromIPCStream(ipc), b.build());
  const path = `${dir}/${name}.parquet`;
  writeFileSync(path, bytes);
  files.push(path);
};
const E = pq.Encoding, C = pq.Compression, V = pq.WriterVersion;
write('arrow_plain_v1_snappy', (b) => b.setWriterVersion(V.V1).setDictionaryEnabled(false).setCompression(C.SNAPPY));
write('arrow_dict_v2_zstd', (b) => b.setWriterVersion(V.V2).setDictionaryEnabled(true).setCompression(C.ZSTD));
write('arrow_delta_v2_gzip', (b) => b.setWriterVersion(V.V2).setDictionaryEnabled(false).setCompression(C.GZIP)
  .setColumnEncoding('url', E.DELTA_BYTE_ARRAY).setColumnEncoding('id', E.DELTA_BYTE_ARRAY)
  .setColumnEncoding('text', E.DELTA_LENGTH_BYTE_ARRAY).setColumnEncoding('i32', E.DELTA_BINARY_PACKED)
  .setColumnEncoding('i64', E.DELTA_BINARY_PACKED).setColumnEncoding('ts', E.DELTA_BINARY_PACKED)
  .setColumnEncoding('f32', E.BYTE_STREAM_SPLIT).setColumnEncoding('f64', E.BYTE_STREAM_SPLIT));
write('arrow_delta_v1_brotli', (b) => b.setWriterVersion(V.V1).setDictionaryEnabled(false).setCompression(C.BROTLI)
  .setColumnEncoding('url', E.DELTA_BYTE_ARRAY).setColumnEncoding('text', E.DELTA_BYTE_ARRAY)
  .setColumnEncoding('i64', E.DELTA_BINARY_PACKED).setColumnEncoding('f64', E.BYTE_STREAM_SPLIT));
write('arrow_lz4_raw', (b) => b.setCompression(C.LZ4_RAW));
write('arrow_lz4_hadoop', (b) => b.setCompression(C.LZ4));
console.log(files.join('\n'));
