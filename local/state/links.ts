/** A many-to-many relation kept in step both ways (thing <-> principal, policy <-> target, group <-> thing). */
export class Links {
  private readonly forward = new Map<string, Set<string>>();
  private readonly backward = new Map<string, Set<string>>();

  link(left: string, right: string): void {
    add(this.forward, left, right);
    add(this.backward, right, left);
  }

  unlink(left: string, right: string): void {
    remove(this.forward, left, right);
    remove(this.backward, right, left);
  }

  has(left: string, right: string): boolean {
    return this.forward.get(left)?.has(right) === true;
  }

  rightsOf(left: string): string[] {
    return [...(this.forward.get(left) ?? [])];
  }

  leftsOf(right: string): string[] {
    return [...(this.backward.get(right) ?? [])];
  }

  forgetLeft(left: string): void {
    for (const right of this.rightsOf(left)) this.unlink(left, right);
  }

  forgetRight(right: string): void {
    for (const left of this.leftsOf(right)) this.unlink(left, right);
  }

  /** Every (left, rights) group, for saving. */
  entries(): [string, string[]][] {
    return [...this.forward].map(([left, rights]) => [left, [...rights]]);
  }
}

function add(index: Map<string, Set<string>>, key: string, value: string): void {
  const values = index.get(key) ?? new Set<string>();
  values.add(value);
  index.set(key, values);
}

function remove(index: Map<string, Set<string>>, key: string, value: string): void {
  const values = index.get(key);
  values?.delete(value);
  if (values?.size === 0) index.delete(key);
}
