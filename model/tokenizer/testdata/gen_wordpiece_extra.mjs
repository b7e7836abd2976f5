// Write wordpiece-offsets-decode.jsonl: Hugging Face tokenizers' offsets and
// decode output for every WordPiece golden text.
//
// Reference: npm `tokenizers` 0.23.2 (the official Node binding of the Rust
// library that made the WordPiece goldens), on hf/mbert-cased.tokenizer.json.gz
// and on the same file with the normalizer switched to lowercase +
// strip_accents (the lower-strip configuration of gen_tokenizer_goldens.py).
// Offsets, which the binding reports in code points, are converted to UTF-8
// byte offsets; `decoded` is tok.decode(ids, skipSpecialTokens = true) of the
// [CLS] … [SEP] encoding.
//
// Usage, from this folder, with `npm install tokenizers@0.23.2` done in <dir>:
//   NODE_PATH=<dir>/node_modules node gen_wordpiece_extra.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers');

const json = zlib.gunzipSync(fs.readFileSync('hf/mbert-cased.tokenizer.json.gz')).toString('utf8');
const lower = json.replace('"strip_accents": null, "lowercase": false', '"strip_accents": true, "lowercase": true');
if (lower === json) throw new Error('normalizer not found');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-'));
fs.writeFileSync(path.join(tmp, 'cased.json'), json);
fs.writeFileSync(path.join(tmp, 'lower.json'), lower);

function byteOffsets(text) {
  const out = [0];
  let n = 0;
  for (const ch of text) { n += Buffer.byteLength(ch, 'utf8'); out.push(n); }
  return out;
}

const out = [];
for (const [config, file, golden] of [['cased', 'cased.json', 'wordpiece-mbert-cased.jsonl'],
                                       ['lower-strip', 'lower.json', 'wordpiece-mbert-lower-strip.jsonl']]) {
  const tok = Tokenizer.fromFile(path.join(tmp, file));
  for (const line of fs.readFileSync(golden, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line);
    const b = byteOffsets(r.text);
    const e = await tok.encode(r.text, null, { addSpecialTokens: false });
    const s = await tok.encode(r.text, null, { addSpecialTokens: true });
    const decoded = await tok.decode(Array.from(s.getIds()), true);
    out.push(JSON.stringify({ config, id: r.id, offsets: e.getOffsets().map(([x, y]) => [b[x], b[y]]), decoded }));
  }
}
fs.writeFileSync('wordpiece-offsets-decode.jsonl', out.join('\n') + '\n');
console.log(`wrote ${out.length} records`);
