/**
 * IAM-style string globs as AWS IoT policies use them in `Action` and `Resource`: `*` matches any run of characters
 * (including `/`), `?` exactly one. MQTT's `+` and `#` are plain characters here, as AWS documents for policies.
 *
 * A pattern is compiled to atoms so that text substituted from a policy variable (a client id may contain `*`)
 * stays literal while the policy's own `*` and `?` stay wildcards.
 */
export const ANY_RUN = -1;
export const ANY_ONE = -2;
/** A UTF-16 code unit to match literally, or ANY_RUN / ANY_ONE. */
export type GlobAtom = number;

export function globAtoms(pattern: string): GlobAtom[] {
  const atoms: GlobAtom[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charCodeAt(i);
    atoms.push(c === 42 ? ANY_RUN : c === 63 ? ANY_ONE : c);
  }
  return atoms;
}

export function literalAtoms(text: string): GlobAtom[] {
  const atoms: GlobAtom[] = [];
  for (let i = 0; i < text.length; i++) atoms.push(text.charCodeAt(i));
  return atoms;
}

/** Iterative matcher with single-star backtracking: O(pattern x value) worst case, no regex built from input. */
export function atomsMatch(atoms: readonly GlobAtom[], value: string): boolean {
  let pi = 0;
  let vi = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (vi < value.length) {
    const atom = atoms[pi];
    if (atom === ANY_RUN) {
      starAt = pi++;
      resumeAt = vi;
    } else if (atom !== undefined && (atom === ANY_ONE || atom === value.charCodeAt(vi))) {
      pi++;
      vi++;
    } else if (starAt >= 0) {
      pi = starAt + 1;
      vi = ++resumeAt;
    } else {
      return false;
    }
  }
  while (atoms[pi] === ANY_RUN) pi++;
  return pi === atoms.length;
}

export function globMatches(pattern: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  if (options.ignoreCase) return atomsMatch(globAtoms(pattern.toLowerCase()), value.toLowerCase());
  return atomsMatch(globAtoms(pattern), value);
}
