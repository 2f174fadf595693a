// parquet_gen.mjs DIR: Parquet files written by DuckDB for the reader's tests,
// one per writer setting: every compression, PARQUET_VERSION v1 and v2, small
// and large row groups, dictionary and plain strings, nulls, every scalar
// type the reader turns into JSON, lists, structs, maps.  Prints the names.
import { DuckDBInstance } from '@duckdb/node-api';

const dir = process.argv[2];
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run('SET threads = 1');
// 3000 rows: texts in several scripts with nulls and empty ones; a
// low-cardinality column (dictionary) and a unique one (plain); every type.
await con.run(`CREATE TABLE t AS SELECT
  CASE WHEN i % 11 = 3 THEN NULL ELSE 'doc-' || i END AS id,
  CASE WHEN i % 97 = 5 THEN NULL WHEN i % 89 = 7 THEN ''
       ELSE 'Документ ' || i || ': ' || repeat('текст ', i % 23) || 'é中😀 "quoted" \\ back' || chr(10) || 'line' END AS text,
  'https://example.com/' || (i % 7) AS url,
  ['bg', 'uk', 'en', NULL][i % 4 + 1] AS lang,
  CASE WHEN i % 5 = 0 THEN NULL ELSE i / 7.0 END::DOUBLE AS score,
  (i * 0.25)::FLOAT AS f32,
  CASE WHEN i % 6 = 0 THEN NULL ELSE i * 1000003 - 5 END::BIGINT AS n64,
  (i % 200 - 100)::INTEGER AS n32,
  (i % 250)::UTINYINT AS u8,
  i % 3 = 0 AS flag,
  DATE '2020-01-01' + INTERVAL (i) DAY AS day,
  DATE '1969-12-25' + (i % 1000)::INTEGER AS date_only,
  TIME '10:00:00' + INTERVAL (i * 1001) MILLISECOND AS clock,
  md5(i::VARCHAR)::UUID AS uid,
  (i * 3)::USMALLINT AS u16,
  (i * 100000)::UBIGINT AS u64,
  TIMESTAMP '2024-02-29 12:34:56' + INTERVAL (i * 1001) MILLISECOND AS ts,
  TIMESTAMPTZ '2001-09-09 01:46:40+00' + INTERVAL (i) SECOND AS tstz,
  (i * 1.25)::DECIMAL(10, 2) AS price,
  (i * 12345.678)::DECIMAL(38, 3) AS big_price,
  CASE WHEN i % 4 = 0 THEN NULL WHEN i % 4 = 1 THEN [] ELSE ['a', NULL, 'x' || i] END AS tags,
  CASE WHEN i % 9 = 0 THEN NULL ELSE {'k': i, 'name': 'n' || i, 'inner': {'z': i % 2 = 0}} END AS meta,
  [{'s': 1, 'e': i}, {'s': NULL, 'e': 2}] AS spans,
  [[1, 2], [], NULL, [i]] AS nested,
  MAP {'a': i, 'b': NULL} AS m
FROM range(3000) r(i)`);
const files = [];
const write = async (name, opts) => {
  const path = `${dir}/${name}.parquet`;
  await con.run(`COPY t TO '${path}' (FORMAT parquet, ${opts})`);
  files.push(path);
};
for (const c of ['uncompressed', 'snappy', 'gzip', 'zstd', 'brotli', 'lz4_raw'])
  for (const v of ['v1', 'v2'])
    await write(`duck_${c}_${v}`, `COMPRESSION ${c}, PARQUET_VERSION ${v}, ROW_GROUP_SIZE 700`);
await write('duck_one_group', 'COMPRESSION zstd, ROW_GROUP_SIZE 1000000');
await write('duck_tiny_groups', 'COMPRESSION snappy, ROW_GROUP_SIZE 1');
await write('duck_no_dict', 'COMPRESSION zstd, DICTIONARY_COMPRESSION_RATIO_THRESHOLD 1000000');
console.log(files.join('\n'));
