// tokenize_oracle.mjs MODE ARG IN.jsonl > ids.txt
// The reference encoders the tokenize step is compared with.  Reads one JSON
// object per line ({"text": ...}) and prints one line per text: the ids, space
// separated (an empty line for no ids).
//   hf FILE        Hugging Face `tokenizers` (the Rust library's Node binding)
//                  with a tokenizer.json, without post-processing (no BOS), and
//                  with the special added tokens made unmatchable, so that a special
//                  token written in the text is encoded as ordinary text.
//   tiktoken NAME  tiktoken (Rust core in WebAssembly), encode_ordinary, with
//                  the rank data tiktoken ships for encoding NAME.
//   ranks NAME OUT writes tiktoken's ranks for NAME as a .tiktoken rank file
//                  (base64 token, space, rank per line) and NAME.json beside it
//                  holding the pattern and the special tokens.
//   bench MODE ARG IN.jsonl  prints the MB/s of encoding every text (median of 3).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);

const [mode, arg, input] = process.argv.slice(2);

function tiktokenData(name) {
  return JSON.parse(readFileSync(require.resolve(`tiktoken/encoders/${name}.json`), 'utf8'));
}

// tiktoken's packed form: lines of "! FIRST_RANK tok tok ...", consecutive ranks.
function* ranks(packed) {
  for (const line of packed.split('\n')) {
    if (!line) continue;
    const f = line.split(' ');
    let r = Number(f[1]);
    for (const t of f.slice(2)) yield [t, r++];
  }
}

async function makeEncoder(kind, what) {
  if (kind === 'hf') {
    const { Tokenizer } = require('tokenizers');
    const j = JSON.parse(readFileSync(what, 'utf8'));
    // A special token stays in the list (its place decides the ids) but with
    // a content no text holds; the library would match the real one.
    j.added_tokens = (j.added_tokens || []).map((t) => (t.special ? { ...t, content: `\u{F0000}special${t.id}` } : t));
    j.post_processor = null;
    const tok = Tokenizer.fromString(JSON.stringify(j));
    return async (text) => Array.from((await tok.encode(text, null, { addSpecialTokens: false })).getIds());
  }
  if (kind === 'tiktoken') {
    const { Tiktoken } = require('tiktoken');
    const d = tiktokenData(what);
    const enc = new Tiktoken(d.bpe_ranks, d.special_tokens, d.pat_str);
    return async (text) => Array.from(enc.encode_ordinary(text));
  }
  throw new Error(`unknown mode ${kind}`);
}

function readTexts(file) {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.length).map((l) => JSON.parse(l).text);
}

if (mode === 'ranks') {
  const out = process.argv[4];
  const d = tiktokenData(arg);
  let s = '';
  for (const [t, r] of ranks(d.bpe_ranks)) s += `${t} ${r}\n`;
  writeFileSync(out, s);
  writeFileSync(out.replace(/\.tiktoken$/, '') + '.json', JSON.stringify({ pattern: d.pat_str, special_tokens: d.special_tokens }));
} else if (mode === 'bench') {
  const [kind, what, file] = process.argv.slice(3);
  const texts = readTexts(file);
  const enc = await makeEncoder(kind, what);
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  const times = [];
  for (let i = 0; i < 3; i++) {
    const t0 = process.hrtime.bigint();
    for (const t of texts) await enc(t);
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  console.log((bytes / 1e6 / times[1]).toFixed(2));
} else {
  const enc = await makeEncoder(mode, arg);
  const out = [];
  for (const t of readTexts(input)) out.push((await enc(t)).join(' '));
  process.stdout.write(out.join('\n') + (out.length ? '\n' : ''));
}
