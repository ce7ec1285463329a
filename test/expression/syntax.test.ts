// Parsing, escaping, syntax errors and the public helper API.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  compileExpression,
  containsExpression,
  ExpressionEvaluationError,
  ExpressionSyntaxError,
  substituteParameters,
  validateExpression,
  type EvaluationContext,
} from '../../server/expression/index.ts';

const ATTRS: Record<string, string> = {
  abc: 'xyz',
  filename: 'a brand new filename.txt',
  uuid: '1234',
  'my attribute': 'spaced',
  'a.b-c': 'dotted',
  nameRef: 'filename',
  '5': 'five',
  a: 'A',
  b: 'A',
  c: 'C',
};
const ctx: EvaluationContext = { attribute: (n) => ATTRS[n], attributeNames: () => Object.keys(ATTRS) };
const evaluate = (text: string): string => compileExpression(text).evaluate(ctx);

function table(title: string, rows: Array<[string, string]>): void {
  describe(title, () => {
    for (const [expr, expected] of rows) {
      test(`${JSON.stringify(expr)} -> ${JSON.stringify(expected)}`, () => assert.equal(evaluate(expr), expected));
    }
  });
}

table('escaping with $$ (guide table)', [
  ['${abc}', 'xyz'],
  ['$${abc}', '${abc}'],
  ['$$${abc}', '$xyz'],
  ['$$$${abc}', '$${abc}'],
  ['$$$$${abc}', '$$xyz'],
  ['I owe you $5', 'I owe you $5'],
  ['You owe me $$5 too', 'You owe me $$5 too'],
  ["Unescaped $$${'5'} because no closing brace", 'Unescaped $five because no closing brace'],
  ["Unescaped $$${'missing'} attribute", 'Unescaped $ attribute'],
  ['Hello $${UserName}', 'Hello ${UserName}'],
  ['Hello $$User$$Name', 'Hello $$User$$Name'],
  ['$${abc', '$${abc'],
  ['{ ${abc} }', '{ xyz }'],
]);

table('structure', [
  ['prefix-${filename:substringBefore(".")}-suffix', 'prefix-a brand new filename-suffix'],
  ['${filename:toUpper():equals(\'A BRAND NEW FILENAME.TXT\')}', 'true'],
  ['${     filename   : equals(${    filename})  }', 'true'],
  ["${'my attribute'}", 'spaced'],
  ['${"my attribute"}', 'spaced'],
  ['${a.b-c}', 'dotted'],
  ["${'5'}", 'five'],
  ['${${nameRef}}', 'a brand new filename.txt'],
  ["${'${nameRef}'}", 'a brand new filename.txt'],
  ['${a:equals(${b})}', 'true'],
  ['${a:equals(${c})}', 'false'],
  ['${missing}', ''],
  ['[${missing}]', '[]'],
  ['${abc}${abc}', 'xyzxyz'],
  ['${filename:substringBefore(".txt"):substringAfterLast(" "):toUpper()}', 'FILENAME'],
  ["${literal('it\\'s')}", "it's"],
  ['${literal("say \\"hi\\"")}', 'say "hi"'],
  ["${literal('a\\tb\\nc')}", 'a\tb\nc'],
  ["${literal('C:\\\\dir')}", 'C:\\dir'],
  ["${literal('\\d+')}", '\\d+'],
  ["${literal('${abc}-${uuid}')}", 'xyz-1234'],
  ["${literal('$${abc}')}", '${abc}'],
  ["${literal('cost: ${')}", 'cost: ${'],
  ['${literal(true)}', 'true'],
  ['${literal(-42)}', '-42'],
  ['${literal(+7):plus(1)}', '8'],
  ['${uuid}', '1234'],
  ['plain text', 'plain text'],
  ['', ''],
]);

describe('compiled expression metadata', () => {
  test('isLiteral is true for text without expressions', () => {
    const e = compileExpression('just text $$ {x}');
    assert.equal(e.isLiteral, true);
    assert.equal(e.evaluate(ctx), 'just text $$ {x}');
  });
  test('isLiteral is true for escaped expressions, and evaluate() returns the unescaped text', () => {
    const e = compileExpression('cost $${abc}');
    assert.equal(e.isLiteral, true);
    assert.equal(e.evaluate(ctx), 'cost ${abc}');
  });
  test('isLiteral is false when an expression is present', () => assert.equal(compileExpression('${abc}').isLiteral, false));
  test('source is the original text', () => assert.equal(compileExpression('x${abc}').source, 'x${abc}'));
  test('referencedAttributes lists attribute names', () => {
    const e = compileExpression("${a:equals(${b})}-${'c'}-${allAttributes('d', 'e'):join(',')}");
    assert.deepEqual([...e.referencedAttributes].sort(), ['a', 'b', 'c', 'd', 'e']);
  });
  test('a compiled expression can be evaluated against many contexts', () => {
    const e = compileExpression('${filename:toUpper()}');
    for (const name of ['x', 'y', 'z']) {
      assert.equal(e.evaluate({ attribute: (n) => (n === 'filename' ? name : undefined), attributeNames: () => ['filename'] }), name.toUpperCase());
    }
  });
  test('compiled ${filename} evaluates in well under a microsecond', () => {
    const e = compileExpression('${filename}');
    const n = 200_000;
    let total = 0;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) total += e.evaluate(ctx).length;
    const ns = Number(process.hrtime.bigint() - start) / n;
    assert.ok(total > 0);
    assert.ok(ns < 1000, `took ${ns}ns per evaluation`);
  });
});

describe('containsExpression', () => {
  const rows: Array<[string, boolean]> = [
    ['${abc}', true],
    ['x ${abc} y', true],
    ['$${abc}', false],
    ['$$${abc}', true],
    ['no expression', false],
    ['$ {abc}', false],
    ['$$ ${a}', true],
  ];
  for (const [text, expected] of rows) test(`${JSON.stringify(text)} -> ${expected}`, () => assert.equal(containsExpression(text), expected));
});

describe('validateExpression', () => {
  test('valid text returns null', () => assert.equal(validateExpression('a ${b:toUpper()} c'), null));
  test('invalid text returns the message', () => assert.equal(validateExpression('${a'), "unclosed '${' at column 1"));
  test('unknown function is reported', () => assert.equal(validateExpression('${a:nope()}'), "unknown function 'nope' at column 5"));
});

describe('syntax errors', () => {
  const rows: Array<[string, RegExp, number]> = [
    ["${filename:substringBefore('.')", /^unclosed '\$\{' at column 1$/, 1],
    ['abc ${filename', /^unclosed '\$\{' at column 5$/, 5],
    ['${a:equals(${b)}', /^unexpected '\)', expected ':' or '}' at column 15$/, 15],
    ['${a:equals(${b}', /^unclosed '\$\{' at column 1$/, 1],
    ['${filename:foo()}', /^unknown function 'foo' at column 12$/, 12],
    ['${foo()}', /^unknown function 'foo' at column 3$/, 3],
    ['${filename:substring(1,2,3)}', /function 'substring' takes 1 or 2 arguments but was given 3 at column 12/, 12],
    ['${filename:toUpper(1)}', /function 'toUpper' takes no arguments but was given 1 at column 12/, 12],
    ['${filename:replace("a")}', /function 'replace' takes 2 arguments but was given 1/, 12],
    ['${filename:in()}', /function 'in' takes at least 1 argument/, 12],
    ["${filename:substringBefore('.)}", /^unclosed string literal at column 28$/, 28],
    ['${}', /empty expression/, 3],
    ['${1abc}', /must be quoted at column 3/, 3],
    ['${my attr}', /unexpected 'a', expected ':' or '}' at column 6/, 6],
    ['${filename:toUpper}', /expected '\(' after function name 'toUpper' at column 19/, 19],
    ['${filename:equals(abc)}', /unexpected 'abc' \(string arguments must be quoted\) at column 19/, 19],
    ['${filename:equals(,)}', /missing function argument at column 19/, 19],
    ['${filename:}', /expected a function name/, 12],
    ['${a:equals(${b:foo()})}', /unknown function 'foo' at column 16/, 16],
    ["${a:append('x${b:foo()}')}", /unknown function 'foo' at column 18/, 18],
    ['x\n${a:bar()}', /unknown function 'bar' at column 7/, 7],
    ['${filename:now()}', /function 'now' does not take a subject/, 12],
    ['${toUpper()}', /function 'toUpper' needs a subject/, 3],
    ['${now():toNumber():and(true)}', /cannot implicitly convert WHOLE_NUMBER to BOOLEAN/, 20],
    ['${literal(true):plus(1)}', /cannot implicitly convert BOOLEAN to NUMBER/, 17],
    ["${allAttributes('a', 'b')}", /must end with a boolean function or a reducing function/, 1],
    ["${anyAttribute('a'):toUpper()}", /must end with a boolean function/, 1],
    ["${anyAttribute('a'):count()}", /can only be used with allAttributes/, 21],
    ["${allAttributes('a'):count():plus(1)}", /cannot call function 'plus' on the result of 'count'/, 30],
    ['${allDelineatedValues("a")}', /takes 2 arguments/, 3],
    ['${allAttributes(5):count()}', /must be strings/, 17],
    ["${hostname('x')}", /boolean literal/, 3],
    ['${literal(99999999999999999999)}', /out of range/, 11],
    ['${a:equals("x"', /^unclosed '\$\{' at column 1$/, 1],
  ];
  for (const [text, message, column] of rows) {
    test(`${JSON.stringify(text)} -> ${message}`, () => {
      assert.throws(
        () => compileExpression(text),
        (e: unknown) => {
          assert.ok(e instanceof ExpressionSyntaxError, `expected ExpressionSyntaxError, got ${String(e)}`);
          assert.match(e.message, message);
          assert.equal(e.column, column);
          return true;
        },
      );
    });
  }
});

describe('evaluation errors never escape as other error types', () => {
  test('a throwing context is wrapped in ExpressionEvaluationError', () => {
    const e = compileExpression('${a:toUpper()}');
    const bad: EvaluationContext = {
      attribute: () => {
        throw new TypeError('boom');
      },
      attributeNames: () => [],
    };
    assert.throws(() => e.evaluate(bad), (err: unknown) => err instanceof ExpressionEvaluationError && /boom/.test(err.message));
  });
  test('an evaluation error does not poison later evaluations', () => {
    const e = compileExpression('${v:toNumber():plus(1)}');
    const with_ = (v: string): EvaluationContext => ({ attribute: (n) => (n === 'v' ? v : undefined), attributeNames: () => ['v'] });
    assert.throws(() => e.evaluate(with_('abc')), ExpressionEvaluationError);
    assert.equal(e.evaluate(with_('41')), '42');
  });
});

describe('substituteParameters', () => {
  const params: Record<string, string> = { host: 'example.org', 'my param': 'spaced', port: '8443' };
  const lookup = (name: string) => params[name];
  const rows: Array<[string, string]> = [
    ['https://#{host}:#{port}/', 'https://example.org:8443/'],
    ['#{my param}', 'spaced'],
    ['##{host}', '#{host}'],
    ['###{host}', '#example.org'],
    ['####{host}', '##{host}'],
    ['no params here', 'no params here'],
    ['#{not valid!}', '#{not valid!}'],
    ['#{unclosed', '#{unclosed'],
    ['${attr:equals(#{host})}', '${attr:equals(example.org)}'],
    ['# comment #{port}', '# comment 8443'],
  ];
  for (const [text, expected] of rows) test(`${JSON.stringify(text)} -> ${JSON.stringify(expected)}`, () => assert.equal(substituteParameters(text, lookup), expected));
  test('an unknown parameter throws an Error naming it', () => {
    assert.throws(() => substituteParameters('x #{nope} y', lookup), (e: unknown) => e instanceof Error && /'nope'/.test(e.message));
  });
});
