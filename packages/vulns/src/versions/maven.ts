/**
 * Maven version order, a port of org.apache.maven.artifact.versioning.ComparableVersion (Maven 3.x):
 * versions split into int / qualifier / sub-list items on '.', '-' and digit-letter transitions;
 * qualifiers order alpha < beta < milestone < rc = cr < snapshot < "" = ga = final = release < sp < anything else.
 */
type Item = IntItem | StringItem | ListItem;

class IntItem {
  readonly kind = 'int';
  constructor(readonly value: bigint) {}
  isNull(): boolean {
    return this.value === 0n;
  }
  compareTo(other: Item | null): number {
    if (other === null) return this.value === 0n ? 0 : 1;
    if (other.kind === 'int') return this.value < other.value ? -1 : this.value > other.value ? 1 : 0;
    return 1; // int beats qualifier and sub-list
  }
}

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = String(QUALIFIERS.indexOf(''));

function comparableQualifier(q: string): string {
  const i = QUALIFIERS.indexOf(q);
  return i === -1 ? `${QUALIFIERS.length}-${q}` : String(i);
}

function cmpStr(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class StringItem {
  readonly kind = 'string';
  readonly value: string;
  constructor(value: string, followedByDigit: boolean) {
    if (followedByDigit && value.length === 1) {
      value = value === 'a' ? 'alpha' : value === 'b' ? 'beta' : value === 'm' ? 'milestone' : value;
    }
    this.value = ALIASES[value] ?? value;
  }
  isNull(): boolean {
    return comparableQualifier(this.value) === RELEASE_INDEX;
  }
  compareTo(other: Item | null): number {
    if (other === null) return cmpStr(comparableQualifier(this.value), RELEASE_INDEX);
    if (other.kind === 'int' || other.kind === 'list') return -1;
    return cmpStr(comparableQualifier(this.value), comparableQualifier(other.value));
  }
}

class ListItem {
  readonly kind = 'list';
  readonly items: Item[] = [];
  isNull(): boolean {
    return this.items.length === 0;
  }
  normalize(): void {
    for (let i = this.items.length - 1; i >= 0; i--) {
      const last = this.items[i]!;
      if (last.isNull()) this.items.splice(i, 1);
      else if (last.kind !== 'list') break;
    }
  }
  compareTo(other: Item | null): number {
    if (other === null) return this.items.length === 0 ? 0 : this.items[0]!.compareTo(null);
    if (other.kind === 'int') return -1;
    if (other.kind === 'string') return 1;
    const n = Math.max(this.items.length, other.items.length);
    for (let i = 0; i < n; i++) {
      const l = this.items[i] ?? null;
      const r = other.items[i] ?? null;
      const result = l === null ? (r === null ? 0 : -1 * r.compareTo(null)) : l.compareTo(r);
      if (result !== 0) return result;
    }
    return 0;
  }
}

function parseItem(isDigit: boolean, text: string, followedByDigit = false): Item {
  return isDigit ? new IntItem(BigInt(text)) : new StringItem(text, followedByDigit);
}

export function parseMavenVersion(version: string): ListItem {
  const v = version.toLowerCase();
  const root = new ListItem();
  let list = root;
  const stack: ListItem[] = [root];
  let isDigit = false;
  let start = 0;
  const push = (): void => {
    const sub = new ListItem();
    list.items.push(sub);
    list = sub;
    stack.push(sub);
  };
  for (let i = 0; i < v.length; i++) {
    const c = v[i]!;
    if (c === '.') {
      list.items.push(i === start ? new IntItem(0n) : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
    } else if (c === '-') {
      list.items.push(i === start ? new IntItem(0n) : parseItem(isDigit, v.slice(start, i)));
      start = i + 1;
      push();
    } else if (c >= '0' && c <= '9') {
      if (!isDigit && i > start) {
        list.items.push(new StringItem(v.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(parseItem(true, v.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (v.length > start) list.items.push(parseItem(isDigit, v.slice(start)));
  while (stack.length > 0) stack.pop()!.normalize();
  return root;
}

export function compareMaven(a: string, b: string): number {
  return Math.sign(parseMavenVersion(a).compareTo(parseMavenVersion(b)));
}
