// String manipulation, encoding and JSON functions - examples from the NiFi Expression Language Guide.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileExpression, ExpressionEvaluationError, type EvaluationContext } from '../../server/expression/index.ts';

const MY_JSON = JSON.stringify({
  firstName: 'John',
  lastName: 'Smith',
  isAlive: true,
  age: 25,
  address: { streetAddress: '21 2nd Street', city: 'New York', state: 'NY', postalCode: '10021-3100' },
  phoneNumbers: [
    { type: 'home', number: '212 555-1234' },
    { type: 'office', number: '646 555-4567' },
  ],
  children: [],
  spouse: null,
});

const ATTRS: Record<string, string> = {
  filename: 'a brand new filename.txt',
  attr: '     1 2 3     ',
  blank: '  ',
  line: '"Jacobson, John", 32, Mr.',
  altLine: 'Jacobson, John|32|Mr.',
  message: 'He didn\'t say, "Stop!"',
  xmlMessage: '"bread" & "butter"',
  csvMessage: 'But finally, she left',
  greetings: 'hello',
  str: 'abc',
  url: 'https://nifi.apache.org/some value with spaces',
  encodedUrl: 'https://nifi.apache.org/some%20value%20with%20spaces',
  payload: 'admin:admin',
  encodedPayload: 'YWRtaW46YWRtaW4=',
  myJson: MY_JSON,
  template: 'Hello ${str:toUpper()}!',
};

function ctxOf(attrs: Record<string, string>): EvaluationContext {
  return { attribute: (n) => attrs[n], attributeNames: () => Object.keys(attrs) };
}

const ctx = ctxOf(ATTRS);
const evaluate = (text: string): string => compileExpression(text).evaluate(ctx);

function table(title: string, rows: Array<[string, string]>): void {
  describe(title, () => {
    for (const [expr, expected] of rows) {
      test(`${expr} -> ${JSON.stringify(expected)}`, () => assert.equal(evaluate(expr), expected));
    }
  });
}

table('toUpper / toLower / trim / toString / length', [
  ['${filename:toUpper()}', 'A BRAND NEW FILENAME.TXT'],
  ['${literal("ABC123.TXT"):toLower()}', 'abc123.txt'],
  ['${attr:trim()}', '1 2 3'],
  ['${filename:length()}', '24'],
  ['${hello:length()}', '0'],
  ['${literal(42):toString():append("!")}', '42!'],
]);

table('substring', [
  ['${filename:substring(0,1)}', 'a'],
  ['${filename:substring(2)}', 'brand new filename.txt'],
  ['${filename:substring(12)}', 'filename.txt'],
  ['${filename:substring( ${filename:length():minus(2)} )}', 'xt'],
]);

table('substringBefore / substringBeforeLast', [
  ["${filename:substringBefore('.')}", 'a brand new filename'],
  ["${filename:substringBefore(' ')}", 'a'],
  ["${filename:substringBefore(' n')}", 'a brand'],
  ["${filename:substringBefore('missing')}", 'a brand new filename.txt'],
  ["${filename:substringBeforeLast('.')}", 'a brand new filename'],
  ["${filename:substringBeforeLast(' ')}", 'a brand new'],
  ["${filename:substringBeforeLast(' n')}", 'a brand'],
  ["${filename:substringBeforeLast('missing')}", 'a brand new filename.txt'],
]);

table('substringAfter / substringAfterLast', [
  ["${filename:substringAfter('.')}", 'txt'],
  ["${filename:substringAfter(' ')}", 'brand new filename.txt'],
  ["${filename:substringAfter(' n')}", 'ew filename.txt'],
  ["${filename:substringAfter('missing')}", 'a brand new filename.txt'],
  ["${filename:substringAfterLast('.')}", 'txt'],
  ["${filename:substringAfterLast(' ')}", 'filename.txt'],
  ["${filename:substringAfterLast(' n')}", 'ew filename.txt'],
  ["${filename:substringAfterLast('missing')}", 'a brand new filename.txt'],
]);

table('getDelimitedField', [
  ['${line:getDelimitedField(2)}', ' 32'],
  ['${line:getDelimitedField(2):trim()}', '32'],
  ['${line:getDelimitedField(1)}', '"Jacobson, John"'],
  ["${line:getDelimitedField(1, ',', '\"', '\\\\', true)}", 'Jacobson, John'],
  ["${altLine:getDelimitedField(1, '|')}", 'Jacobson, John'],
  ["${altLine:getDelimitedField(3, '|')}", 'Mr.'],
  ["${altLine:getDelimitedField(4, '|')}", ''],
]);

table('append / prepend', [
  ["${filename:append('.gz')}", 'a brand new filename.txt.gz'],
  ["${literal('filename.txt'):prepend('a brand new ')}", 'a brand new filename.txt'],
  ["${hello:append('x')}", 'x'],
]);

table('replace / replaceFirst / replaceAll', [
  ["${filename:replace('.', '_')}", 'a brand new filename_txt'],
  ["${filename:replace(' ', '.')}", 'a.brand.new.filename.txt'],
  ["${filename:replace('XYZ', 'ZZZ')}", 'a brand new filename.txt'],
  ["${filename:replace('filename', 'book')}", 'a brand new book.txt'],
  ["${filename:replaceFirst('a', 'the')}", 'the brand new filename.txt'],
  ["${filename:replaceFirst('[br]', 'g')}", 'a grand new filename.txt'],
  ["${filename:replaceFirst('XYZ', 'ZZZ')}", 'a brand new filename.txt'],
  ["${filename:replaceFirst('\\w{8}', 'book')}", 'a brand new book.txt'],
  ["${filename:replaceAll('\\..*', '')}", 'a brand new filename'],
  ["${filename:replaceAll('a brand (new)', '$1')}", 'new filename.txt'],
  ["${filename:replaceAll('XYZ', 'ZZZ')}", 'a brand new filename.txt'],
  ["${filename:replaceAll('brand (new)', 'somewhat $1')}", 'a somewhat new filename.txt'],
  ["${literal('a$b'):replace('$', 'S')}", 'aSb'],
  ["${literal('2024-01-15'):replaceAll('(?<y>\\d{4})-(\\d{2})-(\\d{2})', '$${y}/$2')}", '2024/01'],
  ["${literal('a.b'):replaceAll('\\.', '\\\\$')}", 'a$b'],
]);

table('replaceNull / replaceEmpty', [
  ["${filename:replaceNull('abc')}", 'a brand new filename.txt'],
  ["${hello:replaceNull('abc')}", 'abc'],
  ["${filename:replaceEmpty('abc')}", 'a brand new filename.txt'],
  ["${blank:replaceEmpty('abc')}", 'abc'],
  ["${hello:replaceEmpty('abc')}", 'abc'],
]);

table('padLeft / padRight / repeat', [
  ['${greetings:padLeft(10)}', '_____hello'],
  ["${greetings:padLeft(10, '@')}", '@@@@@hello'],
  ["${greetings:padLeft(10, 'xy')}", 'xyxyxhello'],
  ["${greetings:padLeft(10, 'aVeryLongPaddingString')}", 'aVeryhello'],
  ['${greetings:padRight(10)}', 'hello_____'],
  ["${greetings:padRight(10, '@')}", 'hello@@@@@'],
  ["${greetings:padRight(10, 'xy')}", 'helloxyxyx'],
  ['${greetings:padRight(3)}', 'hello'],
  ['${str:repeat(1)}', 'abc'],
  ['${str:repeat(2)}', 'abcabc'],
]);

test('repeat with a range picks a count between min and max', () => {
  const e = compileExpression('${str:repeat(1,3)}');
  for (let i = 0; i < 20; i++) assert.ok(['abc', 'abcabc', 'abcabcabc'].includes(e.evaluate(ctx)));
});

table('indexOf / lastIndexOf', [
  ["${filename:indexOf('a.*txt')}", '-1'],
  ["${filename:indexOf('.')}", '20'],
  ["${filename:indexOf('a')}", '0'],
  ["${filename:indexOf(' ')}", '1'],
  ["${filename:lastIndexOf('a.*txt')}", '-1'],
  ["${filename:lastIndexOf('.')}", '20'],
  ["${filename:lastIndexOf('a')}", '17'],
  ["${filename:lastIndexOf(' ')}", '11'],
]);

table('encode / decode', [
  ['${message:escapeJson()}', 'He didn\'t say, \\"Stop!\\"'],
  ["${literal('He didn\\'t say, \\\\\"Stop!\\\\\"'):unescapeJson()}", 'He didn\'t say, "Stop!"'],
  ["${literal('caf\u00e9\t/'):escapeJson()}", 'caf\\u00E9\\t\\/'],
  ['${xmlMessage:escapeXml()}', '&quot;bread&quot; &amp; &quot;butter&quot;'],
  ["${literal('&quot;bread&quot; &amp; &quot;butter&quot;'):unescapeXml()}", '"bread" & "butter"'],
  ['${csvMessage:escapeCsv()}', '"But finally, she left"'],
  ['${literal(\'"But finally, she left"\'):unescapeCsv()}', 'But finally, she left'],
  ['${xmlMessage:escapeHtml3()}', '&quot;bread&quot; &amp; &quot;butter&quot;'],
  ['${xmlMessage:escapeHtml4()}', '&quot;bread&quot; &amp; &quot;butter&quot;'],
  ["${literal('caf\u00e9 \u20ac'):escapeHtml4()}", 'caf&eacute; &euro;'],
  ["${literal('caf\u00e9 \u20ac'):escapeHtml3()}", 'caf&eacute; \u20ac'],
  ["${literal('&lt;p&gt; &eacute;&#233;&#xE9; &alpha;'):unescapeHtml4()}", '<p> \u00e9\u00e9\u00e9 \u03b1'],
  ["${literal('&quot;bread&quot; &amp; &quot;butter&quot;'):unescapeHtml3()}", '"bread" & "butter"'],
  ['${url:urlEncode()}', 'https%3A%2F%2Fnifi.apache.org%2Fsome+value+with+spaces'],
  ['${encodedUrl:urlDecode()}', 'https://nifi.apache.org/some value with spaces'],
  ["${literal('a+b%C3%A9'):urlDecode()}", 'a b\u00e9'],
  ['${payload:base64Encode()}', 'YWRtaW46YWRtaW4='],
  ['${encodedPayload:base64Decode()}', 'admin:admin'],
  ["${literal('hello'):hash('SHA-256')}", '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824'],
  ["${literal('hello'):hash('MD5')}", '5d41402abc4b2a76b9719d911017c592'],
]);

table('jsonPath', [
  ["${myJson:jsonPath('$.firstName')}", 'John'],
  ["${myJson:jsonPath('$.address.postalCode')}", '10021-3100'],
  ['${myJson:jsonPath(\'$.phoneNumbers[?(@.type=="home")].number\')}', '212 555-1234'],
  ["${myJson:jsonPath('$.phoneNumbers')}", '[{"type":"home","number":"212 555-1234"},{"type":"office","number":"646 555-4567"}]'],
  ["${myJson:jsonPath('$.missing-path')}", ''],
  ["${myJson:jsonPath('$.age')}", '25'],
  ["${myJson:jsonPath('$.isAlive')}", 'true'],
  ["${myJson:jsonPath('$.spouse')}", ''],
  ["${myJson:jsonPath('$.children')}", '[]'],
  ["${myJson:jsonPath('$..number')}", '["212 555-1234","646 555-4567"]'],
  ["${myJson:jsonPath('$.phoneNumbers[-1].type')}", 'office'],
  ["${myJson:jsonPath('$.phoneNumbers[*].type')}", '["home","office"]'],
  ["${myJson:jsonPath('$.phoneNumbers.length()')}", '2'],
  ["${myJson:jsonPath(\"$['address']['city']\")}", 'New York'],
  ["${literal('{\"a\":{\"b\":[1,2,3]}}'):jsonPath('$.a.b[0:2]')}", '[1,2]'],
  ["${literal('{\"a\":1,\"b\":2}'):jsonPathDelete('$.a')}", '{"b":2}'],
  ["${literal('{\"a\":1}'):jsonPathSet('$.a', 'x')}", '{"a":"x"}'],
  ["${literal('{\"a\":[1]}'):jsonPathAdd('$.a', 2)}", '{"a":[1,2]}'],
  ["${literal('{\"a\":{}}'):jsonPathPut('$.a', 'k', true)}", '{"a":{"k":true}}'],
  ['${myJson:isJson()}', 'true'],
  ['${filename:isJson()}', 'false'],
]);

table('evaluateELString', [
  ['${template:evaluateELString()}', 'Hello ABC!'],
  ['${str:evaluateELString()}', 'abc'],
]);

describe('string evaluation errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['${filename:substring(30)}', /substring/],
    ['${filename:substring(5, 2)}', /out of range/],
    ["${literal('not base64!'):base64Decode()}", /base64/i],
    ["${literal('%zz'):urlDecode()}", /URLDecoder/],
    ["${filename:jsonPath('$.a')}", /invalid JSON/],
    ["${myJson:jsonPath('$.bad-json-path..')}", /Invalid JSON Path/],
    ["${filename:hash('MD2')}", /unsupported algorithm/],
    ['${str:repeat(0)}', /repeat/],
    ["${altLine:getDelimitedField(1, '||')}", /single character/],
  ];
  for (const [expr, message] of cases) {
    test(`${expr} throws ExpressionEvaluationError`, () => {
      const compiled = compileExpression(expr);
      assert.throws(() => compiled.evaluate(ctx), (e: unknown) => e instanceof ExpressionEvaluationError && message.test(e.message));
    });
  }
});
