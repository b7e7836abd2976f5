// ref_hf.mjs HFDIR TEXTS: HF tokenizers ids of every text (ref_cased/lower/hfxlmr.jsonl).
import fs from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { Tokenizer } = require('tokenizers');
const [hf, path] = process.argv.slice(2);
const texts = fs.readFileSync(path, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l).text);
for (const [name, file] of [['cased', 'mbert-cased-plain/tokenizer.json'], ['lower', 'mbert-lower-strip-plain/tokenizer.json'],
  ['hfxlmr', 'xlmr-match-special/tokenizer.json'], ['m2v', 'm2v.json']]) {
  const tok = Tokenizer.fromFile(`${hf}/${file}`);
  const out = [];
  for (let i = 0; i < texts.length; i += 1000) {
    for (const e of await tok.encodeBatch(texts.slice(i, i + 1000), { addSpecialTokens: false })) {
      out.push(JSON.stringify(Array.from(e.getIds())));
    }
  }
  fs.writeFileSync(`ref_${name}.jsonl`, out.join('\n') + '\n');
}
