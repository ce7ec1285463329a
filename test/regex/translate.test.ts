// Java → JS regex translation: each construct NiFi users write, checked against
// the result java.util.regex gives for the same pattern and input.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  type JavaRegexFlags,
  JavaRegexSyntaxError,
  UnsupportedRegexError,
  compileJavaRegex,
  translateJavaRegex,
} from '../../server/regex/index.ts';

/** Java Matcher.find(): groups of the first match (remapped to Java numbering), or null. */
function find(pattern: string, input: string, flags: JavaRegexFlags = {}): (string | undefined)[] | null {
  const t = translateJavaRegex(pattern, flags);
  const m = new RegExp(t.source, t.flags).exec(input);
  if (!m) return null;
  return t.jsGroupIndex.map((j) => m[j]);
}
const found = (pattern: string, input: string, flags?: JavaRegexFlags): boolean => find(pattern, input, flags) !== null;
/** Java Matcher.matches(). */
function matches(pattern: string, input: string, flags: JavaRegexFlags = {}): boolean {
  const t = translateJavaRegex(pattern, flags);
  return new RegExp(`^(?:${t.source})$`, t.flags).test(input);
}
function findAll(pattern: string, input: string, flags: JavaRegexFlags = {}): number[] {
  const re = compileJavaRegex(pattern, flags, 'g');
  return [...input.matchAll(re)].map((m) => m.index!);
}
function unsupported(pattern: string, construct: string | RegExp, flags?: JavaRegexFlags): void {
  assert.throws(
    () => translateJavaRegex(pattern, flags),
    (e: unknown) => {
      assert.ok(e instanceof UnsupportedRegexError, `expected UnsupportedRegexError, got ${String(e)}`);
      if (typeof construct === 'string') assert.equal(e.construct, construct);
      else assert.match(e.construct, construct);
      assert.match(e.message, /unsupported regex construct '.+' at index \d+/);
      return true;
    },
  );
}
function syntaxError(pattern: string, message: RegExp): void {
  assert.throws(
    () => translateJavaRegex(pattern),
    (e: unknown) => e instanceof JavaRegexSyntaxError && e instanceof SyntaxError && message.test(e.message),
  );
}

describe('inline and API flags', () => {
  it('(?s) DOTALL', () => {
    assert.ok(found('(?s)a.b', 'a\nb'));
    assert.ok(!found('a.b', 'a\nb'));
    assert.ok(found('a.b', 'a\nb', { dotall: true }));
  });
  it('(?i) is ASCII-only unless UNICODE_CASE', () => {
    assert.ok(found('(?i)abc', 'xABCx'));
    assert.ok(!found('(?i)é', 'É'));
    assert.ok(found('(?iu)é', 'É'));
    assert.ok(found('é', 'É', { caseInsensitive: true, unicodeCase: true }));
    // Java's ASCII case folding does not make k match KELVIN SIGN (JS /iu would)
    assert.ok(!found('(?i)k', '\u212a'));
    assert.ok(found('(?iu)k', '\u212a'));
  });
  it('(?m) MULTILINE', () => {
    assert.deepEqual(find('(?m)^b$', 'a\nb\nc'), ['b']);
    assert.ok(!found('^b$', 'a\nb\nc'));
    assert.deepEqual(find('^b$', 'a\nb\nc', { multiline: true }), ['b']);
  });
  it('combined leading flags (?is), (?ms)', () => {
    assert.ok(found('(?is)a.B', 'A\nb'));
    assert.deepEqual(find('(?ms)^a.b$', 'x\na\nb\ny'), ['a\nb']);
  });
  it('mid-pattern flags apply to the rest of the enclosing group', () => {
    assert.ok(found('a(?i)b', 'aB'));
    assert.ok(!found('a(?i)b', 'AB'));
    assert.ok(found('(?:(?i)a)b', 'Ab'));
    assert.ok(!found('(?:(?i)a)b', 'AB'));
    assert.ok(found('(?i)a(?-i)b', 'Ab'));
    assert.ok(!found('(?i)a(?-i)b', 'AB'));
  });
  it('scoped (?i:...) groups are expanded to case classes', () => {
    assert.ok(found('(?i:ab)c', 'ABc'));
    assert.ok(!found('(?i:ab)c', 'ABC'));
    assert.ok(found('(?i:[a-c]+)x', 'aBcx'));
    assert.ok(found('x(?i:[^a])', 'xb'));
    assert.ok(!found('x(?i:[^a])', 'xA'));
  });
  it('(?x) COMMENTS strips whitespace and comments (also inside classes, as Java does)', () => {
    assert.deepEqual(find('(?x) (\\d+) \\s* # the number\n ([a-z]+)  # the word', '12 ab'), ['12 ab', '12', 'ab']);
    assert.ok(found('(?x)[a b]', 'b'));
    assert.ok(!found('(?x)[a b]', ' '));
    assert.ok(found('(?x)a\\ b', 'a b'));
    assert.ok(found('(?x)a \\Q b\\E', 'a b'));
    assert.ok(found('a b', 'ab', { comments: true }));
  });
  it('LITERAL escapes everything, keeps case-insensitivity', () => {
    assert.ok(found('a.b(*', 'a.b(*', { literal: true }));
    assert.ok(!found('a.b', 'axb', { literal: true }));
    assert.ok(found('a.b', 'A.B', { literal: true, caseInsensitive: true }));
  });
  it('UNIX_LINES: only \\n is a line terminator', () => {
    assert.ok(found('(?d)a.b', 'a\rb'));
    assert.ok(!found('a.b', 'a\rb'));
    assert.ok(!found('(?d)a$', 'a\r\n'));
    assert.ok(found('a$', 'a\r\n'));
    assert.deepEqual(findAll('(?md)^x', 'x\rx\nx'), [0, 4]);
  });
  it('CANON_EQ is rejected', () => {
    unsupported('a', 'CANON_EQ', { canonicalEquivalence: true });
  });
});

describe('anchors and line terminators', () => {
  it('dot excludes Java line terminators (incl. NEL) but not other chars', () => {
    for (const lt of ['\n', '\r', '\u0085', '\u2028', '\u2029']) assert.ok(!found('^.$', lt), JSON.stringify(lt));
    assert.ok(found('^.$', '\u000b'));
    assert.ok(found('^.$', '😀'), 'dot matches a whole supplementary code point');
  });
  it('\\A, \\z, \\Z', () => {
    assert.ok(found('\\Aab', 'ab'));
    assert.ok(!found('\\Aab', 'xab'));
    assert.ok(found('a\\Z', 'a\n'));
    assert.ok(found('a\\Z', 'a\r\n'));
    assert.ok(!found('a\\Z', 'a\n\n'));
    assert.ok(found('a\\z', 'xa'));
    assert.ok(!found('a\\z', 'a\n'));
    assert.ok(!found('(?m)a\\z', 'a\nb'));
  });
  it("$ is Java's: end, or before a final line terminator", () => {
    assert.ok(found('a$', 'a\n'));
    assert.ok(found('a$', 'a\u2028'));
    assert.ok(!found('a$', 'a\nb'));
    assert.ok(!found('a$', 'a\n\n'));
    // never between \r and \n
    assert.deepEqual(findAll('$', 'a\r\n'), [1, 3]);
    assert.deepEqual(findAll('(?m)$', 'a\r\nb'), [1, 4]);
  });
  it('multiline ^ does not match at the very end, nor between \\r and \\n', () => {
    assert.deepEqual(findAll('(?m)^', 'a\nb\n'), [0, 2]);
    assert.deepEqual(findAll('(?m)^', 'a\r\nb'), [0, 3]);
    assert.deepEqual(findAll('(?m)^', ''), []);
  });
  it('\\b is ASCII, (?U)\\b is Unicode', () => {
    assert.deepEqual(find('\\bfoo\\b', 'a foo.'), ['foo']);
    assert.ok(!found('\\bé', ' é'), 'Java 19+: \\b uses ASCII \\w, and neither side is a word char');
    assert.ok(found('é\\b', 'éa'));
    assert.ok(!found('(?U)\\bé', 'xé'));
    assert.ok(found('(?U)\\bé', ' é'));
  });
  it('\\G is unsupported', () => {
    unsupported('ab\\Gc', '\\G');
    assert.throws(() => translateJavaRegex('ab\\Gc'), /unsupported regex construct '\\G' at index 2/);
  });
});

describe('quantifiers, atomic groups, groups', () => {
  it('possessive quantifiers do not give back', () => {
    assert.ok(!found('a*+a', 'aaa'));
    assert.ok(found('a*a', 'aaa'));
    assert.ok(!found('^a++a', 'aaa'));
    assert.ok(found('a?+b', 'ab'));
    assert.ok(!found('^x{1,3}+x$', 'xxx'));
    assert.ok(found('^x{1,3}+x$', 'xxxx'));
    assert.deepEqual(find('(\\d++)\\.', 'v 123.4'), ['123.', '123']);
  });
  it('atomic groups', () => {
    assert.ok(!found('(?>a|ab)c', 'abc'));
    assert.ok(found('(?:a|ab)c', 'abc'));
    assert.deepEqual(find('(?>(a))(b)', 'ab'), ['ab', 'a', 'b'], 'synthetic groups are remapped away');
  });
  it('lazy quantifiers and counted repetition', () => {
    assert.deepEqual(find('<(.+?)>', '<a><b>'), ['<a>', 'a']);
    assert.deepEqual(find('(\\d{2,3})', '12345'), ['123', '123']);
    assert.deepEqual(find('x{2}', 'xxx'), ['xx']);
  });
  it('named groups and \\k<name>', () => {
    const t = translateJavaRegex('(?<year>\\d{4})-(?<month>\\d{2})(x)?');
    assert.deepEqual(t.groupNames, ['', 'year', 'month', '']);
    assert.equal(t.groupCount, 3);
    assert.deepEqual(find('(?<year>\\d{4})-(?<month>\\d{2})', 'on 2024-05-01'), ['2024-05', '2024', '05']);
    assert.ok(found('(?<q>[\'"]).*\\k<q>', `say "hi"`));
    assert.ok(!found('(?<q>[\'"]).*\\k<q>', `say "hi'`));
  });
  it('numbered backreferences follow Java digit rules', () => {
    assert.ok(found('(a)\\1', 'aa'));
    assert.ok(found('^(a)\\11$', 'aa1'), '\\11 with one group is \\1 then 1');
    assert.ok(!found('a\\9', 'a'), 'reference to a missing group never matches');
  });
  it('repeated capture keeps the last iteration', () => {
    assert.deepEqual(find('(\\d)+', '123'), ['123', '3']);
    assert.deepEqual(find('(?:(\\w+),)+', 'a,bb,'), ['a,bb,', 'bb']);
  });
  it('\\Q...\\E quoting', () => {
    assert.ok(found('\\Qa.b*\\E', 'xa.b*'));
    assert.ok(!found('\\Qa.b*\\E', 'axbb'));
    assert.ok(found('^\\Qab\\E+$', 'abbb'), 'quantifier applies to the last quoted char');
    assert.ok(found('[\\Q^]\\E]', ']'));
    assert.ok(found('\\Qunterminated.', 'unterminated.'));
  });
});

describe('character classes', () => {
  it('intersection and subtraction', () => {
    assert.ok(matches('[a-z&&[^aeiou]]+', 'bcd'));
    assert.ok(!matches('[a-z&&[^aeiou]]+', 'bad'));
    assert.ok(matches('[a-z&&[def]]', 'e'));
    assert.ok(!matches('[a-z&&[def]]', 'a'));
    assert.ok(matches('[a-z&&def]', 'f'));
    assert.ok(matches('[\\w&&[^\\d]]+', 'ab_'));
    assert.ok(!matches('[\\w&&[^\\d]]+', 'a1'));
  });
  it('intersection with a Unicode property', () => {
    assert.ok(matches('[\\p{L}&&[^a-z]]', 'É'));
    assert.ok(!matches('[\\p{L}&&[^a-z]]', 'e'));
    assert.ok(!matches('[\\p{L}&&[^a-z]]', '1'));
  });
  it('union and Java 9+ negation of the whole class', () => {
    assert.ok(matches('[a-d[m-p]]', 'n'));
    assert.ok(!matches('[a-d[m-p]]', 'h'));
    assert.ok(!matches('[^a[b]]', 'b'));
    assert.ok(matches('[^a[b]]', 'c'));
  });
  it('literal ] first and - at the edges', () => {
    assert.ok(matches('[]a]', ']'));
    assert.ok(matches('[^]a]', 'b'));
    assert.ok(matches('[a-]', '-'));
    assert.ok(matches('[-a]', '-'));
    assert.ok(matches('[\\w-]+', 'a-b'));
  });
  it('case-insensitive ranges', () => {
    assert.ok(matches('(?i)[b-d]+', 'BcD'));
    assert.ok(!matches('(?i)[^a]', 'A'));
  });
  it('POSIX classes are ASCII', () => {
    assert.ok(matches('\\p{Alpha}', 'a'));
    assert.ok(!matches('\\p{Alpha}', 'é'));
    assert.ok(matches('\\p{Lower}', 'a'));
    assert.ok(!matches('\\p{Lower}', 'A'));
    assert.ok(matches('(?i)\\p{Lower}', 'A'), 'Java 11+: CASE_INSENSITIVE widens Lower to all letters');
    assert.ok(matches('\\p{Upper}', 'Q'));
    assert.ok(!matches('\\p{Digit}', '\u0663'));
    assert.ok(matches('\\p{Punct}+', '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'));
    assert.ok(!matches('\\p{Punct}', '§'));
    assert.ok(matches('\\p{Alnum}+', 'aZ9'));
    assert.ok(!matches('\\p{Alnum}', '_'));
    assert.ok(matches('\\p{Space}+', ' \t\n\u000b\f\r'));
    assert.ok(!matches('\\p{Space}', '\u00a0'));
    assert.ok(matches('\\p{XDigit}+', '0fA'));
    assert.ok(matches('\\p{Cntrl}', '\u007f'));
    assert.ok(matches('\\P{Alpha}', '1'));
  });
  it('java.lang.Character classes', () => {
    assert.ok(matches('\\p{javaLowerCase}', 'é'));
    assert.ok(!matches('\\p{javaLowerCase}', 'É'));
    assert.ok(matches('\\p{javaUpperCase}', 'É'));
    assert.ok(matches('\\p{javaWhitespace}', '\u2003'));
    assert.ok(!matches('\\p{javaWhitespace}', '\u00a0'));
    assert.ok(matches('\\p{javaDigit}', '\u0663'));
    assert.ok(matches('\\p{javaLetterOrDigit}+', 'é9'));
  });
  it('Unicode categories, binary properties and scripts', () => {
    assert.ok(matches('\\p{L}+', 'éλ'));
    assert.ok(matches('\\pL', 'x'));
    assert.ok(matches('\\p{Lu}', 'É'));
    assert.ok(!matches('\\p{Lu}', 'é'));
    assert.ok(matches('(?i)\\p{Lu}', 'é'), 'Java: CASE_INSENSITIVE turns Lu into LC');
    assert.ok(matches('\\p{IsAlphabetic}', 'é'));
    assert.ok(matches('\\p{IsLatin}', 'é'));
    assert.ok(!matches('\\p{IsLatin}', 'λ'));
    assert.ok(matches('\\p{script=Greek}', 'λ'));
    assert.ok(matches('\\p{IsGreek}', 'λ'));
    assert.ok(matches('\\p{gc=Sc}', '€'));
  });
  it('predefined classes have Java (ASCII) meaning', () => {
    assert.ok(!matches('\\s', '\u00a0'), 'JS \\s would match NBSP');
    assert.ok(!matches('\\s', '\ufeff'));
    assert.ok(matches('\\s', '\u000b'));
    assert.ok(!matches('\\w', 'é'));
    assert.ok(matches('(?U)\\w', 'é'));
    assert.ok(matches('(?U)\\d', '\u0663'));
    assert.ok(matches('(?U)\\s', '\u00a0'));
    assert.ok(matches('\\h', '\u00a0'));
    assert.ok(!matches('\\h', '\n'));
    assert.ok(matches('\\v', '\u2028'));
    assert.ok(matches('\\V', 'a'));
  });
  it('\\R, \\x{...}, octal, control and other escapes', () => {
    assert.ok(matches('a\\Rb', 'a\r\nb'));
    assert.ok(matches('a\\Rb', 'a\u0085b'));
    assert.ok(!matches('a\\Rb', 'a\r\rb'));
    assert.ok(matches('\\x{1F600}', '😀'));
    assert.ok(matches('\\x41\\u0042\\0103', 'ABC'));
    assert.ok(matches('\\uD83D\\uDE00', '😀'));
    assert.ok(matches('\\cI\\e\\a\\t', '\t\u001b\u0007\t'));
    assert.ok(matches('\\.\\*\\$\\/', '.*$/'));
  });
  it('unsupported property forms are rejected by name', () => {
    unsupported('\\p{InGreek}', '\\p{InGreek}');
    unsupported('\\p{block=Greek}', '\\p{block=Greek}');
    unsupported('\\p{javaJavaIdentifierStart}', '\\p{javaJavaIdentifierStart}');
  });
});

describe('semantic differences are rejected, never mistranslated', () => {
  it('grapheme clusters and named characters', () => {
    unsupported('a\\X', '\\X');
    unsupported('\\b{g}', '\\b{g}');
    unsupported('\\N{LATIN SMALL LETTER A}', '\\N{name}');
  });
  it('backreferences to groups that may not have matched', () => {
    unsupported('(a)?\\1', '\\1');
    unsupported('(a)|b\\1', '\\1');
    unsupported('\\2(a)(b)', '\\2');
    unsupported('(a\\1)', '\\1');
    unsupported('(?i)(a)\\1', 'case-insensitive backreference');
  });
  it('captures that Java keeps across iterations but JS resets', () => {
    unsupported('(?:(a)|b)+', /capture group 1 in repeated group/);
    unsupported('(?:(a)?x)+', /capture group 1/);
    unsupported('(a*)*', /repeated empty-matching group/);
  });
  it('lookbehind constructs that JS evaluates right-to-left', () => {
    unsupported('(?<=(a|ab))c', 'capture group in lookbehind');
    unsupported('(?<=(a)\\1)c', 'backreference in lookbehind');
    unsupported('(?<=a++)c', 'possessive quantifier in lookbehind');
    unsupported('(?<=(?>a))c', '(?>');
    assert.ok(found('(?<=(ab))c', 'abc'), 'fixed-length captures in lookbehind are fine');
    assert.ok(found('(?<!x)y', 'ay'));
  });
  it('unknown inline flag', () => {
    syntaxError('(?q)a', /Unknown inline modifier/);
  });
});

describe('syntax errors are reported like Java', () => {
  it('examples', () => {
    syntaxError('(abc', /Unclosed group/);
    syntaxError('abc)', /Unmatched closing '\)'/);
    syntaxError('*a', /Dangling meta character '\*'/);
    syntaxError('a{2,1}', /Illegal repetition range/);
    syntaxError('x{y}', /Illegal repetition/);
    syntaxError('[a', /Unclosed character class/);
    syntaxError('[z-a]', /Illegal character range/);
    syntaxError('\\i', /Illegal\/unsupported escape sequence/);
    syntaxError('(?<1a>x)', /Latin letter/);
    syntaxError('(?<a>x)(?<a>y)', /already defined/);
    syntaxError('\\k<nope>', /does not exist/);
    syntaxError('\\p{NoSuchProperty}', /Unknown character property/);
  });
});

describe('output', () => {
  it('always uses the u flag and compiles', () => {
    const t = translateJavaRegex('(?<a>x)\\p{L}[^\\s]');
    assert.equal(t.flags, 'u');
    assert.doesNotThrow(() => new RegExp(t.source, 'u'));
  });
  it('reports anchoring', () => {
    assert.equal(translateJavaRegex('^abc').anchoredStart, true);
    assert.equal(translateJavaRegex('\\Aabc|^d').anchoredStart, true);
    assert.equal(translateJavaRegex('(?m)^abc').anchoredStart, false);
    assert.equal(translateJavaRegex('abc|^d').anchoredStart, false);
  });
});
