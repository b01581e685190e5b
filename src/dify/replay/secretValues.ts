/** Recorded values that look secret by their keys, and copies without them: a replay file holds them only when the user says so. */

export const LEFT_OUT = '<left out: looked secret>';

/** Keys whose values are secrets by their name (credentials a node was handed): written only if the user says so. */
const secretKey = /(?:api[_-]?key|secret|token|password|passwd|authorization|credential|private[_-]?key|access[_-]?key)/i;

/** The top-level keys of recorded inputs that look like secrets, and the keys inside nested objects, as paths. */
export function secretKeys(values: Readonly<Record<string, unknown>>, prefix = ''): string[] {
  return Object.entries(values).flatMap(([key, value]) => {
    const path = `${prefix}${key}`;
    // A secret is text: `token_count: 3` is not one.
    if (secretKey.test(key) && typeof value === 'string' && value !== '') return [path];
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? secretKeys(value as Record<string, unknown>, `${path}.`) : [];
  });
}

/** A copy of `values` with each dotted path's value replaced by the marker. */
export function withoutPaths(values: Readonly<Record<string, unknown>>, paths: readonly string[]): Record<string, unknown> {
  const copy = structuredClone(values) as Record<string, unknown>;
  for (const path of paths) {
    const keys = path.split('.');
    let at: Record<string, unknown> | undefined = copy;
    for (const key of keys.slice(0, -1)) at = typeof at?.[key] === 'object' && at[key] !== null ? (at[key] as Record<string, unknown>) : undefined;
    if (at !== undefined && keys.at(-1)! in at) at[keys.at(-1)!] = LEFT_OUT;
  }
  return copy;
}
