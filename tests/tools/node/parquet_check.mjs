// parquet_check.mjs OUTDIR COLUMNS [SPANS]
// Reads every OUTDIR/*.parquet with DuckDB (an independent reader) and checks
// it against the OUTDIR/*.jsonl of the same run: the same rows in the same
// order, ids, texts, sources, each typed column equal to its metadata value
// (null when missing), the JSON column equal to the rest of the metadata and,
// with SPANS=1, the spans equal to the JSONL's.  COLUMNS: "key:TYPE,..." as
// in the writer's `columns`, checked against DESCRIBE.  Prints one line per
// file and exits non-zero on the first difference.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync, readdirSync } from 'node:fs';

const [dir, colspec, withSpans] = process.argv.slice(2);
const duck = { string: 'VARCHAR', double: 'DOUBLE', int64: 'BIGINT', bool: 'BOOLEAN' };
const typed = colspec.split(',').filter(Boolean).map((c) => {
  const [key, type = 'string'] = c.split(':');
  return { key, type };
});
const fail = (msg) => { console.error(`parquet_check: ${msg}`); process.exit(1); };
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
// Objects compared without regard to key order.
const canon = (v) => Array.isArray(v) ? v.map(canon)
  : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
const files = readdirSync(dir).filter((f) => f.endsWith('.parquet')).sort();
if (!files.length) fail(`no .parquet files in ${dir}`);
for (const f of files) {
  const path = `${dir}/${f}`.replace(/'/g, "''");
  const jsonl = `${dir}/${f.replace(/\.parquet$/, '.jsonl')}`;
  const want = readFileSync(jsonl, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

  const desc = (await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${path}')`)).getRowObjectsJson();
  const types = Object.fromEntries(desc.map((r) => [r.column_name, r.column_type]));
  const expect = { id: 'VARCHAR', text: 'VARCHAR', source: 'VARCHAR', metadata: 'VARCHAR' };
  for (const t of typed) expect[t.key] = duck[t.type];
  for (const [k, v] of Object.entries(expect))
    if (types[k] !== v) fail(`${f}: column ${k} is ${types[k]}, expected ${v}`);
  if (withSpans === '1' && !String(types.spans).startsWith('STRUCT("type" VARCHAR, "start" BIGINT, "end" BIGINT, "label" VARCHAR, space_after BOOLEAN)[]'))
    fail(`${f}: spans column is ${types.spans}`);

  const rows = (await con.runAndReadAll(
    `SELECT * FROM read_parquet('${path}', file_row_number = true) ORDER BY file_row_number`)).getRowObjectsJson();
  if (rows.length !== want.length) fail(`${f}: ${rows.length} rows, the JSONL has ${want.length}`);
  rows.forEach((row, i) => {
    const j = want[i], at = `${f} row ${i} (${j.id})`;
    if (row.id !== j.id) fail(`${at}: id ${row.id}`);
    if (row.text !== j.text) fail(`${at}: text differs`);
    if (row.source !== j.source) fail(`${at}: source ${row.source}, expected ${j.source}`);
    const rest = { ...j.metadata };
    for (const t of typed) {
      const v = rest[t.key] === undefined ? null : rest[t.key];
      delete rest[t.key];
      const got = row[t.key] === null ? null : t.type === 'int64' ? Number(row[t.key]) : row[t.key];
      if (!same(got, v)) fail(`${at}: ${t.key} is ${JSON.stringify(got)}, expected ${JSON.stringify(v)}`);
    }
    if (!same(canon(JSON.parse(row.metadata)), canon(rest))) fail(`${at}: metadata ${row.metadata}`);
    if (withSpans === '1') {
      const flat = [];
      for (const [type, list] of Object.entries(j.spans || {}))
        for (const s of list)
          flat.push([type, s.start, s.end, s.label ?? null, s.space_after !== false]);
      const got = row.spans.map((s) => [s.type, Number(s.start), Number(s.end), s.label, s.space_after]);
      const key = (a) => a.map((x) => JSON.stringify(x)).sort();
      if (!same(key(got), key(flat))) fail(`${at}: spans differ (${got.length} vs ${flat.length})`);
    }
  });
  const groups = (await con.runAndReadAll(
    `SELECT count(DISTINCT row_group_id) AS n FROM parquet_metadata('${path}')`)).getRowObjectsJson()[0].n;
  console.log(`${f}: ${rows.length} rows in ${groups} row group(s) equal to ${jsonl.split('/').pop()}`);
}
