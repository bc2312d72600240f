import request from 'supertest';
import { callWorkflowId } from '../../src/ids';
import { questionsJsonSchema } from '../../src/llm/answer-schema';
import { sendCall, uniqueNumber } from '../helpers/calls';
import { startStack, uid, type Stack } from '../helpers/stack';

/**
 * POST /v1/calls/{id}/analyze end to end: the API validates and starts an `analyze-…` workflow,
 * whose activity asks the (scripted) offline model; the API answers with its result.
 */
describe('POST /v1/calls/{id}/analyze', () => {
  let stack: Stack;
  let analyzedCallId: string;

  beforeAll(async () => {
    stack = await startStack();
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['I need three rooms, and yes call me back.', 'Okay, bye now.'] });
    analyzedCallId = await sendCall(stack, { phone_number: to, task: 'Book hotel rooms.' });
    await stack.temporal.client.workflow.getHandle(callWorkflowId(analyzedCallId)).result();
  });
  afterAll(async () => {
    await stack.stop();
  });

  const analyze = (id: string, body: unknown, key = stack.org.apiKey) =>
    request(stack.apiUrl).post(`/v1/calls/${id}/analyze`).set('authorization', key).send(body as object);

  it('answers each question with its type, null when the call does not say', async () => {
    const tag = uid();
    const questions: Array<[string, string]> = [
      ['Who answered the call?', 'human or voicemail'],
      ['Did they want a call back?', 'boolean'],
      ['How many rooms?', 'number'],
      ['Their favourite colour', 'string'],
    ];
    const { keys } = questionsJsonSchema(questions);
    stack.model.scripts.add({ match: `goal-${tag}`, replies: [{ json: { [keys[0]!]: 'human', [keys[1]!]: true, [keys[2]!]: 3, [keys[3]!]: null } }] });
    const res = await analyze(analyzedCallId, { goal: `Book rooms. goal-${tag}`, questions }).expect(200);
    expect(res.body).toEqual({ status: 'success', message: 'Successfully analyzed call', answers: ['human', true, 3, null], credits_used: 0 });
    // The seed's example shape: a question without a type is a string question.
    const tag2 = uid();
    stack.model.scripts.add({ match: `goal-${tag2}`, replies: [{ json: { q1_who: 'a person' } }] });
    expect((await analyze(analyzedCallId, { goal: `goal-${tag2}`, questions: [['Who']] }).expect(200)).body.answers).toEqual(['a person']);
  });

  it('refuses bad input with Bland-shaped 400s and changes nothing', async () => {
    const cases: Array<[unknown, string]> = [
      [{ questions: [['Q?', 'string']] }, 'goal must be a non-empty string'],
      [{ goal: 'g', questions: 'Q?' }, 'questions must be an array'],
      [{ goal: 'g', questions: [] }, 'questions must be an array'],
      [{ goal: 'g', questions: [[1, 'string']] }, 'questions[0][0] must be a non-empty string'],
      [{ goal: 'g', questions: [['Q?', 'string', 'x']] }, 'questions[0] must be [question] or [question, type]'],
      [{ goal: 'g', questions: [['Q?', '']] }, 'questions[0][1] must be a non-empty type description'],
      [{ goal: 'g', questions: [['Q?']], extra: true }, 'Unknown field "extra".'],
      [[1], 'Request body must be a JSON object.'],
    ];
    for (const [body, error] of cases) {
      const res = await analyze(analyzedCallId, body).expect(400);
      expect(res.body).toMatchObject({ status: 'error', message: 'Invalid parameters' });
      expect(res.body.errors.join(' ')).toContain(error);
    }
  });

  it('404s an unknown call or another organisation’s, 409s a call still in progress', async () => {
    const body = { goal: 'g', questions: [['Q?', 'string']] };
    expect((await analyze('no-such-call', body).expect(404)).body).toMatchObject({ status: 'error', message: 'Call not found.' });
    const other = await stack.newOrg();
    await analyze(analyzedCallId, body, other.apiKey).expect(404);
    const later = await sendCall(stack, { phone_number: uniqueNumber(), task: 'Later.', start_time: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await analyze(later, body).expect(409)).body.message).toMatch(/not ended yet/);
    await request(stack.apiUrl).post(`/v1/calls/${later}/stop`).set('authorization', stack.org.apiKey).expect(200);
  });

  it('answers 502 with the reason when the model cannot produce valid answers', async () => {
    const tag = uid();
    stack.model.scripts.add({ match: `goal-${tag}`, replies: [1, 2, 3].map(() => ({ json: { q1_rooms: 'three' } })) });
    const res = await analyze(analyzedCallId, { goal: `goal-${tag}`, questions: [['Rooms', 'integer']] }).expect(502);
    expect(res.body).toEqual({
      status: 'error',
      message: 'The call could not be analyzed.',
      errors: [`call_questions: the model's answer does not match the schema ($.q1_rooms: expected integer or null, got "three")`],
    });
  });
});
