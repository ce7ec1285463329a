// SLUICE_ALLOWED_PATHS: confines file-path properties to a list of roots. Literal values are checked
// when a flow is saved (400 with details); values with Expression Language are checked every time the
// processor evaluates them, through a wrapped definition (the engine is not changed).
import { existsSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { FlowDefinition } from '../flow/schema.ts';
import { resolvedProperties } from '../flow/validate.ts';
import { formatPath } from '../flow/paths.ts';
import { ProcessorRegistry } from '../sdk/registry.ts';
import type { ProcessorDefinition } from '../sdk/definition.ts';
import type { ProcessContext } from '../sdk/context.ts';
import type { PropertyValue } from '../sdk/property-value.ts';
import type { ErrorDetail } from './errors.ts';

/** File-path properties by processor type. */
export const PATH_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  GetFile: ['Input Directory'],
  PutFile: ['Directory'],
  ListFile: ['Input Directory'],
  FetchFile: ['File to Fetch'],
  TailFile: ['File(s) to Tail', 'Base directory'],
};

/** Property names treated as file paths on any processor type. */
export const GENERIC_PATH_PROPERTIES: readonly string[] = ['Directory', 'Input Directory', 'Output Directory'];

export function pathPropertiesOf(def: ProcessorDefinition): Set<string> {
  const out = new Set<string>();
  const wanted = new Set([...(PATH_PROPERTIES[def.type] ?? []), ...GENERIC_PATH_PROPERTIES]);
  for (const p of def.properties) {
    if (wanted.has(p.name) || p.aliases?.some((a) => wanted.has(a))) {
      out.add(p.name);
      for (const a of p.aliases ?? []) out.add(a);
    }
  }
  return out;
}

const hasExpression = (v: string) => v.includes('${');

/** The real location of a path: symlinks in its longest existing prefix resolved. */
function realLocation(path: string): string {
  let p = resolve(path);
  const rest: string[] = [];
  while (!existsSync(p)) {
    const parent = dirname(p);
    if (parent === p) break;
    rest.unshift(p.slice(parent.length + (parent.endsWith(sep) ? 0 : 1)));
    p = parent;
  }
  let real = p;
  try { real = realpathSync(p); } catch { /* keep as is */ }
  return rest.length ? resolve(real, ...rest) : real;
}

export class PathConfinement {
  private readonly roots: string[];
  /** Recent answers by value ('' = allowed), so per-FlowFile checks cost a map lookup. */
  private readonly cache = new Map<string, string>();

  constructor(roots: readonly string[]) {
    this.roots = roots.map((r) => realLocation(r));
  }

  get description(): string { return this.roots.join(', '); }

  /** Why `value` is not allowed, or undefined when it is. */
  problem(value: string): string | undefined {
    const cached = this.cache.get(value);
    if (cached !== undefined) return cached || undefined;
    const problem = this.compute(value);
    if (this.cache.size >= 1024) this.cache.clear();
    this.cache.set(value, problem ?? '');
    return problem;
  }

  private compute(value: string): string | undefined {
    if (value.includes('\0')) return 'must not contain NUL characters';
    const real = realLocation(value);
    for (const root of this.roots) {
      const rel = relative(root, real);
      if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) return undefined;
    }
    return `${JSON.stringify(value)} is outside the allowed paths (SLUICE_ALLOWED_PATHS: ${this.description})`;
  }

  /** Problems with literal path values in a flow (values with Expression Language are checked at run time). */
  check(flow: FlowDefinition, registry: ProcessorRegistry): ErrorDetail[] {
    const out: ErrorDetail[] = [];
    flow.processors.forEach((p, i) => {
      const def = registry.get(p.type);
      if (!def) return;
      const names = pathPropertiesOf(def);
      if (names.size === 0) return;
      const resolved = resolvedProperties(p.properties, flow.parameters ?? {});
      for (const [name, value] of Object.entries(resolved)) {
        if (!names.has(name) || hasExpression(value)) continue;
        const problem = this.problem(value);
        if (problem) out.push({ path: formatPath(['processors', i, 'properties', name]), message: problem });
      }
    });
    return out;
  }

  /** A registry whose path-handling processors check every evaluated path value before using it. */
  wrapRegistry(registry: ProcessorRegistry): ProcessorRegistry {
    return new ProcessorRegistry(registry.list().map((def) => {
      const names = pathPropertiesOf(def);
      return names.size ? this.wrapDefinition(def, names) : def;
    }));
  }

  private wrapDefinition(def: ProcessorDefinition, names: Set<string>): ProcessorDefinition {
    const confinement = this;
    const proxies = new WeakMap<object, ProcessContext<any>>();
    const confine = (ctx: ProcessContext<any>): ProcessContext<any> => {
      let proxy = proxies.get(ctx);
      if (proxy) return proxy;
      const wrapped = new Map<string, PropertyValue>();
      const property = (name: string): PropertyValue => {
        const original = ctx.property(name);
        if (!names.has(name)) return original;
        let w = wrapped.get(name);
        if (!w) {
          w = Object.create(original) as PropertyValue;
          w.evaluate = (...args: Parameters<PropertyValue['evaluate']>) => {
            const v = original.evaluate(...args);
            if (v !== undefined) {
              const problem = confinement.problem(v);
              if (problem) throw new Error(`"${name}" ${problem}`);
            }
            return v;
          };
          wrapped.set(name, w);
        }
        return w;
      };
      proxy = new Proxy(ctx, {
        get: (target, key) => (key === 'property' ? property : Reflect.get(target, key)),
        set: (target, key, v) => Reflect.set(target, key, v),
      });
      proxies.set(ctx, proxy);
      return proxy;
    };
    return {
      ...def,
      onScheduled: def.onScheduled ? (ctx) => def.onScheduled!(confine(ctx)) : undefined,
      onTrigger: (ctx, session) => def.onTrigger(confine(ctx), session),
      onStopped: def.onStopped ? (ctx) => def.onStopped!(confine(ctx)) : undefined,
    };
  }
}
