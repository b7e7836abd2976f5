// Tokens per second of Hugging Face tokenizers (Rust, through its Node
// binding, npm tokenizers 0.23.2) on the XQuAD-R golden texts: the
// reference for BenchmarkWordPiece* in bench_test.go. encodeBatch runs the
// Rust code on the binding's own thread pool; the process CPU time counts
// all its threads, so tokens/cpu-s is the per-core figure.
//
// Usage, from this folder, with `npm install tokenizers@0.23.2` done in <dir>:
//   NODE_PATH=<dir>/node_modules node bench_hf_tokenizers.mjs [seconds]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers');
const seconds = parseFloat(process.argv[2] || '3');

const texts = fs.readFileSync('wordpiece-mbert-cased.jsonl', 'utf8').split('\n')
  .filter((l) => l.trim()).map((l) => JSON.parse(l)).filter((r) => r.id.startsWith('xquad-r/')).map((r) => r.text);
const json = zlib.gunzipSync(fs.readFileSync('hf/mbert-cased.tokenizer.json.gz')).toString('utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wp-'));
const configs = [['cased', json],
  ['lower-strip', json.replace('"strip_accents": null, "lowercase": false', '"strip_accents": true, "lowercase": true')]];
for (const [name, j] of configs) {
  fs.writeFileSync(path.join(tmp, name + '.json'), j);
  const tok = Tokenizer.fromFile(path.join(tmp, name + '.json'));
  let tokens = 0;
  for (const e of await tok.encodeBatch(texts, { addSpecialTokens: false })) tokens += e.getIds().length;
  const w0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  let rounds = 0;
  while (Number(process.hrtime.bigint() - w0) / 1e9 < seconds) {
    await tok.encodeBatch(texts, { addSpecialTokens: false });
    rounds++;
  }
  const wall = Number(process.hrtime.bigint() - w0) / 1e9;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(`wordpiece ${name.padEnd(11)} ${tokens} tokens/round ${(tokens * rounds / wall).toFixed(0).padStart(10)} tokens/s ${(tokens * rounds / cpu).toFixed(0).padStart(10)} tokens/cpu-s`);
}
