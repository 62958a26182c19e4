import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { routerCostText } from '../../src/core/router/costs';

describe('routerCostText', () => {
  it('says what the README\'s "Costs, plainly" says, sentence by sentence', () => {
    const readme = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8').replace(/\*\*/g, '').replace(/\s+/g, ' ').toLowerCase();
    const sentences = routerCostText().split(/(?<=\.) /);
    assert.equal(sentences.length, 3);
    for (const s of sentences) assert.ok(readme.includes(s.replace(/\.$/, '').toLowerCase()), `README lacks: ${s}`);
  });
});
