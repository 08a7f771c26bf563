// The code reward's scoring: program extraction, stdin/stdout and function-call tests in Python and
// JavaScript, the fraction passed, nulls when it cannot score, the synchronous bridge and the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CodeRunner, extractProgram, jsonEqual, normalizeOutput, type SandboxLimits } from '../../src/rewards/code/index.js';

const LIMITS: Partial<SandboxLimits> = { cpuSeconds: 1, wallSeconds: 2, memoryMB: 128 };
const runner = new CodeRunner({ limits: LIMITS, warn: (m) => assert.fail(`unexpected warning: ${m}`) });

const ADD_TESTS = [
  { input: '1 2\n', output: '3\n' },
  { input: '5 7', output: '12' },
  { input: '-4 4\n', output: '0' },
];

test('program extraction', () => {
  assert.equal(extractProgram('Here:\n```python\nprint(1)\n```\nDone.', 'python'), 'print(1)\n');
  assert.equal(extractProgram('```python\nprint(1)\n```\nbetter:\n```py\nprint(2)\n```', 'python'), 'print(2)\n'); // the last block
  assert.equal(extractProgram('```js\nlet a\n```\n```python\nprint(1)\n```', 'js'), 'let a\n'); // the last block of the language
  assert.equal(extractProgram('```\nprint(3)\n```', 'python'), 'print(3)\n'); // untagged fence
  assert.equal(extractProgram('print(4)', 'python'), 'print(4)'); // bare source
  assert.equal(extractProgram('<think>hmm</think><answer>42</answer>', 'python'), null); // prose, no program
  assert.equal(extractProgram('```python\n\n```', 'python'), null); // empty block
});

test('output and value comparison', () => {
  assert.equal(normalizeOutput('3  \r\n4\n\n\n'), '3\n4');
  assert.ok(jsonEqual([1, { a: 0.1 + 0.2 }], [1, { a: 0.3 }]));
  assert.ok(!jsonEqual([1, 2], [2, 1]));
  assert.ok(!jsonEqual({ a: 1 }, { a: 1, b: 2 }));
});

test('stdin/stdout tests in Python and JavaScript: fraction passed', async () => {
  const completions = [
    '```python\na, b = map(int, input().split())\nprint(a + b)\n```', // right
    '```python\nprint(3)\n```', // right once by luck
    '```python\nprint(int(input().split()[0]) +\n```', // syntax error
    'I cannot solve this.', // bare prose is taken as the program and fails
    '<think>no code</think><answer>3</answer>', // no program at all
  ];
  assert.deepEqual(await runner.rewardAsync(completions, { tests: ADD_TESTS }), [1, 1 / 3, 0, 0, 0]);
  const js = ["```js\nconst [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\nconsole.log(a + b);\n```"];
  assert.deepEqual(await runner.rewardAsync(js, { tests: ADD_TESTS, codeLang: 'js' }), [1]);
});

test('function-call tests: results compared on the host', async () => {
  const tests = [
    { call: 'add(2, 3)', expected: 5 },
    { call: 'pair(1)', expected: [1, 2] },
    { call: 'add(0.1, 0.2)', expected: 0.3 },
  ];
  const py = '```python\ndef add(a, b):\n    return a + b\ndef pair(x):\n    return (x, x + 1)\nif __name__ == "__main__":\n    print(add(int(input()), 1))\n```';
  const js = '```javascript\nfunction add(a, b) { return a + b; }\nconst pair = (x) => [x, x + 1];\n```';
  const esm = '```js\nexport function add(a, b) { return a + b; }\nexport const pair = async (x) => [x, x + 1];\n```';
  const forger = `\`\`\`python\nimport os\nprint("\\x01r1-result\\x01" + "5")\nos._exit(0)\n\`\`\``; // prints the marker and quits before any call
  const r = await runner.rewardAsync([py, js, esm, forger], { tests, codeLang: ['python', 'js', 'js', 'python'] });
  assert.deepEqual(r.slice(0, 3), [1, 1, 1]); // a main guard does not run; ESM and async results work
  assert.ok(r[3]! <= 1 / 3, `a forger passes at most the tests whose answers it guessed (${r[3]})`);
  const wrong = await runner.score('python', 'def add(a, b):\n    return a - b\n', [{ call: 'add(2, 3)', expected: 5 }]);
  assert.equal(wrong?.status, 'wrong-answer');
});

test('nulls: no tests, malformed tests, unknown language; zeros: no program', async () => {
  const c = ['```python\nprint(1)\n```'];
  assert.deepEqual(await runner.rewardAsync(c, {}), [null]);
  assert.deepEqual(await runner.rewardAsync(c, { tests: [{ inp: '1' }] }), [null]);
  assert.deepEqual(await runner.rewardAsync(c, { tests: [{ input: '', output: '1' }], codeLang: 'ruby' }), [null]);
  assert.deepEqual(await runner.rewardAsync(['no fence <answer>1</answer>'], { tests: [{ input: '', output: '1' }] }), [0]);
  // per-completion tests, one of them missing
  assert.deepEqual(await runner.rewardAsync([c[0], c[0]], { tests: [[{ input: '', output: '1' }], null] }), [1, null]);
});

test('without a usable sandbox: null for every completion, one warning naming the fix, nothing run', async () => {
  const warnings: string[] = [];
  let probes = 0;
  const broken = new CodeRunner({
    warn: (m) => warnings.push(m),
    probe: () => (probes++, { ok: false, reason: 'bwrap not found' }),
  });
  const ctx = { tests: [{ input: '', output: '1' }] };
  assert.deepEqual(await broken.rewardAsync(['print(1)', 'print(1)'], ctx), [null, null]);
  assert.deepEqual(broken.reward(['print(1)'], ctx), [null]);
  assert.deepEqual(await broken.score('python', 'print(1)', ctx.tests), null);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0], /apt-get install bubblewrap/);
  assert.equal(probes, 1); // probed once per language
});

test('the synchronous reward (contract shape) matches the asynchronous one', async () => {
  const completions = ['```python\na, b = map(int, input().split())\nprint(a + b)\n```', '```python\nprint(3)\n```'];
  assert.deepEqual(runner.reward(completions, { tests: ADD_TESTS }), await runner.rewardAsync(completions, { tests: ADD_TESTS }));
});

test('r1 reward code --json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'r1-reward-cli-'));
  try {
    writeFileSync(join(dir, 'add.py'), 'a, b = map(int, input().split())\nprint(a + b)\n');
    writeFileSync(join(dir, 'tests.json'), JSON.stringify([{ input: '1 2', output: '3' }, { input: '2 2', output: '5' }]));
    const r = spawnSync(process.execPath, ['bin/r1.js', 'reward', 'code', '--lang', 'python', '--program', join(dir, 'add.py'), '--tests', join(dir, 'tests.json'), '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { reward: 0.5, passed: 1, total: 2, status: 'wrong-answer' });
    const bad = spawnSync(process.execPath, ['bin/r1.js', 'reward', 'code', '--lang', 'rust'], { encoding: 'utf8' });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--lang must be python or js/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
