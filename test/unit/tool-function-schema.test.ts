import { toolFunction, toolParameters } from '../../src/tools/function-schema';
import type { ToolSpec } from '../../src/tools/types';

describe('input_schema → function parameters', () => {
  it("turns the seed's loose forms into string properties carrying the hint and the example", () => {
    const params = toolParameters({
      example: { speech: 'One moment', date: '2024-04-20', options: 'monday' },
      type: 'object',
      properties: { speech: 'string', date: 'YYYY-MM-DD', options: 'monday, wednesday, friday' },
    });
    expect(params).toEqual({
      type: 'object',
      properties: {
        speech: { type: 'string', description: 'string. Example: "One moment"' },
        date: { type: 'string', description: 'YYYY-MM-DD. Example: "2024-04-20"' },
        options: { type: 'string', description: 'monday, wednesday, friday. Example: "monday"' },
      },
    });
  });

  it('keeps strict JSON schema properties and required, adding the example', () => {
    const params = toolParameters({
      example: { name: 'John Doe', age: 40 },
      type: 'object',
      properties: { name: { type: 'string' }, email: { type: 'string', format: 'email' }, age: {} },
      required: ['name', 'email', 'not_a_property'],
    });
    expect(params).toEqual({
      type: 'object',
      properties: {
        name: { type: 'string', description: 'Example: "John Doe"' },
        email: { type: 'string', format: 'email' },
        age: { type: 'integer', description: 'Example: 40' },
      },
      required: ['name', 'email'],
    });
  });

  it('derives properties from the example alone, and gives an empty object without a schema', () => {
    expect(toolParameters({ example: { tags: ['a'], ok: true } })).toEqual({
      type: 'object',
      properties: { tags: { type: 'array', description: 'Example: ["a"]' }, ok: { type: 'boolean', description: 'Example: true' } },
    });
    expect(toolParameters(null)).toEqual({ type: 'object', properties: {} });
  });

  it('shows the model the name, the description and the example input', () => {
    const spec = {
      name: 'BookAppointment', description: 'Books an appointment', inputSchema: { example: { date: '2024-04-20' }, properties: { speech: 'string', date: 'YYYY-MM-DD' } },
    } as unknown as ToolSpec;
    const fn = toolFunction(spec);
    expect(fn.name).toBe('BookAppointment');
    expect(fn.description).toContain('Books an appointment');
    expect(fn.description).toContain('"speech"');
    expect(fn.description).toContain('Example input: {"date":"2024-04-20"}');
  });
});
