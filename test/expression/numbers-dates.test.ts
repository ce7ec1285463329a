// Arithmetic, type coercion, dates and subjectless functions.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileExpression, ExpressionEvaluationError, type EvaluationContext } from '../../server/expression/index.ts';

// Pin the default zone so Date#toString()-style output is deterministic (each test file runs in its own process).
process.env.TZ = 'UTC';

function ctxOf(attrs: Record<string, string>): EvaluationContext {
  return { attribute: (n) => attrs[n], attributeNames: () => Object.keys(attrs) };
}

const ctx = ctxOf({
  fileSize: '100',
  size1024: '1024',
  radix: '1234A',
  time: '1420058163264',
  timeText: '2014/12/31 15:36:03.264Z',
  year: '2014',
  date: '12-24-2014',
  filename: 'a brand new filename.txt',
  padded: ' 42 ',
  decimalText: '3.9',
  abc: 'abc',
  altDate: '2014/12/31 20:36:03',
  javaDate: 'Wed Dec 31 20:36:03 UTC 2014',
});

const evaluate = (text: string): string => compileExpression(text).evaluate(ctx);

function table(title: string, rows: Array<[string, string]>): void {
  describe(title, () => {
    for (const [expr, expected] of rows) {
      test(`${expr} -> ${JSON.stringify(expected)}`, () => assert.equal(evaluate(expr), expected));
    }
  });
}

table('whole-number arithmetic', [
  ['${fileSize:plus(1000)}', '1100'],
  ['${fileSize:minus(100)}', '0'],
  ['${fileSize:multiply(1024)}', '102400'],
  ['${fileSize:divide(12)}', '8'],
  ['${fileSize:mod(12)}', '4'],
  ['${literal(-7):divide(2)}', '-3'],
  ['${literal(-7):mod(3)}', '-1'],
  ['${literal(9223372036854775807):plus(1)}', '-9223372036854775808'],
  ['${filename:plus(1)}', ''],
  ['${fileSize:plus(${size1024})}', '1124'],
]);

table('decimal arithmetic and formatting', [
  ['${fileSize:divide(8.0)}', '12.5'],
  ['${fileSize:toDecimal():divide(3)}', '33.333333333333336'],
  ['${literal(1.1):plus(2.2)}', '3.3000000000000003'],
  ['${fileSize:toDecimal()}', '100.0'],
  ['${literal(.1E1)}', '1.0'],
  ['${literal(1.11E-12)}', '1.11E-12'],
  ['${literal(12345678.9)}', '1.23456789E7'],
  ['${literal(0.001)}', '0.001'],
  ['${literal(1.0):divide(0)}', 'Infinity'],
  ['${literal(2.5):multiply(2)}', '5.0'],
  ['${literal(-2.5):mod(2)}', '-0.5'],
]);

table('toNumber / toDecimal / radix / math', [
  ['${padded:toNumber()}', '42'],
  ['${decimalText:toNumber()}', '3'],
  ['${decimalText:toDecimal()}', '3.9'],
  ['${literal("0xF"):toNumber()}', '15'],
  ['${literal("0xF.Fp10"):toDecimal()}', '16320.0'],
  ['${missing:toNumber():isNull()}', 'true'],
  ['${fileSize:toNumber():toString()}', '100'],
  ['${size1024:toRadix(10)}', '1024'],
  ['${size1024:toRadix(10, 1)}', '1024'],
  ['${size1024:toRadix(10, 8)}', '00001024'],
  ['${size1024:toRadix(16)}', '400'],
  ['${size1024:toRadix(16, 8)}', '00000400'],
  ['${size1024:toRadix(2)}', '10000000000'],
  ['${size1024:toRadix(2, 16)}', '0000010000000000'],
  ['${radix:fromRadix(11)}', '17720'],
  ['${radix:fromRadix(16)}', '74570'],
  ['${radix:fromRadix(20)}', '177290'],
  ['${literal(2):toDecimal():math("pow", 3)}', '8.0'],
  ['${literal(-5):math("abs")}', '5'],
  ['${literal(64):toDecimal():math("cbrt"):toNumber():math("max", 5)}', '5'],
  ['${literal(2.5):math("round")}', '3'],
  ['${math("random"):lt(1)}', 'true'],
  ['${random():mod(10):plus(1):le(10)}', 'true'],
]);

table('format', [
  ['${time:format("yyyy/MM/dd HH:mm:ss.SSS\\\'Z\'", "GMT")}', '2014/12/31 20:36:03.264Z'],
  ['${time:format("yyyy/MM/dd HH:mm:ss.SSS\\\'Z\'", "America/Los_Angeles")}', '2014/12/31 12:36:03.264Z'],
  ['${time:format("yyyy/MM/dd HH:mm:ss.SSS\\\'Z\'", "Asia/Tokyo")}', '2015/01/01 05:36:03.264Z'],
  ['${time:format("yyyy/MM/dd", "GMT")}', '2014/12/31'],
  ['${time:format("HH:mm:ss.SSS\'Z\'", "GMT")}', '20:36:03.264Z'],
  ['${time:format("yyyy", "GMT")}', '2014'],
  ["${time:format('EEE, d MMM yyyy HH:mm:ss Z', 'GMT')}", 'Wed, 31 Dec 2014 20:36:03 +0000'],
  ["${time:format('EEEE MMMM dd yy hh:mm a', 'America/New_York')}", 'Wednesday December 31 14 03:36 PM'],
  ["${time:format('z zzzz', 'America/Los_Angeles')}", 'PST Pacific Standard Time'],
  ["${time:format(\"yyyy-MM-dd'T'HH:mm:ssXXX\", 'America/Los_Angeles')}", '2014-12-31T12:36:03-08:00'],
  ["${time:format(\"yyyy-MM-dd'T'HH:mm:ssX\", 'GMT')}", '2014-12-31T20:36:03Z'],
  ["${time:format('D w Y', 'GMT')}", '365 1 2015'],
  ["${time:format('h K k H', 'GMT')}", '8 8 20 20'],
  ["${time:format('yyyy-MM-dd HH:mm', 'GMT+05:30')}", '2015-01-01 02:06'],
  ["${time:format(\"'It''s' yyyy\", 'GMT')}", "It's 2014"],
  ["${time:format('HH:mm', 'No/Such_Zone')}", '20:36'],
  ["${time:format('yyyy-MM-dd')}", '2014-12-31'],
  ['${altDate:format("yyyy-MM-dd HH:mm")}', '2014-12-31 20:36'],
  ["${javaDate:format('yyyy-MM-dd HH:mm:ss.SSS', 'GMT')}", '2014-12-31 20:36:03.000'],
  ['${javaDate:toDate():isNull()}', 'true'],
]);

table('toDate and date arithmetic', [
  ["${year:toDate('yyyy', 'GMT'):toNumber()}", String(Date.UTC(2014, 0, 1))],
  ['${timeText:toDate("yyyy/MM/dd HH:mm:ss.SSS\'Z\'", "GMT"):toNumber()}', String(Date.UTC(2014, 11, 31, 15, 36, 3, 264))],
  ["${date:toDate('MM-dd-yyyy'):format('yyyy/MM/dd')}", '2014/12/24'],
  ["${date:toDate('MM-dd-yyyy', 'America/New_York'):toNumber()}", String(Date.UTC(2014, 11, 24, 5))],
  ["${literal('2014/13/01'):toDate('yyyy/MM/dd', 'GMT'):format('yyyy-MM-dd', 'GMT')}", '2015-01-01'],
  ["${literal('2014-12-31T12:36:03-08:00'):toDate(\"yyyy-MM-dd'T'HH:mm:ssXXX\"):toNumber()}", '1420058163000'],
  ["${literal('Dec 31, 2014 8:36 PM PST'):toDate('MMM dd, yyyy h:mm a z'):format('yyyy-MM-dd HH:mm', 'GMT')}", '2015-01-01 04:36'],
  ["${literal('20141231'):toDate('yyyyMMdd', 'GMT'):format('yyyy-MM-dd', 'GMT')}", '2014-12-31'],
  ["${literal('14-07-04'):toDate('yy-MM-dd', 'GMT'):format('yyyy', 'GMT')}", '2014'],
  ['${time:toDate()}', 'Wed Dec 31 20:36:03 UTC 2014'],
  ["${time:toDate():toNumber():plus(86400000):format('yyyy-MM-dd', 'GMT')}", '2015-01-01'],
  ["${time:plus(3600000):format('HH', 'GMT')}", '21'],
  ["${time:toDate():gt(1420058163263)}", 'true'],
  ["${time:toDate():equals(${time})}", 'true'],
]);

describe('now() and other subjectless functions', () => {
  test('${now():toNumber()} is the current epoch millis', () => {
    const before = Date.now();
    const v = Number(evaluate('${now():toNumber()}'));
    assert.ok(v >= before && v <= Date.now());
  });
  test("${now():format('yyyy')} is the current year", () => {
    assert.equal(evaluate("${now():format('yyyy')}"), String(new Date().getUTCFullYear()));
  });
  test('${now():toNumber():minus(86400000):format("E")} is yesterday', () => {
    const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
    assert.equal(evaluate('${now():toNumber():minus(86400000):format("E")}'), days[new Date(Date.now() - 86400000).getUTCDay()]);
  });
  test('${now()} prints like java.util.Date#toString()', () => {
    assert.match(evaluate('${now()}'), /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
  });
  test('${UUID()} and ${uuid()} return random UUIDs', () => {
    const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    const e = compileExpression('${UUID()}');
    const a = e.evaluate(ctx);
    assert.match(a, re);
    assert.notEqual(a, e.evaluate(ctx));
    assert.match(evaluate('${uuid()}'), re);
  });
  test('${nextInt()} is a one-up counter', () => {
    const e = compileExpression('${nextInt()}');
    const a = Number(e.evaluate(ctx));
    assert.equal(Number(e.evaluate(ctx)), a + 1);
  });
  test('${hostname()}, ${hostname(true)}, ${ip()} and ${thread()} are non-empty', () => {
    for (const expr of ['${hostname()}', '${hostname(true)}', '${hostname():toUpper()}', '${ip()}', '${thread()}']) {
      assert.ok(evaluate(expr).length > 0, expr);
    }
  });
  test('${literal(2):gt(1)}', () => assert.equal(evaluate('${literal(2):gt(1)}'), 'true'));
});

describe('number and date evaluation errors', () => {
  const cases: Array<[string, RegExp]> = [
    ['${abc:toNumber()}', /toNumber\(\): cannot convert 'abc'/],
    ['${abc:toDecimal()}', /toDecimal/],
    ['${fileSize:divide(0)}', /division by zero/],
    ['${fileSize:mod(0)}', /division by zero/],
    ["${time:format('yyyy-qq')}", /Illegal pattern character 'q'/],
    ["${time:format(\"'unterminated\")}", /Unterminated quote/],
    ["${abc:toDate('yyyy-MM-dd')}", /cannot parse attribute value as a date/],
    ["${abc:format('yyyy')}", /Could not implicitly convert input to DATE/],
    ["${radix:fromRadix(10)}", /not a valid base-10 number/],
    ['${size1024:toRadix(37)}', /radix/],
    ['${literal("99999999999999999999"):toNumber()}', /out of range/],
    ["${fileSize:math('nope')}", /unsupported method/],
  ];
  for (const [expr, message] of cases) {
    test(`${expr} throws ExpressionEvaluationError`, () => {
      const compiled = compileExpression(expr);
      assert.throws(() => compiled.evaluate(ctx), (e: unknown) => e instanceof ExpressionEvaluationError && message.test(e.message));
    });
  }
});
