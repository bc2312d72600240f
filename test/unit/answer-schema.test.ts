import { AnswerSchemaError, analysisJsonSchema, questionsJsonSchema, typeWordSchema, validateAnswer } from '../../src/llm/answer-schema';

describe('analysis_schema → strict JSON Schema', () => {
  it('converts the seed example: known types typed, anything else a described string, every key nullable and required', () => {
    const schema = analysisJsonSchema({
      email_address: 'email',
      first_name: 'string',
      wants_to_book_appointment: 'boolean',
      appointment_time: 'YYYY-MM-DD HH:MM:SS',
      num_rooms: 'number',
      guests: 'integer',
    });
    expect(schema).toEqual({
      type: 'object',
      additionalProperties: false,
      required: ['email_address', 'first_name', 'wants_to_book_appointment', 'appointment_time', 'num_rooms', 'guests'],
      properties: {
        email_address: { type: ['string', 'null'], description: 'email' },
        first_name: { type: ['string', 'null'] },
        wants_to_book_appointment: { type: ['boolean', 'null'] },
        appointment_time: { type: ['string', 'null'], description: 'YYYY-MM-DD HH:MM:SS' },
        num_rooms: { type: ['number', 'null'] },
        guests: { type: ['integer', 'null'] },
      },
    });
  });

  it('handles arrays, nested objects, choices and JSON Schema fragments', () => {
    const schema = analysisJsonSchema({
      tags: 'array',
      scores: 'array of numbers',
      dates: 'date[]',
      address: { city: 'string', zip: 'string' },
      people: [{ name: 'string' }],
      mood: ['happy', 'neutral', 'upset'],
      plan: { type: 'string', enum: ['basic', 'pro'], description: 'chosen plan' },
    });
    const p = schema.properties as Record<string, Record<string, unknown>>;
    expect(p.tags).toEqual({ anyOf: [{ type: 'array', items: { type: 'string' } }, { type: 'null' }] });
    expect(p.scores).toEqual({ anyOf: [{ type: 'array', items: { type: 'number' } }, { type: 'null' }] });
    expect(p.dates).toEqual({ anyOf: [{ type: 'array', items: { type: 'string', description: 'date' } }, { type: 'null' }] });
    expect(p.address).toEqual({
      anyOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['city', 'zip'],
          properties: { city: { type: ['string', 'null'] }, zip: { type: ['string', 'null'] } },
        },
        { type: 'null' },
      ],
    });
    expect((p.people!.anyOf as unknown[])[0]).toMatchObject({ type: 'array', items: { type: 'object', required: ['name'] } });
    expect(p.mood).toEqual({ type: ['string', 'null'], enum: ['happy', 'neutral', 'upset', null] });
    expect(p.plan).toEqual({ type: ['string', 'null'], enum: ['basic', 'pro', null], description: 'chosen plan' });
  });

  it('refuses what cannot be expressed or stored, with the path', () => {
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ details: 'object' }, 'analysis_schema.details'],
      [{}, 'no keys'],
      [{ 'a.b': 'string' }, 'cannot be stored'],
      [{ $where: 'string' }, 'cannot be stored'],
      [{ x: 3 }, 'expected a type description'],
      [{ x: [] }, 'a list is either'],
      [{ a: { b: { c: { d: { e: { f: 'string' } } } } } }, 'nested more than'],
    ];
    for (const [spec, message] of bad) {
      expect(() => analysisJsonSchema(spec)).toThrow(AnswerSchemaError);
      expect(() => analysisJsonSchema(spec)).toThrow(message);
    }
  });

  it('reads type words loosely but never guesses an enum from prose', () => {
    expect(typeWordSchema('Boolean', 'x')).toEqual({ type: 'boolean' });
    expect(typeWordSchema(' int ', 'x')).toEqual({ type: 'integer' });
    expect(typeWordSchema('human or voicemail', 'x')).toEqual({ type: 'string', description: 'human or voicemail' });
  });
});

describe('analyze questions → one property per question', () => {
  it('keys follow the question order and carry the question as description', () => {
    const { schema, keys } = questionsJsonSchema([
      ['Who answered the call?', 'human or voicemail'],
      ['Customer confirmed they were satisfied', 'boolean'],
      ['How many rooms?', 'number'],
      ['Anything else', 'object'],
    ]);
    expect(keys).toEqual(['q1_who_answered_the_call', 'q2_customer_confirmed_they_were_satisfied', 'q3_how_many_rooms', 'q4_anything_else']);
    const p = schema.properties as Record<string, Record<string, unknown>>;
    expect(p.q1_who_answered_the_call).toEqual({ type: ['string', 'null'], description: 'Who answered the call? (human or voicemail)' });
    expect(p.q2_customer_confirmed_they_were_satisfied).toEqual({ type: ['boolean', 'null'], description: 'Customer confirmed they were satisfied' });
    expect(p.q3_how_many_rooms!.type).toEqual(['number', 'null']);
    expect(p.q4_anything_else!.type).toEqual(['string', 'null']);
    expect(schema.required).toEqual(keys);
  });
});

describe('validating the model answer', () => {
  const schema = analysisJsonSchema({ email: 'string', n: 'integer', ok: 'boolean', tags: 'array', where: { city: 'string' }, mood: ['a', 'b'] });
  const good = { email: 'x@y.z', n: 3, ok: null, tags: ['t'], where: { city: null }, mood: 'a' };

  it('accepts a conforming answer, nulls included', () => {
    expect(validateAnswer(schema, good)).toEqual([]);
    expect(validateAnswer(schema, { email: null, n: null, ok: null, tags: null, where: null, mood: null })).toEqual([]);
  });

  it('coerces nothing and names each problem', () => {
    expect(validateAnswer(schema, { ...good, n: '3' })).toEqual(['$.n: expected integer or null, got "3"']);
    expect(validateAnswer(schema, { ...good, n: 2.5 })).toEqual(['$.n: expected integer or null, got number']);
    expect(validateAnswer(schema, { ...good, ok: 'yes' })).toEqual(['$.ok: expected boolean or null, got "yes"']);
    expect(validateAnswer(schema, { ...good, tags: [1] })).toEqual(['$.tags[0]: expected string, got number']);
    expect(validateAnswer(schema, { ...good, mood: 'c' })).toEqual(['$.mood: "c" is not one of ["a","b",null]']);
    expect(validateAnswer(schema, { ...good, extra: 1 })).toEqual(['$.extra: not in the schema']);
    const { email: _e, ...missing } = good;
    expect(validateAnswer(schema, missing)).toEqual(['$.email: missing']);
    expect(validateAnswer(schema, { ...good, where: { city: 'x', zip: '1' } })).toEqual(['$.where.zip: not in the schema']);
    expect(validateAnswer(schema, [good])).toEqual(['$: expected object, got array']);
  });
});
