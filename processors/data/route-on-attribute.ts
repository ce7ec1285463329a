// RouteOnAttribute: routes FlowFiles by evaluating Expression Language booleans (one per dynamic
// property) against their attributes.
//
// NiFi has no failure relationship here: when an expression cannot be evaluated, onTrigger throws,
// the session is rolled back with the FlowFile penalized and the processor yields. Sluice's engine
// does the same for a thrown error, but rolls back the whole session; so that one bad FlowFile
// cannot hold up the good ones fetched in the same batch, the processor then handles FlowFiles one
// per trigger until the failing FlowFile has gone through or some minutes have passed.
import { defineProcessor, type Relationship } from '../../server/sdk/definition.ts';
import type { Validator } from '../../server/sdk/validators.ts';
import type { FlowFile } from '../../server/engine/flowfile.ts';
import type { ProcessSession } from '../../server/engine/session.ts';
type FlowFileExpression = (ff: FlowFile) => string | undefined;

export const ROUTE_ATTRIBUTE = 'RouteOnAttribute.Route';

const ROUTE_PROPERTY_NAME = 'Route to Property name';
// NiFi keeps the word 'match' in the stored values (an old typo kept for compatibility).
const ROUTE_ALL_MATCH = "Route to 'match' if all match";
const ROUTE_ANY_MATCHES = "Route to 'match' if any matches";
// Their display names, which are accepted as values too.
const ROUTE_ALL_MATCH_DISPLAY = "Route to 'matched' if all match";
const ROUTE_ANY_MATCHES_DISPLAY = "Route to 'matched' if any matches";

const STRATEGY = 'Routing Strategy';
const UNMATCHED = 'unmatched';
const MATCHED = 'matched';

type Strategy = 'name' | 'all' | 'any';

function strategyOf(value: string | undefined): Strategy {
  switch (value) {
    case ROUTE_ALL_MATCH:
    case ROUTE_ALL_MATCH_DISPLAY:
      return 'all';
    case ROUTE_ANY_MATCHES:
    case ROUTE_ANY_MATCHES_DISPLAY:
      return 'any';
    default:
      return 'name';
  }
}

/** NiFi requires each dynamic property to be an expression returning a boolean; plain text is not one. */
const booleanExpression: Validator = {
  description: 'Expression Language expression returning a boolean',
  schema: { type: 'string' },
  validate: (v) => `must be an Expression Language expression that returns a boolean (such as \${filename:endsWith('.txt')}), got ${JSON.stringify(v)}`,
};

/** How long a FlowFile whose expression failed keeps the processor in one-FlowFile-per-trigger mode. */
const ISOLATION_MS = 5 * 60_000;

interface Rule { name: string; evaluate: FlowFileExpression }

interface State {
  rules: Rule[];
  strategy: Strategy;
  /** FlowFile id -> time until which it counts as failing (while non-empty, one FlowFile per trigger). */
  failing: Map<string, number>;
}

/** Java's Boolean.parseBoolean on the trimmed value, as NiFi's PropertyValue.asBoolean() does. */
function isTrue(v: string | undefined): boolean {
  if (v === undefined) return false;
  const t = v.trim();
  return t.length === 4 && t.toLowerCase() === 'true';
}

export const RouteOnAttribute = defineProcessor<State>({
  type: 'RouteOnAttribute',
  description: 'Routes FlowFiles based on their Attributes using the Attribute Expression Language',
  tags: ['attributes', 'routing', 'Attribute Expression Language', 'regexp', 'regex', 'Regular Expression', 'Expression Language', 'find', 'text', 'string', 'search', 'filter', 'detect'],
  inputRequirement: 'required',
  properties: [
    {
      name: STRATEGY,
      description: 'Specifies how to determine which relationship to use when evaluating the Expression Language',
      required: true,
      defaultValue: ROUTE_PROPERTY_NAME,
      allowableValues: [
        { value: ROUTE_PROPERTY_NAME, displayName: 'Route to Property name', description: "A copy of the FlowFile will be routed to each relationship whose corresponding expression evaluates to 'true'" },
        { value: ROUTE_ALL_MATCH, displayName: ROUTE_ALL_MATCH_DISPLAY, description: "Requires that all user-defined expressions evaluate to 'true' for the FlowFile to be considered a match" },
        { value: ROUTE_ANY_MATCHES, displayName: ROUTE_ANY_MATCHES_DISPLAY, description: "Requires that at least one user-defined expression evaluate to 'true' for the FlowFile to be considered a match" },
        { value: ROUTE_ALL_MATCH_DISPLAY, displayName: `${ROUTE_ALL_MATCH_DISPLAY} (alternate spelling)`, description: `Same as "${ROUTE_ALL_MATCH}"` },
        { value: ROUTE_ANY_MATCHES_DISPLAY, displayName: `${ROUTE_ANY_MATCHES_DISPLAY} (alternate spelling)`, description: `Same as "${ROUTE_ANY_MATCHES}"` },
      ],
    },
  ],
  relationships: [{ name: UNMATCHED, description: 'FlowFiles that do not match any user-define expression will be routed here' }],
  dynamicProperties: {
    name: 'Relationship Name',
    value: 'Expression Language expression that returns a boolean value indicating whether or not the FlowFile should be routed to this Relationship',
    description: 'Routes FlowFiles whose attributes match the Expression Language specified in the Dynamic Property Value to the Relationship specified in the Dynamic Property Key',
    expressionLanguage: 'flowfile',
    validator: booleanExpression,
  },
  dynamicRelationships(properties) {
    const strategy = strategyOf(properties.get(STRATEGY));
    if (strategy !== 'name') {
      return [{ name: MATCHED, description: "FlowFiles will be routed to 'match' if one or all Expressions match, depending on the configuration of the Routing Strategy property" }];
    }
    const out: Relationship[] = [];
    for (const name of properties.keys()) {
      if (name === STRATEGY || name === UNMATCHED || name.trim() === '') continue;
      out.push({ name, description: `FlowFiles whose attributes match the expression of the "${name}" property` });
    }
    return out;
  },
  writesAttributes: [{ name: ROUTE_ATTRIBUTE, description: 'The relation to which the FlowFile was routed' }],
  initialState: () => ({ rules: [], strategy: 'name', failing: new Map() }),
  onScheduled(ctx) {
    ctx.state.strategy = strategyOf(ctx.property(STRATEGY).value);
    ctx.state.rules = [...ctx.dynamicProperties].map(([name, value]) => ({ name, evaluate: (ff: FlowFile) => value.evaluate(ff) }));
    ctx.state.failing.clear();
  },
  onTrigger(ctx, session) {
    const { rules, strategy, failing } = ctx.state;
    let isolate = false;
    if (failing.size > 0) {
      const now = Date.now();
      for (const [id, until] of failing) if (until <= now) failing.delete(id);
      isolate = failing.size > 0;
    }
    const flowFiles = session.get(isolate ? 1 : 1000);
    const n = rules.length;
    const matches: boolean[] = new Array(n).fill(false);
    for (let i = 0; i < flowFiles.length; i++) {
      const ff = flowFiles[i];
      let matchCount = 0;
      for (let r = 0; r < n; r++) {
        let value: string | undefined;
        try {
          value = rules[r].evaluate(ff);
        } catch (e) {
          failing.set(ff.id, Date.now() + ISOLATION_MS);
          const message = e instanceof Error ? e.message : String(e);
          // The engine rolls the session back (penalizing the FlowFiles), reports a bulletin and yields.
          throw new Error(`could not evaluate the expression of property "${rules[r].name}" for FlowFile ${ff.id}: ${message}`, { cause: e });
        }
        const m = isTrue(value);
        matches[r] = m;
        if (m) matchCount++;
      }
      if (failing.size > 0) failing.delete(ff.id);
      route(session, ff, strategy, rules, matches, matchCount);
    }
  },
});

function route(session: ProcessSession, ff: FlowFile, strategy: Strategy, rules: Rule[], matches: boolean[], matchCount: number): void {
  let target: string | null = null;
  if (strategy === 'all') target = matchCount === rules.length ? MATCHED : UNMATCHED;
  else if (strategy === 'any') target = matchCount > 0 ? MATCHED : UNMATCHED;
  else if (matchCount === 0) target = UNMATCHED;
  if (target !== null) {
    session.transfer(session.putAttribute(ff, ROUTE_ATTRIBUTE, target), target);
    return;
  }
  // Route to Property name: the original goes to the first matching relationship, a clone to each other one.
  let first: string | null = null;
  const seen = matchCount > 1 ? new Set<string>() : null;
  for (let r = 0; r < rules.length; r++) {
    if (!matches[r]) continue;
    const name = rules[r].name;
    if (first === null) { first = name; seen?.add(name); continue; }
    if (seen!.has(name)) continue;
    seen!.add(name);
    const copy = session.clone(ff);
    session.transfer(session.putAttribute(copy, ROUTE_ATTRIBUTE, name), name);
  }
  session.transfer(session.putAttribute(ff, ROUTE_ATTRIBUTE, first!), first!);
}
