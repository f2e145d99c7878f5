/** A small validator for the JSON-schema subset the constraints support (test-only). */
export function validate(value: unknown, schema: Record<string, unknown>, root: Record<string, unknown> = schema): boolean {
  if (typeof schema.$ref === 'string') {
    let target: unknown = root;
    for (const key of schema.$ref
      .slice(2)
      .split('/')
      .filter((k) => k !== ''))
      target = (target as Record<string, unknown>)[key];
    return validate(value, target as Record<string, unknown>, root);
  }
  if (schema.anyOf) return (schema.anyOf as Record<string, unknown>[]).some((s) => validate(value, s, root));
  if (schema.const !== undefined && !deepEqual(value, schema.const)) return false;
  if (schema.enum !== undefined && !(schema.enum as unknown[]).some((v) => deepEqual(value, v))) return false;
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string];
    if (!types.some((t) => hasType(value, t))) return false;
  }
  if (typeof value === 'number') {
    if (typeof schema.minimum === 'number' && value < schema.minimum) return false;
    if (typeof schema.maximum === 'number' && value > schema.maximum) return false;
    if (typeof schema.exclusiveMinimum === 'number' && value <= schema.exclusiveMinimum) return false;
    if (typeof schema.exclusiveMaximum === 'number' && value >= schema.exclusiveMaximum) return false;
  }
  if (typeof value === 'string') {
    const n = [...value].length;
    if (typeof schema.minLength === 'number' && n < schema.minLength) return false;
    if (typeof schema.maxLength === 'number' && n > schema.maxLength) return false;
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern, 'u').test(value)) return false;
    if (typeof schema.format === 'string' && !checkFormat(schema.format, value)) return false;
  }
  if (Array.isArray(value)) {
    if (typeof schema.minItems === 'number' && value.length < schema.minItems) return false;
    if (typeof schema.maxItems === 'number' && value.length > schema.maxItems) return false;
    const prefix = (schema.prefixItems ?? []) as Record<string, unknown>[];
    for (let i = 0; i < value.length; i++) {
      if (i < prefix.length) {
        if (!validate(value[i], prefix[i]!, root)) return false;
      } else if (schema.items === false) return false;
      else if (schema.items && !validate(value[i], schema.items as Record<string, unknown>, root)) return false;
    }
  }
  if (isPlainObject(value)) {
    const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const r of (schema.required ?? []) as string[]) if (!(r in value)) return false;
    for (const [k, v] of Object.entries(value)) {
      if (k in props) {
        if (!validate(v, props[k]!, root)) return false;
      } else if (schema.additionalProperties === false) return false;
    }
  }
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case 'null':
      return v === null;
    case 'boolean':
      return typeof v === 'boolean';
    case 'number':
      return typeof v === 'number';
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'string':
      return typeof v === 'string';
    case 'array':
      return Array.isArray(v);
    case 'object':
      return isPlainObject(v);
    default:
      throw new Error(`unknown type ${t}`);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => k in b && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Format checks written independently of the constraint's regexes. */
function checkFormat(format: string, s: string): boolean {
  const inRange = (x: string, lo: number, hi: number) => /^\d+$/.test(x) && Number(x) >= lo && Number(x) <= hi;
  const date = (d: string) => {
    const [y, m, day, ...more] = d.split('-');
    return (
      more.length === 0 &&
      y?.length === 4 &&
      /^\d{4}$/.test(y) &&
      m?.length === 2 &&
      inRange(m, 1, 12) &&
      day?.length === 2 &&
      inRange(day, 1, 31)
    );
  };
  const time = (t: string) => {
    const m = /^(\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-](\d\d):(\d\d))$/.exec(t);
    return (
      !!m &&
      inRange(m[1]!, 0, 23) &&
      inRange(m[2]!, 0, 59) &&
      inRange(m[3]!, 0, 59) &&
      (m[5] === 'Z' || (inRange(m[6]!, 0, 23) && inRange(m[7]!, 0, 59)))
    );
  };
  switch (format) {
    case 'date':
      return date(s);
    case 'time':
      return time(s);
    case 'date-time': {
      const [d, t, ...more] = s.split('T');
      return more.length === 0 && d !== undefined && t !== undefined && date(d) && time(t) && !Number.isNaN(Date.parse(s));
    }
    case 'uuid':
      return (
        s
          .split('-')
          .map((g) => g.length)
          .join() === '8,4,4,4,12' && /^[0-9a-f-]+$/i.test(s)
      );
    case 'ipv4': {
      const parts = s.split('.');
      return parts.length === 4 && parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
    }
    case 'email': {
      const [local, domain, ...more] = s.split('@');
      return (
        more.length === 0 &&
        !!local &&
        !!domain &&
        domain.includes('.') &&
        !domain.startsWith('.') &&
        !/\.\.|-\.|\.-/.test(domain)
      );
    }
    default:
      throw new Error(`unknown format ${format}`);
  }
}
