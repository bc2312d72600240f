import { lookup, renderDeep, renderTemplate, stringify } from '../../src/templating';

describe('renderTemplate', () => {
  it('substitutes {{var}}', () => {
    expect(renderTemplate('Hello {{name}}!', { name: 'Ada' })).toBe('Hello Ada!');
  });

  it('follows dot paths {{a.b.c}}', () => {
    expect(renderTemplate('{{a.b.c}}', { a: { b: { c: 'deep' } } })).toBe('deep');
  });

  it('allows whitespace inside the braces', () => {
    expect(renderTemplate('{{ name }}|{{   a.b   }}|{{\tname\t}}', { name: 'Ada', a: { b: 2 } })).toBe('Ada|2|Ada');
  });

  it('renders a missing variable or path as empty', () => {
    expect(renderTemplate('[{{missing}}][{{a.nope}}][{{a.b.c.d}}]', { a: { b: 'x' } })).toBe('[][][]');
  });

  it('renders null as empty and keeps falsy scalars', () => {
    expect(renderTemplate('[{{n}}][{{z}}][{{f}}][{{e}}]', { n: null, z: 0, f: false, e: '' })).toBe('[][0][false][]');
  });

  it('renders objects and arrays as JSON', () => {
    expect(renderTemplate('{{o}} {{arr}}', { o: { x: 1, y: 'two' }, arr: [1, 'a'] })).toBe('{"x":1,"y":"two"} [1,"a"]');
  });

  it('renders {{input}} as JSON', () => {
    const input = { name: 'Ada', order: { id: 42, items: ['tea'] } };
    const out = renderTemplate('Payload: {{input}}', { input });
    expect(JSON.parse(out.slice('Payload: '.length))).toEqual(input);
  });

  it('replaces every occurrence and leaves other text alone', () => {
    expect(renderTemplate('{{a}}-{{a}}-{b}-{{ }}', { a: 'x' })).toBe('x-x-{b}-{{ }}');
  });

  it('allows hyphens and underscores in names', () => {
    expect(renderTemplate('{{first-name}} {{_id}}', { 'first-name': 'Ada', _id: 'i1' })).toBe('Ada i1');
  });

  it('indexes arrays by position with dot notation', () => {
    expect(renderTemplate('{{list.1}}', { list: ['a', 'b'] })).toBe('b');
  });

  it('does not render its own output again (no double expansion)', () => {
    expect(renderTemplate('{{a}}', { a: '{{b}}', b: 'secret' })).toBe('{{b}}');
  });
});

describe('renderTemplate never reaches prototypes or evaluates code', () => {
  it.each(['{{__proto__}}', '{{constructor}}', '{{prototype}}', '{{a.__proto__}}', '{{a.constructor}}', '{{constructor.constructor}}'])(
    '%s renders as empty',
    (template) => {
      expect(renderTemplate(template, { a: { b: 1 } })).toBe('');
    },
  );

  it('does not read inherited properties', () => {
    expect(renderTemplate('[{{toString}}][{{a.hasOwnProperty}}][{{s.length}}]', { a: {}, s: 'abc' })).toBe('[][][]');
  });

  it('leaves expressions untouched instead of evaluating them', () => {
    const out = renderTemplate('{{ 1+1 }}|{{process.exit()}}|{{a["b"]}}|{{`x`}}', { a: { b: 'B' } });
    expect(out).not.toContain('2|');
    expect(out).toBe('{{ 1+1 }}|{{process.exit()}}|{{a["b"]}}|{{`x`}}');
  });

  it('{{constructor.constructor}} does not reach Function, even on a variable that has a prototype chain', () => {
    const out = renderTemplate('{{constructor.constructor}}|{{s.constructor.constructor}}|{{d.constructor.name}}', { s: 'str', d: new Date(0) });
    expect(out).toBe('||');
    expect(out).not.toMatch(/function|\[native code\]/);
  });

  it('a variable named __proto__ from JSON input is still not reachable', () => {
    const vars = JSON.parse('{"__proto__": {"polluted": "yes"}, "ok": "fine"}') as Record<string, unknown>;
    expect(renderTemplate('{{__proto__.polluted}}|{{ok}}|{{polluted}}', vars)).toBe('|fine|');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('lookup and stringify', () => {
  it('lookup returns the raw value', () => {
    const obj = { x: 1 };
    expect(lookup({ a: { b: obj } }, 'a.b')).toBe(obj);
    expect(lookup({ a: 1 }, 'a.b')).toBeUndefined();
    expect(lookup({ a: null }, 'a.b')).toBeUndefined();
  });

  it('stringify renders scalars as strings and objects as JSON', () => {
    expect(stringify(undefined)).toBe('');
    expect(stringify(null)).toBe('');
    expect(stringify(3.5)).toBe('3.5');
    expect(stringify(true)).toBe('true');
    expect(stringify({ a: [1] })).toBe('{"a":[1]}');
  });
});

describe('renderDeep', () => {
  const vars = { name: 'Ada', id: 7, order: { items: ['tea', 'cake'] } };

  it('renders every string in nested arrays and objects', () => {
    const value = {
      url: 'https://example.test/users/{{id}}',
      headers: { 'x-name': '{{ name }}', 'x-none': '{{missing}}' },
      body: [{ text: 'Hi {{name}}' }, ['{{order.items.0}}', '{{order}}']],
    };
    expect(renderDeep(value, vars)).toEqual({
      url: 'https://example.test/users/7',
      headers: { 'x-name': 'Ada', 'x-none': '' },
      body: [{ text: 'Hi Ada' }, ['tea', '{"items":["tea","cake"]}']],
    });
  });

  it('keeps non-string leaves and does not render keys', () => {
    const value = { '{{name}}': '{{name}}', n: 1, b: false, z: null, arr: [1, true, null] };
    expect(renderDeep(value, vars)).toEqual({ '{{name}}': 'Ada', n: 1, b: false, z: null, arr: [1, true, null] });
  });

  it('does not mutate its input', () => {
    const value = { a: ['{{name}}'], b: { c: '{{id}}' } };
    const copy = JSON.parse(JSON.stringify(value)) as typeof value;
    renderDeep(value, vars);
    expect(value).toEqual(copy);
  });

  it('renders a bare string and passes scalars through', () => {
    expect(renderDeep('{{name}}', vars)).toBe('Ada');
    expect(renderDeep(5, vars)).toBe(5);
    expect(renderDeep(null, vars)).toBeNull();
  });
});
