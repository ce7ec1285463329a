// Boolean logic, searching, regex translation and multi-attribute functions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileExpression, ExpressionEvaluationError, type EvaluationContext } from '../../server/expression/index.ts';

function ctxOf(attrs: Record<string, string>): EvaluationContext {
  return { attribute: (n) => attrs[n], attributeNames: () => Object.keys(attrs) };
}

const ctx = ctxOf({
  filename: 'a brand new filename.txt',
  fileSize: '100',
  bool: 'true',
  blank: ' \t ',
  empty: '',
  myEnum: 'JOHN',
  upper: 'A BRAND NEW FILENAME.TXT',
  multiline: 'first\nsecond',
});

// The multi-attribute examples of the guide use a different set of attributes.
const multiCtx = ctxOf({
  abc: 'hello world',
  xyz: 'good bye world',
  filename: 'file.txt',
  number_list: '1,2,3,4,5',
  word_list: 'those,known,or,not',
});

function table(title: string, rows: Array<[string, string]>, context: EvaluationContext = ctx): void {
  describe(title, () => {
    for (const [expr, expected] of rows) {
      test(`${expr} -> ${JSON.stringify(expected)}`, () => assert.equal(compileExpression(expr).evaluate(context), expected));
    }
  });
}

table('isNull / notNull / isEmpty', [
  ['${filename:isNull()}', 'false'],
  ['${hello:isNull()}', 'true'],
  ['${filename:notNull()}', 'true'],
  ['${hello:notNull()}', 'false'],
  ['${filename:isEmpty()}', 'false'],
  ['${hello:isEmpty()}', 'true'],
  ['${blank:isEmpty()}', 'true'],
  ['${literal(" "):isEmpty()}', 'true'],
  ['${literal(""):isEmpty()}', 'true'],
]);

table('equals / equalsIgnoreCase', [
  ["${filename:equals('a brand new filename.txt')}", 'true'],
  ["${filename:equals('hello.txt')}", 'false'],
  ['${filename:equals( ${filename} )}', 'true'],
  ['${fileSize:equals(100)}', 'true'],
  ['${fileSize:toNumber():equals(100)}', 'true'],
  ['${literal(1.0):equals(1)}', 'false'],
  ["${hello:equals('')}", 'false'],
  ["${filename:equalsIgnoreCase('A Brand New FILENAME.txt')}", 'true'],
  ['${upper:equalsIgnoreCase(${filename})}', 'true'],
  ["${filename:equalsIgnoreCase('hello.txt')}", 'false'],
]);

table('gt / ge / lt / le', [
  ['${fileSize:gt( 1024 )}', 'false'],
  ['${fileSize:gt( 99 )}', 'true'],
  ['${fileSize:ge( 100 )}', 'true'],
  ['${fileSize:lt( 1048576 )}', 'true'],
  ['${fileSize:le( 100 )}', 'true'],
  ['${fileSize:le( 99.5 )}', 'false'],
  ['${literal(2.5):gt(2)}', 'true'],
  ['${filename:gt(1)}', 'false'],
  ['${hello:lt(1)}', 'false'],
]);

table('and / or / not / ifElse', [
  ['${filename:toLower():equals( ${filename} ):and(\n\t${filename:length():ge(5)}\n)}', 'true'],
  ['${filename:toLower():equals( ${filename} ):or(\n\t${filename:length():equals(5)}\n)}', 'true'],
  ["${filename:equals('hello.txt'):or( ${fileSize:equals('7')} )}", 'false'],
  ["${filename:equals('hello.txt'):and( ${hello:isNull()} )}", 'false'],
  ["${filename:equals('hello.txt'):not()}", 'true'],
  ['${bool:not()}', 'false'],
  ['${literal(true):not()}', 'false'],
  ["${bool:ifElse('a','b')}", 'a'],
  ["${literal(true):ifElse('a','b')}", 'a'],
  ["${nullFilename:isNull():ifElse('file does not exist', 'located file')}", 'file does not exist'],
  ["${nullFilename:ifElse('found', 'not_found')}", 'not_found'],
  ["${filename:ifElse('found', 'not_found')}", 'not_found'],
  ["${filename:isNull():not():ifElse('found', 'not_found')}", 'found'],
  ['${fileSize:gt(50):ifElse(${filename:toUpper()}, 0)}', 'A BRAND NEW FILENAME.TXT'],
]);

table('startsWith / endsWith / contains / in', [
  ["${filename:startsWith('a brand')}", 'true'],
  ["${filename:startsWith('A BRAND')}", 'false'],
  ["${filename:toUpper():startsWith('A BRAND')}", 'true'],
  ["${filename:endsWith('txt')}", 'true'],
  ["${filename:endsWith('TXT')}", 'false'],
  ["${filename:toUpper():endsWith('TXT')}", 'true'],
  ["${filename:contains('new')}", 'true'],
  ["${filename:contains('NEW')}", 'false'],
  ["${filename:toUpper():contains('NEW')}", 'true'],
  ['${myEnum:in("PAUL", "JOHN", "MIKE")}', 'true'],
  ['${myEnum:in("RED", "GREEN", "BLUE")}', 'false'],
  ["${hello:in('')}", 'false'],
]);

table('find / matches', [
  ["${filename:find('a [Bb]rand [Nn]ew')}", 'true'],
  ["${filename:find('Brand.*')}", 'false'],
  ["${filename:find('brand')}", 'true'],
  ["${filename:matches('a.*txt')}", 'true'],
  ["${filename:matches('brand')}", 'false'],
  ["${filename:matches('.+brand.+')}", 'true'],
]);

table('Java regex translation', [
  ["${filename:matches('(?i)A BRAND.*')}", 'true'],
  ["${filename:matches('(?i)(?s)a brand.*TXT')}", 'true'],
  ["${filename:find('\\Aa brand')}", 'true'],
  ["${filename:find('\\Abrand')}", 'false'],
  ["${filename:find('txt\\z')}", 'true'],
  ["${filename:find('txt\\Z')}", 'true'],
  ["${literal('a.b'):replaceAll('\\Q.\\E', '-')}", 'a-b'],
  ["${literal('abc'):matches('\\p{Alpha}+')}", 'true'],
  ["${literal('abc1'):matches('\\p{Alpha}+')}", 'false'],
  ["${literal('ab12'):matches('[\\p{Lower}\\p{Digit}]+')}", 'true'],
  ["${literal('\u00dcn\u00efc\u00f6d\u00e9'):matches('\\p{L}+')}", 'true'],
  ["${literal('\u00dcn\u00efc\u00f6d\u00e9'):matches('\\p{IsLatin}+')}", 'true'],
  ["${literal('abc\\n'):find('c$')}", 'true'],
  ["${multiline:find('(?m)^second$')}", 'true'],
  ["${multiline:find('^second')}", 'false'],
  ["${literal(']'):matches('[]a]')}", 'true'],
  ["${literal('a}'):matches('a}')}", 'true'],
  ["${literal('x y'):matches('x\\sy')}", 'true'],
  ["${literal('a\u00a0b'):matches('a\\hb')}", 'true'],
  ["${literal('aa'):matches('(a)\\1')}", 'true'],
  ["${literal('2024'):matches('\\d{2,}')}", 'true'],
  ["${literal('a-b'):matches('a\\-b')}", 'true'],
  ["${literal('tab\there'):find('\\x09')}", 'true'],
  ["${literal('ABC'):matches('(?x) a b c # comment')}", 'false'],
  ["${literal('abc'):matches('(?x) a b c # comment')}", 'true'],
]);

table(
  'anyAttribute / allAttributes / any|allMatchingAttribute(s)',
  [
    ['${anyAttribute("abc", "xyz"):contains("bye")}', 'true'],
    ['${anyAttribute("filename","xyz"):toUpper():contains("e")}', 'false'],
    ['${allAttributes("abc", "xyz"):contains("world")}', 'true'],
    ['${allAttributes("abc", "filename","xyz"):toUpper():contains("e")}', 'false'],
    ['${anyMatchingAttribute("[ax].*"):contains(\'bye\')}', 'true'],
    ['${anyMatchingAttribute(".*"):isNull()}', 'false'],
    ['${allMatchingAttributes("[ax].*"):contains("world")}', 'true'],
    ['${allMatchingAttributes(".*"):isNull()}', 'false'],
    ['${allMatchingAttributes("f.*"):count()}', '1'],
    ['${allAttributes("abc", "non-existent-attr", "xyz"):count()}', '2'],
    ['${allMatchingAttributes("[ax].*"):substringBefore(" "):count()}', '2'],
    ['${allMatchingAttributes(".*"):length():gt(10):count()}', '3'],
    ['${allMatchingAttributes("[ax].*"):substringBefore(" "):join("-")}', 'hello-good'],
    ['${allAttributes("abc", "xyz"):join(" now")}', 'hello world nowgood bye world'],
    ["${literal( ${allMatchingAttributes('a.*'):count()} ):gt(3)}", 'false'],
  ],
  multiCtx,
);

table(
  'anyDelineatedValue / allDelineatedValues',
  [
    ['${anyDelineatedValue("${number_list}", ","):contains("5")}', 'true'],
    ['${anyDelineatedValue("this that and", ","):equals("${word_list}")}', 'false'],
    ['${allDelineatedValues("${word_list}", ","):contains("o")}', 'true'],
    ['${allDelineatedValues("${number_list}", ","):count()}', '5'],
    ['${allDelineatedValues(${number_list}, ","):count()}', '5'],
    ['${allDelineatedValues("${number_list}", ","):matches("[0-9]+")}', 'true'],
    ['${allDelineatedValues("${word_list}", ","):matches(\'e\')}', 'false'],
    ['${allDelineatedValues("${number_list}", ","):plus(1):join("|")}', '2|3|4|5|6'],
  ],
  multiCtx,
);

// Java constructs the shared translator (server/regex) handles: possessive, atomic, scoped flags, intersections.
table('Java regex constructs', [
  ["${literal('aaa'):matches('a++')}", 'true'],
  ["${literal('aaa'):matches('(?>a+)a')}", 'false'],
  ["${literal('aB'):matches('a(?i)b')}", 'true'],
  ["${literal('c'):matches('[a-z&&[^b]]')}", 'true'],
  ["${literal('b'):matches('[a-z&&[^b]]')}", 'false'],
  ["${literal('aaab'):replaceAll('(?>a+)(b)', '<$1>')}", '<b>'],
]);

describe('logic evaluation errors', () => {
  const cases: Array<[string, RegExp]> = [
    ["${filename:matches('[')}", /invalid regular expression/],
    ["${filename:replaceAll('(', 'x')}", /invalid regular expression/],
    ["${filename:find('\\p{InGreek}')}", /block/],
    ["${filename:replaceAll('(a)', '$2')}", /no group 2/],
    ["${filename:replaceAll('a', '$')}", /group reference/],
    ['${anyMatchingAttribute("("):isNull()}', /invalid regular expression/],
  ];
  for (const [expr, message] of cases) {
    test(`${expr} throws ExpressionEvaluationError`, () => {
      const compiled = compileExpression(expr);
      assert.throws(() => compiled.evaluate(ctx), (e: unknown) => e instanceof ExpressionEvaluationError && message.test(e.message));
    });
  }
});
