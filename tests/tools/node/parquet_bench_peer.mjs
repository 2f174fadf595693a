// parquet_bench_peer.mjs MAKE FILE.parquet ROWS SEED_DIR | COPY FILE.parquet OUT.jsonl
// For tests/bench/parquet_bench.sh.  MAKE: a FineWeb-shaped Parquet file
// (text, id, dump, url, date, file_path, language, language_score,
// token_count; ZSTD, DuckDB's default row groups), texts made of the seed
// pages' words.  COPY: DuckDB's own Parquet to JSONL on one thread, the peer.
import { DuckDBInstance } from '@duckdb/node-api';

const [mode, file, arg, seeds] = process.argv.slice(2);
const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
await con.run('SET threads = 1');
const q = (s) => s.replace(/'/g, "''");
if (mode === 'COPY') {
  await con.run(`COPY (SELECT * FROM read_parquet('${q(file)}')) TO '${q(arg)}' (FORMAT json)`);
} else {
  await con.run(`SET threads = 2`);
  await con.run(`CREATE TABLE words AS SELECT list(w) AS w FROM (SELECT unnest(string_split_regex(content, '\\s+')) AS w
    FROM read_text('${q(seeds)}/*.txt')) WHERE length(w) > 0`);
  await con.run(`COPY (SELECT
      array_to_string(list_transform(range(150 + (i * 7919) % 900), x -> w[1 + (hash(i * 1000 + x) % len(w))::INT]), ' ') AS text,
      '<urn:uuid:' || md5(i::VARCHAR) || '>' AS id,
      'CC-MAIN-2024-10' AS dump,
      'https://example.bg/news/' || i AS url,
      '2024-02-' || lpad((1 + i % 28)::VARCHAR, 2, '0') || 'T10:00:00Z' AS date,
      's3://commoncrawl/crawl-data/CC-MAIN-2024-10/segments/' || (i % 100) || '.warc.gz' AS file_path,
      'bg' AS language, 0.9 + (i % 100) / 1000.0 AS language_score, (150 + (i * 7919) % 900) AS token_count
    FROM range(${Number(arg)}) r(i), words) TO '${q(file)}' (FORMAT parquet, COMPRESSION zstd)`);
  const r = (await con.runAndReadAll(`SELECT sum(strlen(text))::BIGINT AS b FROM read_parquet('${q(file)}')`)).getRowObjectsJson();
  console.log(r[0].b);
}
