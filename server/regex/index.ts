// Public entry point for Java-flavoured, hostile-regex-safe matching.
export {
  type JavaRegexFlags,
  type TranslatedRegex,
  UnsupportedRegexError,
  JavaRegexSyntaxError,
  translateJavaRegex,
  compileJavaRegex,
} from './java-regex.ts';
export {
  type Match,
  type NoMatch,
  type BudgetExceeded,
  type MatchResult,
  type MatchAllResult,
  type ReplaceResult,
  type SafeRegexOptions,
  SafeRegex,
  compileSafeRegex,
} from './guard.ts';
export { type Complexity, type ComplexityClass, analyseComplexity } from './analysis.ts';
export {
  type CompiledReplacement,
  ReplacementSyntaxError,
  compileJavaReplacement,
  quoteJavaReplacement,
} from './replacement.ts';
