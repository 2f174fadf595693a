// parquet_read_check.mjs FILE.parquet=OUTDIR...
// What convert's parquet reader made of each FILE (OUTDIR/train.jsonl that a
// run wrote, and its drop log OUTDIR/dropped.jsonl; text and id columns named
// text and id) against what DuckDB reads from the same file, value for value:
// every row is a document, in order, or a drop for want of text; the id is
// the id column's (FILE:ROW when null); every other column is in metadata
// equal to DuckDB's to_json of it, timestamps compared as instants written
// in ISO 8601.  Exits non-zero on the first difference.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';

const textField = 'text', idField = 'id';
let file;
const fail = (msg) => { console.error(`parquet_read_check: ${file}: ${msg}`); process.exit(1); };
const lines = (p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
// "2024-02-29 12:34:56.100+00" and "2024-02-29T12:34:56.1Z" are one instant.
const ts = /^(\d{4}-\d\d-\d\d)[ T](\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]00(?::?00)?)?$/;
const canon = (v) => {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  if (typeof v === 'string') {
    const m = ts.exec(v);
    if (m) {
      const frac = (m[3] || '').replace(/0+$/, '').replace(/^\.$/, '');
      return `${m[1]}T${m[2]}${frac}${m[4] ? 'Z' : ''}`;
    }
  }
  if (typeof v === 'number' && Object.is(v, -0)) return 0;
  return v;
};
const same = (a, b) => JSON.stringify(canon(a)) === JSON.stringify(canon(b));
// A FLOAT column's values are 32-bit: printed shortest by convert, widened by DuckDB.
const sameFloat = (a, b) => a === b || (typeof a === 'number' && typeof b === 'number' && Math.fround(a) === Math.fround(b));

const db = await DuckDBInstance.create(':memory:');
const con = await db.connect();
for (const arg of process.argv.slice(2)) {
const [f, dir] = arg.split('=');
file = f;
const outJsonl = `${dir}/train.jsonl`, droppedJsonl = `${dir}/dropped.jsonl`;
const q = file.replace(/'/g, "''");
const rows = (await con.runAndReadAll(
  `SELECT to_json(t)::VARCHAR AS j FROM read_parquet('${q}', file_row_number = true) t ORDER BY file_row_number`))
  .getRowObjectsJson().map((r) => JSON.parse(r.j));
const floats = new Set((await con.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${q}')`)).getRowObjectsJson()
  .filter((r) => r.column_type === 'FLOAT').map((r) => r.column_name));
const docs = lines(outJsonl);
const drops = new Map(lines(droppedJsonl).map((d) => [d.id, d]));
let k = 0;
rows.forEach((row, i) => {
  delete row.file_row_number;
  const id = row[idField] === null || row[idField] === undefined ? `${file}:${i}` : String(row[idField]);
  const text = row[textField];
  if (text === null || text === undefined) {
    if (!drops.has(id)) fail(`row ${i} (${id}) has no text but is not in the drop log`);
    return;
  }
  const d = docs[k++];
  if (!d) fail(`row ${i} (${id}): convert read ${k - 1} documents only`);
  if (d.id !== id) fail(`row ${i}: id ${JSON.stringify(d.id)}, DuckDB ${JSON.stringify(id)}`);
  if (d.text !== text) fail(`row ${i} (${id}): the text differs`);
  const want = { ...row };
  delete want[textField];
  delete want[idField];
  const got = { ...d.metadata };
  if (!('source' in want)) {
    if (d.source !== file) fail(`row ${i}: source ${d.source}`);
  } else if (want.source !== null) {
    got.source = d.source;
  }
  delete got.split;
  for (const key of new Set([...Object.keys(want), ...Object.keys(got)]))
    if (floats.has(key) ? !sameFloat(got[key], want[key]) : !same(got[key], want[key]))
      fail(`row ${i} (${id}): ${key} is ${JSON.stringify(got[key])}, DuckDB reads ${JSON.stringify(want[key])}`);
});
if (k !== docs.length) fail(`convert read ${docs.length} documents, DuckDB ${k} with text`);
console.log(`${file}: ${rows.length} rows, ${k} documents equal to DuckDB's`);
}
