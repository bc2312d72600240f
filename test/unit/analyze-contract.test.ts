import { openApiDocument } from '../../api/openapi';
import { AnalyzeBody } from '../../api/schemas/analyze';
import { BatchAnalysisSchema, batchAnalysis, CallAnalysisSchema, callAnalysis } from '../../src/presenters/analysis';
import { issueMessages } from '../../src/validation/issue-messages';

/** POST /v1/calls/{id}/analyze and POST /v1/batches/{id}/analyze: one body schema, the seed's answers plus credits_used. */
describe('analyze: body and answers', () => {
  const errors = (body: unknown) => {
    const parsed = AnalyzeBody.safeParse(body);
    return parsed.success ? [] : issueMessages(parsed.error);
  };

  it('reads the seed form: trimmed, a question without a type is a string question', () => {
    expect(AnalyzeBody.parse({ goal: ' Book rooms ', questions: [['Who?'], [' Rooms ', ' integer ']] })).toEqual({
      goal: 'Book rooms',
      questions: [
        ['Who?', 'string'],
        ['Rooms', 'integer'],
      ],
    });
  });

  it.each([
    [{ questions: [['Q?', 'string']] }, ['goal must be a non-empty string of at most 2000 characters.']],
    [{ goal: '  ', questions: [['Q?']] }, ['goal must be a non-empty string of at most 2000 characters.']],
    [{ goal: 'g', questions: 'Q?' }, ['questions must be an array of 1 to 50 [question, type] pairs.']],
    [{ goal: 'g', questions: [] }, ['questions must be an array of 1 to 50 [question, type] pairs.']],
    [{ goal: 'g', questions: new Array(51).fill(['Q?']) }, ['questions must be an array of 1 to 50 [question, type] pairs.']],
    [{ goal: 'g', questions: [[1, 'string']] }, ['questions[0][0] must be a non-empty string of at most 1000 characters.']],
    [{ goal: 'g', questions: [['Q?', 'string', 'x']] }, ['questions[0] must be [question] or [question, type].']],
    [{ goal: 'g', questions: ['Q?'] }, ['questions[0] must be [question] or [question, type].']],
    [{ goal: 'g', questions: [['Q?', '']] }, ['questions[0][1] must be a non-empty type description of at most 200 characters.']],
    [{ goal: 'g', questions: [['Q?']], extra: true }, ['Unknown field "extra".']],
    [[1], ['Request body must be a JSON object.']],
  ])('refuses %j in Bland\'s wording', (body, expected) => {
    expect(errors(body)).toEqual(expected);
  });

  it('lists every problem at once', () => {
    expect(errors({ goal: 5, questions: [['Q?', ''], [2]] })).toEqual([
      'goal must be a non-empty string of at most 2000 characters.',
      'questions[0][1] must be a non-empty type description of at most 200 characters.',
      'questions[1][0] must be a non-empty string of at most 1000 characters.',
    ]);
  });

  it('answers the seed shapes with credits_used 0 (nothing is billed on a self-hosted deployment)', () => {
    const call = callAnalysis(['human', true, null]);
    expect(call).toEqual({ status: 'success', message: 'Successfully analyzed call', answers: ['human', true, null], credits_used: 0 });
    expect(CallAnalysisSchema.parse(call)).toEqual(call);
    const batch = batchAnalysis({ 'call-1': ['human'], 'call-2': [null] });
    expect(batch).toEqual({ status: 'success', message: 'Successfully analyzed batch', answers: { 'call-1': ['human'], 'call-2': [null] }, credits_used: 0 });
    expect(BatchAnalysisSchema.parse(batch)).toEqual(batch);
  });

  it('documents credits_used as a required number of both answers', () => {
    const doc = openApiDocument('http://127.0.0.1:1') as unknown as {
      paths: Record<string, { post: { responses: { 200: { content: { 'application/json': { schema: { required: string[]; properties: Record<string, { type?: string }> } } } } } } }>;
    };
    for (const path of ['/v1/calls/{call_id}/analyze', '/v1/batches/{batch_id}/analyze']) {
      const schema = doc.paths[path]!.post.responses[200].content['application/json'].schema;
      expect(schema.required).toEqual(expect.arrayContaining(['status', 'message', 'answers', 'credits_used']));
      expect(schema.properties.credits_used!.type).toBe('number');
    }
  });
});
