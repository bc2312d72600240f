/**
 * Structured output for the offline model: a value that conforms to a JSON schema, filled
 * from evidence in the conversation instead of invented. `found` tracks whether a value came
 * from evidence, so that nullable and optional slots stay empty rather than hold guesses.
 *
 * Rules, per schema node:
 *  - `$ref` to a local pointer (`#/$defs/X`, `#/definitions/X`, `#`) is resolved against the root;
 *    nesting beyond 8 levels yields null. `const` → that value. `allOf` → its first branch.
 *  - Nullable = `type` array containing "null", `nullable: true`, an `anyOf`/`oneOf` with a
 *    `{type:"null"}` branch, or an enum containing null. Nullable and no evidence → null.
 *    Other `anyOf`/`oneOf` → first branch with evidence, else the first branch.
 *  - enum → the value sharing most significant words with the last user message; ties go to the
 *    rest of the (non-system) conversation, then to the first value. Option-like properties
 *    (edge, choice, option, label, next, route, intent, branch, decision, destination, category)
 *    look at the last user message only. Opaque values such as "0"/"1" borrow words from the
 *    description ("0: wants to book; 1: wants to cancel"). Evidence = at least one shared word.
 *  - string, by property name (or `format`), from the last user message:
 *      email → an e-mail address; phone/mobile/cell/tel → a run of >= 7 digits with separators;
 *      time/hour → "3pm", "10:30"; date/day/when/birth (or format date/date-time) → ISO date,
 *      d/m[/y], "May 3rd", weekday, today/tomorrow; name → words after "my name is", "call me",
 *      or capitalised words after "this is"/"I'm"/"I am" (first_/last_ take first/last word);
 *      number/id/code/zip/account/order → first digit run; query/question/message/text/reason/
 *      summary/note/request/topic/issue → the whole message (<= 200 chars).
 *    Otherwise "" ("unknown" when minLength > 0). maxLength truncates.
 *  - number/integer → first numeral (digits, or a word zero..twenty); integers rounded;
 *    clamped to minimum/maximum. Neutral: minimum, else 0.
 *  - boolean → first polarity word: yes/yeah/yep/sure/correct/absolutely/definitely → true,
 *    no/nope/nah/not/never/don't → false. Neutral: false.
 *  - array → enum items: every value with evidence (schema order); else []. Padded to minItems,
 *    capped at maxItems.
 *  - object → all required properties, optional ones only with evidence; nothing extra.
 *  - No `type`: properties → object, items → array, else string.
 * `hint(prop)` lets the caller dictate a string property (a farewell in end_call arguments).
 * Not honoured: pattern, formats other than email/date/date-time, exclusive bounds, uniqueItems.
 */

export type JsonSchema = Record<string, unknown>;

export interface FillContext {
  /** The last user message: the primary source of evidence. */
  userText: string;
  /** The non-system conversation, used to break enum ties. */
  conversationText?: string;
  hint?: (property: string) => string | undefined;
}

interface Env extends FillContext {
  root: JsonSchema;
}

type Filled = { value: unknown; found: boolean };

const STOPWORDS = new Set(('a an the and or but if then to of in on at for from by with about as is are was were be been being ' +
  'do does did i im me my we our you your it its this that these those he she they them their what which who whom when where ' +
  'why how can could would should will shall may might must have has had not no yes please just so than too very also into ' +
  'out up down over under again here there all any some such only own same other each more most both get got want like ok okay').split(' '));

const stem = (w: string): string =>
  w.length > 5 && w.endsWith('ing') ? w.slice(0, -3)
  : w.length > 4 && w.endsWith('ed') ? w.slice(0, -2)
  : w.length > 3 && w.endsWith('s') && !w.endsWith('ss') ? w.slice(0, -1)
  : w;

/** Lower-cased words, camelCase and snake_case split, apostrophes dropped ("don't" → "dont"). */
export function words(text: string): string[] {
  return text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .replace(/['’]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Unique, stemmed words that carry meaning; the unit of every overlap score. */
export function significantWords(text: string): string[] {
  return [...new Set(words(text).filter((w) => w.length > 1 && !STOPWORDS.has(w)).map(stem))];
}

/** How many significant words of `a` also occur in `b`. */
export function overlap(a: string, b: string): number {
  const inB = new Set(significantWords(b));
  return significantWords(a).filter((w) => inB.has(w)).length;
}

export function fillSchema(schema: JsonSchema, ctx: FillContext): unknown {
  return fill(schema, '', 0, { ...ctx, root: schema }).value;
}

const asSchema = (v: unknown): JsonSchema => (v && typeof v === 'object' && !Array.isArray(v) ? (v as JsonSchema) : {});

function deref(s: JsonSchema, root: JsonSchema): JsonSchema {
  for (let hops = 0; typeof s.$ref === 'string' && hops < 8; hops++) {
    const ref: string = s.$ref;
    if (!ref.startsWith('#')) return {};
    const path = ref.slice(1).split('/').filter(Boolean).map((p) => decodeURIComponent(p.replace(/~1/g, '/').replace(/~0/g, '~')));
    s = asSchema(path.reduce<unknown>((node, key) => asSchema(node)[key], root));
  }
  return s;
}

const isNull = (s: JsonSchema, root: JsonSchema): boolean => deref(s, root).type === 'null';

function fill(raw: unknown, prop: string, depth: number, env: Env): Filled {
  if (depth > 8) return { value: null, found: false };
  const s = deref(asSchema(raw), env.root);
  if ('const' in s) return { value: s.const, found: true };
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return fill(s.allOf[0], prop, depth + 1, env);
  const branches = Array.isArray(s.anyOf) ? s.anyOf : Array.isArray(s.oneOf) ? s.oneOf : undefined;
  if (branches) {
    const concrete = branches.map(asSchema).filter((b) => !isNull(b, env.root));
    for (const b of concrete) {
      const r = fill(b, prop, depth + 1, env);
      if (r.found) return r;
    }
    if (concrete.length < branches.length || concrete.length === 0) return { value: null, found: false };
    return fill(concrete[0], prop, depth + 1, env);
  }
  const declared = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === 'string' ? [s.type] : [];
  const type = declared.find((t) => t !== 'null') ?? (s.properties ? 'object' : s.items ? 'array' : declared[0] ?? 'string');
  const nullable = declared.includes('null') || s.nullable === true || (Array.isArray(s.enum) && s.enum.includes(null));
  const r: Filled = Array.isArray(s.enum) ? pickEnum(s, prop, env)
    : type === 'object' ? fillObject(s, depth, env)
    : type === 'array' ? fillArray(s, prop, depth, env)
    : type === 'number' || type === 'integer' ? fillNumber(s, type, env.userText)
    : type === 'boolean' ? { value: polarity(env.userText) ?? false, found: polarity(env.userText) !== undefined }
    : type === 'null' ? { value: null, found: false }
    : fillString(s, prop, env);
  return !r.found && nullable ? { value: null, found: false } : r;
}

const OPTION_LIKE = /edge|choice|option|label|next|route|intent|branch|decision|destination|category/i;

/** Words for an enum value: the value itself plus what the description says about it. */
function enumWords(value: unknown, description: string): string {
  const v = String(value);
  const esc = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const label = new RegExp(`(?:^|[\\s;,(])["']?${esc}["']?\\s*(?:[:=)]|->|-|—)\\s*([^;\\n]*)`, 'i').exec(description);
  return `${v} ${label?.[1] ?? ''}`;
}

function pickEnum(s: JsonSchema, prop: string, env: Env): Filled {
  const values = (s.enum as unknown[]).filter((v) => v !== null);
  if (values.length === 0) return { value: null, found: false };
  const description = typeof s.description === 'string' ? s.description : '';
  const useConversation = !OPTION_LIKE.test(prop);
  let best = { value: values[0], score: 0, tie: 0 };
  for (const value of values) {
    const text = enumWords(value, description);
    const score = overlap(text, env.userText);
    const tie = useConversation ? overlap(text, env.conversationText ?? '') : 0;
    if (score > best.score || (score === best.score && tie > best.tie)) best = { value, score, tie };
  }
  return { value: best.value, found: best.score > 0 };
}

function fillObject(s: JsonSchema, depth: number, env: Env): Filled {
  const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
  const out: Record<string, unknown> = {};
  let found = false;
  for (const [key, sub] of Object.entries(asSchema(s.properties))) {
    const r = fill(sub, key, depth + 1, env);
    if (required.has(key) || r.found) out[key] = r.value;
    found ||= r.found;
  }
  return { value: out, found };
}

function fillArray(s: JsonSchema, prop: string, depth: number, env: Env): Filled {
  const items = deref(asSchema(s.items), env.root);
  const out: unknown[] = Array.isArray(items.enum)
    ? items.enum.filter((v) => v !== null && overlap(enumWords(v, String(items.description ?? '')), env.userText) > 0)
    : [];
  const found = out.length > 0;
  const min = typeof s.minItems === 'number' ? s.minItems : 0;
  while (out.length < min) out.push(fill(items, prop, depth + 1, env).value);
  return { value: typeof s.maxItems === 'number' ? out.slice(0, s.maxItems) : out, found };
}

const NUMBER_WORDS = 'zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty'.split(' ');
const NUMBER_RE = new RegExp(`-?\\d[\\d,]*(?:\\.\\d+)?|\\b(?:${NUMBER_WORDS.join('|')})\\b`, 'i');

export function firstNumber(text: string): number | undefined {
  const m = NUMBER_RE.exec(text);
  if (!m) return undefined;
  const word = NUMBER_WORDS.indexOf(m[0].toLowerCase());
  return word >= 0 ? word : Number(m[0].replace(/,/g, ''));
}

function fillNumber(s: JsonSchema, type: string, text: string): Filled {
  const min = typeof s.minimum === 'number' ? s.minimum : undefined;
  const max = typeof s.maximum === 'number' ? s.maximum : undefined;
  const n = firstNumber(text);
  let value = n ?? min ?? 0;
  if (type === 'integer') value = Math.round(value);
  if (min !== undefined) value = Math.max(min, value);
  if (max !== undefined) value = Math.min(max, value);
  return { value, found: n !== undefined };
}

export function polarity(text: string): boolean | undefined {
  const m = /\b(yes|yeah|yep|yup|sure|correct|absolutely|definitely|no|nope|nah|not|never|don'?t|do not)\b/i.exec(text.replace(/’/g, "'"));
  return m ? /^(yes|yeah|yep|yup|sure|correct|absolutely|definitely)$/i.test(m[1] ?? '') : undefined;
}


const titleCase = (s: string) => s.replace(/\b[a-z]/g, (c) => c.toUpperCase());
const NOT_A_NAME = /^(calling|here|from|and|interested|looking|trying|not|just|a|an|the|good|fine|busy|sorry|glad|happy|so|very|in|at|on|with|about)$/i;

function extractName(prop: string, text: string): string | undefined {
  const m = /\b(?:my name is|my name's|call me)\s+([a-z][a-z'-]*(?:\s+[a-z][a-z'-]*){0,2})/i.exec(text)
    ?? /\b(?:[Tt]his is|I'm|I am)\s+([A-Z][a-zA-Z'-]*(?:\s+[A-Z][a-zA-Z'-]*){0,2})/.exec(text);
  const parts: string[] = [];
  for (const w of (m?.[1] ?? '').split(/\s+/).filter(Boolean)) {
    if (NOT_A_NAME.test(w)) break;
    parts.push(titleCase(w.toLowerCase()));
  }
  if (parts.length === 0) return undefined;
  if (/first|given/i.test(prop)) return parts[0];
  if (/last|sur|family/i.test(prop)) return parts.length > 1 ? parts[parts.length - 1] : undefined;
  return parts.join(' ');
}

const MONTH = '(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\\.?';
const DATE_RE = new RegExp(
  `\\b\\d{4}-\\d{2}-\\d{2}\\b|\\b\\d{1,2}/\\d{1,2}(?:/\\d{2,4})?\\b|\\b${MONTH}\\s+\\d{1,2}(?:st|nd|rd|th)?(?:,?\\s+\\d{4})?\\b` +
    `|\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?${MONTH}(?:\\s+\\d{4})?|\\b(?:today|tomorrow|tonight|(?:next\\s+|this\\s+)?(?:mon|tues|wednes|thurs|fri|satur|sun)day)\\b`,
  'i',
);

/** The first extractor whose property-name test passes decides; later ones never run. */
function extractString(prop: string, format: unknown, text: string): string | undefined {
  const p = prop.toLowerCase();
  const first = (re: RegExp) => re.exec(text)?.[0];
  if (/e-?mail/.test(p) || format === 'email') return first(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/);
  if (/phone|mobile|cell|\btel/.test(p)) {
    const m = first(/\+?\d[\d\s().-]{5,}\d/);
    return m && m.replace(/\D/g, '').length >= 7 ? m.trim() : undefined;
  }
  if (/time|hour/.test(p) && !/date/.test(p)) return first(/\b\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\b\d{1,2}:\d{2}\b|\bnoon\b/i);
  if (/date|day|when|birth|dob/.test(p) || format === 'date' || format === 'date-time') return first(DATE_RE);
  if (/name/.test(p)) return extractName(p, text);
  if (/number|num$|(^|_)id$|code|zip|postal|account|order/.test(p)) return first(/\d[\d-]*\d|\d/);
  if (/query|question|message|text|reason|summary|note|request|topic|issue|input|utterance/.test(p)) {
    return text.trim() ? text.trim().slice(0, 200) : undefined;
  }
  return undefined;
}

function fillString(s: JsonSchema, prop: string, env: Env): Filled {
  const hinted = env.hint?.(prop);
  const extracted = hinted ?? extractString(prop, s.format, env.userText);
  const minLength = typeof s.minLength === 'number' ? s.minLength : 0;
  let value = extracted ?? (minLength > 0 ? 'unknown' : '');
  if (value.length < minLength) value = value.padEnd(minLength, '.');
  if (typeof s.maxLength === 'number') value = value.slice(0, s.maxLength);
  return { value, found: extracted !== undefined };
}
