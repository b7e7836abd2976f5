// Write unigram-hf-model2vec.jsonl: Hugging Face tokenizers' encoding of
// every golden text with hf/model2vec-quantized.tokenizer.json (model2vec's
// test-model-vocab-quantized, MIT, LICENSE.MIT.model2vec.txt): a Unigram
// tokenizer.json that is not a SentencePiece conversion (BertNormalizer,
// Replace and Strip normalizers; Metaspace without splitting), so tokenizers'
// own pipeline is the reference. Offsets are converted from code points to
// UTF-8 bytes; `decoded` is tok.decode(ids, skipSpecialTokens = true).
//
// Usage, from this folder, with `npm install tokenizers@0.23.2` done in <dir>:
//   NODE_PATH=<dir>/node_modules node gen_hf_unigram_goldens.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'm2v-'));
fs.writeFileSync(path.join(tmp, 'tokenizer.json'), zlib.gunzipSync(fs.readFileSync('hf/model2vec-quantized.tokenizer.json.gz')));
const tok = Tokenizer.fromFile(path.join(tmp, 'tokenizer.json'));

function byteOffsets(text) {
  const out = [0];
  let n = 0;
  for (const ch of text) { n += Buffer.byteLength(ch, 'utf8'); out.push(n); }
  return out;
}
const out = [];
for (const line of fs.readFileSync('unigram-xlmr.jsonl', 'utf8').split('\n')) {
  if (!line.trim()) continue;
  const r = JSON.parse(line);
  const e = await tok.encode(r.text, null, { addSpecialTokens: false });
  const b = byteOffsets(r.text);
  const decoded = await tok.decode(Array.from(e.getIds()), true);
  out.push(JSON.stringify({ id: r.id, ids: Array.from(e.getIds()), tokens: e.getTokens(),
    offsets: e.getOffsets().map(([x, y]) => [b[x], b[y]]), decoded }));
}
fs.writeFileSync('unigram-hf-model2vec.jsonl', out.join('\n') + '\n');
console.log(`wrote ${out.length} records`);
