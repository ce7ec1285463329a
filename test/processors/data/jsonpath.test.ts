// The JsonPath evaluator and JSON reader/writer behind EvaluateJsonPath and SplitJson (Jayway and
// Jackson semantics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileJsonPath, InvalidJsonPathError, PathNotFoundError } from '../../../processors/data/jsonpath.ts';
import { parseJson, toJson, toPrettyJson, quoteJson, JsonParseError, type JsonValue } from '../../../processors/data/json.ts';

const STORE = parseJson(`{ "store": {
  "book": [
    { "category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95 },
    { "category": "fiction", "author": "Evelyn Waugh", "title": "Sword of Honour", "price": 12.99 },
    { "category": "fiction", "author": "Herman Melville", "title": "Moby Dick", "isbn": "0-553-21311-3", "price": 8.99 },
    { "category": "fiction", "author": "J. R. R. Tolkien", "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99 }
  ],
  "bicycle": { "color": "red", "price": 19.95 }
}, "expensive": 10 }`);

const read = (path: string, doc: JsonValue = STORE): string => toJson(compileJsonPath(path).read(doc));
const titles = (path: string) => (compileJsonPath(path).read(STORE) as JsonValue[]).map((b) => (b as Map<string, JsonValue>).get('title'));

test('the examples of the Jayway README', () => {
  assert.equal(read('$.store.book[*].author'), '["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]');
  assert.equal(read('$..author'), '["Nigel Rees","Evelyn Waugh","Herman Melville","J. R. R. Tolkien"]');
  assert.equal(read('$.store..price'), '[8.95,12.99,8.99,22.99,19.95]');
  assert.deepEqual(titles('$..book[2]'), ['Moby Dick']);
  assert.deepEqual(titles('$..book[-2]'), ['Moby Dick']);
  assert.deepEqual(titles('$..book[0,1]'), ['Sayings of the Century', 'Sword of Honour']);
  assert.deepEqual(titles('$..book[:2]'), ['Sayings of the Century', 'Sword of Honour']);
  assert.deepEqual(titles('$..book[1:2]'), ['Sword of Honour']);
  assert.deepEqual(titles('$..book[-2:]'), ['Moby Dick', 'The Lord of the Rings']);
  assert.deepEqual(titles('$..book[2:]'), ['Moby Dick', 'The Lord of the Rings']);
  assert.deepEqual(titles('$..book[?(@.isbn)]'), ['Moby Dick', 'The Lord of the Rings']);
  assert.deepEqual(titles('$.store.book[?(@.price < 10)]'), ['Sayings of the Century', 'Moby Dick']);
  assert.deepEqual(titles("$..book[?(@.price <= $['expensive'])]"), ['Sayings of the Century', 'Moby Dick']);
  assert.deepEqual(titles('$..book[?(@.author =~ /.*REES/i)]'), ['Sayings of the Century']);
  assert.equal(read('$..book.length()'), '4');
  assert.equal(read('$.store.book.length()'), '4');
});

test('filters: logic, negation, in/nin, contains, size, empty, string/number equality', () => {
  assert.deepEqual(titles("$.store.book[?(@.category == 'fiction' && @.price > 10)]"), ['Sword of Honour', 'The Lord of the Rings']);
  assert.deepEqual(titles("$.store.book[?(@.price < 9 || @.price > 20)]"), ['Sayings of the Century', 'Moby Dick', 'The Lord of the Rings']);
  assert.deepEqual(titles('$.store.book[?(!@.isbn)]'), ['Sayings of the Century', 'Sword of Honour']);
  assert.deepEqual(titles("$.store.book[?(!(@.category == 'fiction'))]"), ['Sayings of the Century']);
  assert.deepEqual(titles("$.store.book[?(@.author in ['Nigel Rees', 'Herman Melville'])]"), ['Sayings of the Century', 'Moby Dick']);
  assert.deepEqual(titles("$.store.book[?(@.category nin ['fiction'])]"), ['Sayings of the Century']);
  assert.deepEqual(titles("$.store.book[?(@.title contains 'Dick')]"), ['Moby Dick']);
  assert.deepEqual(titles('$.store.book[?(@.isbn size 13)]'), ['Moby Dick', 'The Lord of the Rings']);
  assert.deepEqual(titles("$.store.book[?(@.price == '8.95')]"), ['Sayings of the Century'], 'numbers and strings compare loosely');
  assert.deepEqual(titles('$.store.book[?(@.price != 8.95)]').length, 3);
  assert.deepEqual(titles('$.store.book[?(@.missing != 1)]').length, 4, 'a missing value is not equal to anything');
  const doc = parseJson('{"a":[{"t":[]},{"t":[1]},{"t":"x"}], "n":[1,2,3]}');
  assert.equal(read('$.a[?(@.t empty true)]', doc), '[{"t":[]}]');
  assert.equal(read('$.a[?(@.t empty false)]', doc), '[{"t":[1]},{"t":"x"}]');
  assert.equal(read('$.n[?(@ > 1)]', doc), '[2,3]');
  assert.equal(read('$.a[?(@.t anyof [1, 5])]', doc), '[{"t":[1]}]');
});

test('definite paths that find nothing throw; indefinite ones return a list, except below definite tokens', () => {
  assert.throws(() => compileJsonPath('$.store.book[0].missing').read(STORE), PathNotFoundError);
  assert.throws(() => compileJsonPath('$.missing.x').read(STORE), PathNotFoundError);
  assert.throws(() => compileJsonPath('$.store.book[10]').read(STORE), PathNotFoundError);
  assert.throws(() => compileJsonPath('$.store.bicycle.color.x').read(STORE), PathNotFoundError);
  assert.throws(() => compileJsonPath('$.missing[*]').read(STORE), PathNotFoundError);
  assert.throws(() => compileJsonPath('$.store.bicycle[0]').read(STORE), PathNotFoundError);
  assert.equal(read('$.store.book[*].missing'), '[]');
  assert.equal(read('$..missing'), '[]');
  assert.equal(read('$.store.book[?(@.price > 100)]'), '[]');
});

test('bracket notation, several properties, wildcards, functions', () => {
  assert.equal(read("$['store']['bicycle']['color']"), '"red"');
  assert.equal(read('$["store"].bicycle'), '{"color":"red","price":19.95}');
  assert.equal(read("$.store.bicycle['color','price']"), '{"color":"red","price":19.95}');
  assert.equal(read("$.store.bicycle['color','nope']"), '{"color":"red"}');
  assert.equal(read('$.store.bicycle.*'), '["red",19.95]');
  assert.equal(read('$.store.book[*].price.length()'), '[null,null,null,null]');
  assert.equal(read('$..price.max()'), '22.99');
  assert.equal(read('$..price.min()'), '8.95');
  assert.equal(compileJsonPath('$.store.bicycle.keys()').read(STORE), '[color, price]');
  assert.equal(read('$.store.book.first().author'.replace('.author', '')).includes('Nigel Rees'), true);
  assert.equal(read("$['a.b']", parseJson('{"a.b":1}')), '1');
  assert.equal(read("$['it\\'s']", parseJson('{"it\'s":2}')), '2');
  assert.equal(read('store.bicycle.color'), '"red"', 'a missing $. is added');
});

test('slices follow Jayway, including negative starts', () => {
  const doc = parseJson('[0,1,2,3,4]');
  assert.equal(read('$[1:3]', doc), '[1,2]');
  assert.equal(read('$[:-2]', doc), '[0,1,2]');
  assert.equal(read('$[-2:]', doc), '[3,4]');
  assert.equal(read('$[3:10]', doc), '[3,4]');
  assert.equal(read('$[-2:2]', doc), '[3,4,0,1]');
  assert.equal(read('$[3:1]', doc), '[]');
});

test('invalid paths', () => {
  for (const bad of ['', '$.', '$..', '$[', "$['a'", '$.a b', '$[?(@.a == )]', '$[1:2:3]', '$.a.nofunc()', "$[?(@.a foo 'b')]", '$x']) {
    assert.throws(() => compileJsonPath(bad), InvalidJsonPathError, JSON.stringify(bad));
  }
});

test('filters on a scalar under definite tokens are an evaluation error', () => {
  assert.throws(() => compileJsonPath('$.expensive[?(@ > 1)]').read(STORE), InvalidJsonPathError);
});

test('JSON reading: Jackson defaults', () => {
  for (const bad of ['', ' ', '{', '[1,]', '{"a":1,}', '01', '1.', '.5', '+1', 'NaN', "{'a':1}", '{a:1}', '"\t"', '"\\x"', '[1 2]', 'tru', 'truex', '123abc', '1.5.2']) {
    assert.throws(() => parseJson(bad), JsonParseError, JSON.stringify(bad));
  }
  assert.equal(toJson(parseJson('{"a":1} {"b":2}')), '{"a":1}', 'content after the first value is ignored');
  assert.equal(toJson(parseJson(' [1, -0, 1.0, 1e2, 1.5E-7, 12345678901234567890123, 0.1] ')), '[1,0,1.0,100.0,1.5E-7,12345678901234567890123,0.1]');
  assert.equal(toJson(parseJson('{"b":1,"2":2,"a":3,"b":4}')), '{"b":4,"2":2,"a":3}', 'key order kept, a repeated key keeps its place');
  assert.equal(toJson(parseJson('"\\u00e9\\n\\/"')), '"é\\n/"');
  let deep = '';
  for (let i = 0; i < 1001; i++) deep += '[';
  assert.throws(() => parseJson(deep), /nesting depth/);
  assert.throws(() => parseJson('"abcdef"', { maxStringLength: 3 }), /exceeds the maximum/);
});

test('JSON writing: Jackson escapes and pretty printer', () => {
  assert.equal(quoteJson('a"b\\c\n\u0001\u001f/é'), '"a\\"b\\\\c\\n\\u0001\\u001F/é"');
  assert.equal(toPrettyJson(parseJson('{"a":[1,{"b":2},[]],"c":{},"d":"x"}')), '{\n  "a" : [ 1, {\n    "b" : 2\n  }, [ ] ],\n  "c" : { },\n  "d" : "x"\n}');
  assert.equal(toPrettyJson(parseJson('[]')), '[ ]');
});
