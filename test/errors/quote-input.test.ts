// quoteInput: naming caller input in an error message without letting it
// forge a log line, drive a terminal or flood the message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { quoteInput } from '../../src/errors/index.js';

describe('quoteInput', () => {
  it('quotes ordinary text as a JSON string', () => {
    assert.equal(quoteInput('sys/a b'), '"sys/a b"');
    assert.equal(quoteInput('say "hi"'), '"say \\"hi\\""');
  });

  it('escapes every control character and both line separators', () => {
    const raw = 'a\nb\u0000c\u001bd\u007fe\u0085f\u009bg\u2028h\u2029i';
    const quoted = quoteInput(raw, 100);
    assert.ok(!/[\p{Cc}\u2028\u2029]/u.test(quoted));
    assert.equal(
      quoted,
      '"a\\nb\\u0000c\\u001bd\\u007fe\\u0085f\\u009bg\\u2028h\\u2029i"',
    );
    // The escaped form still parses back to the original text.
    assert.equal(JSON.parse(quoted), raw);
  });

  it('cuts long input and marks the cut', () => {
    const long = 'x'.repeat(70);
    assert.equal(quoteInput(long), `"${'x'.repeat(64)}"...`);
    assert.equal(quoteInput(long, 4), '"xxxx"...');
    assert.equal(quoteInput('x'.repeat(64)), `"${'x'.repeat(64)}"`);
  });

  it('names the type of anything that is not a string', () => {
    assert.equal(quoteInput(undefined), '(undefined)');
    assert.equal(quoteInput(42), '(number)');
    assert.equal(quoteInput({ op: 'x' }), '(object)');
  });
});
