import request from 'supertest';
import { callWorkflowId } from '../../src/ids';
import { startStack, type Stack } from '../helpers/stack';

const bookAppointment = () => ({
  name: 'BookAppointment',
  description: 'Books an appointment for the customer',
  url: 'https://your-api.example.com/book-appointment',
  method: 'POST',
  headers: { Authorization: 'Bearer YOUR_API_KEY' },
  body: { date: '{{input.date}}', time: '{{input.time}}', service: '{{input.service}}' },
  input_schema: {
    example: { speech: 'Got it - one second.', date: '2024-04-20', time: '10:00 AM', service: 'Haircut' },
    type: 'object',
    properties: { speech: 'string', date: 'YYYY-MM-DD', time: 'HH:MM AM/PM', service: 'Haircut, Coloring, Trim, or Other' },
  },
  response: { succesfully_booked_slot: '$.success', stylist_name: '$.stylist_name' },
});

/** The Tools API and tools/dynamic_data in Send Call, against real FerretDB and Temporal, without a worker. */
describe('API: custom tools', () => {
  let stack: Stack;
  const started: string[] = [];
  beforeAll(async () => {
    stack = await startStack({ worker: false });
  });
  afterAll(async () => {
    await Promise.allSettled(started.map((id) => stack.temporal.client.workflow.getHandle(callWorkflowId(id)).terminate('test cleanup')));
    await stack.stop();
  });
  const api = () => request(stack.apiUrl);
  const as = (key: string) => ({ authorization: key });

  it('creates, lists, reads, updates and deletes a tool in the seed shapes', async () => {
    const created = await api().post('/v1/tools').set(as(stack.org.apiKey)).send(bookAppointment()).expect(200);
    expect(created.body).toEqual({ status: 'success', tool_id: expect.stringMatching(/^TL-[0-9a-f-]{36}$/) });
    const id: string = created.body.tool_id;

    const list = await api().get('/v1/tools').set(as(stack.org.apiKey)).expect(200);
    expect(list.body.status).toBe('success');
    expect(list.body.tools).toContainEqual({ tool_id: id, label: null, tool: bookAppointment(), public: false });

    const one = await api().get(`/v1/tools/${id}`).set(as(stack.org.apiKey)).expect(200);
    expect(one.body).toEqual({ status: 'success', tool: { tool_id: id, label: null, tool: bookAppointment(), public: false } });

    const changed = { ...bookAppointment(), description: 'Books the appointment. Can only be used once.', timeout: 99999999, label: 'salon' };
    await api().post(`/v1/tools/${id}`).set(as(stack.org.apiKey)).send(changed).expect(200, { status: 'success', tool_id: id });
    const after = await api().get(`/v1/tools/${id}`).set(as(stack.org.apiKey)).expect(200);
    expect(after.body.tool).toMatchObject({ label: 'salon', tool: { description: 'Books the appointment. Can only be used once.', timeout: 99999999 } });
    expect(after.body.tool.tool).not.toHaveProperty('label');

    await api().delete(`/v1/tools/${id}`).set(as(stack.org.apiKey)).expect(200, { status: 'success', message: 'Tool has been deleted.' });
    await api().get(`/v1/tools/${id}`).set(as(stack.org.apiKey)).expect(404);
    await api().delete(`/v1/tools/${id}`).set(as(stack.org.apiKey)).expect(404);
  });

  it("answers another organisation's tool with 404 on read, update and delete", async () => {
    const { body } = await api().post('/v1/tools').set(as(stack.org.apiKey)).send(bookAppointment()).expect(200);
    const other = await stack.newOrg();
    const res = await api().get(`/v1/tools/${body.tool_id}`).set(as(other.apiKey)).expect(404);
    expect(res.body).toMatchObject({ status: 'error', message: 'Tool not found.' });
    await api().post(`/v1/tools/${body.tool_id}`).set(as(other.apiKey)).send(bookAppointment()).expect(404);
    await api().delete(`/v1/tools/${body.tool_id}`).set(as(other.apiKey)).expect(404);
    const theirs = await api().get('/v1/tools').set(as(other.apiKey)).expect(200);
    expect(theirs.body.tools).toEqual([]);
    // Still there for its owner.
    await api().get(`/v1/tools/${body.tool_id}`).set(as(stack.org.apiKey)).expect(200);
    await api().get('/v1/tools/TL-does-not-exist').set(as(stack.org.apiKey)).expect(404);
  });

  it.each([
    ['transfer', 'TransferCall'],
    ['press', 'PressKeys'],
    ['say', 'say_hello'],
    ['hang', 'HangUpNow'],
    ['input', 'GetInput'],
  ])('refuses the reserved word "%s", also as part of a name (%s)', async (word, name) => {
    const res = await api().post('/v1/tools').set(as(stack.org.apiKey)).send({ ...bookAppointment(), name }).expect(400);
    expect(res.body.status).toBe('error');
    expect(res.body.errors.join(' ')).toContain(`reserved word "${word}"`);
  });

  it.each([
    ['missing name and description', { name: undefined, description: undefined }, ['name is required', 'description is required']],
    ['a name with spaces', { name: 'Book Appointment' }, ['name must be 1-64 letters']],
    ['an http URL', { url: 'http://your-api.example.com/book' }, ['must begin with https://']],
    ['a URL that is not a URL', { url: 'not a url' }, ['valid absolute URL']],
    ['a method other than GET or POST', { method: 'PUT' }, ['method must be "GET" or "POST"']],
    ['headers that are not an object', { headers: 'Authorization: x' }, ['headers must be an object']],
    ['a string body other than "{{input}}"', { body: 'date={{input.date}}' }, ['body must be an object, or the string "{{input}}"']],
    ['an input_schema that is not an object', { input_schema: 'date' }, ['input_schema must be an object']],
    ['input_schema properties of the wrong kind', { input_schema: { properties: { date: 5 } } }, ['input_schema.properties.date must be a JSON schema object']],
    ['input_schema.required that is not a list', { input_schema: { properties: { a: 'string' }, required: 'a' } }, ['input_schema.required must be an array']],
    ['a response map with a non-string path', { response: { id: 5 } }, ['response.id: the JSONPath must be a non-empty string']],
    ['a timeout that is not a number', { timeout: 'fast' }, ['timeout must be a whole number of milliseconds']],
  ])('refuses %s with a clear 400', async (_label, patch, messages) => {
    const body = { ...bookAppointment(), ...patch };
    const res = await api().post('/v1/tools').set(as(stack.org.apiKey)).send(body).expect(400);
    for (const m of messages) expect(res.body.errors.join(' | ')).toContain(m);
  });

  it('accepts the seed forms: body "{{input}}", response_data, GET by default', async () => {
    const res = await api()
      .post('/v1/tools')
      .set(as(stack.org.apiKey))
      .send({ name: 'LookupOrder', description: 'Looks up an order', url: 'https://api.example.com/orders', body: '{{input}}', response_data: [{ name: 'status', data: '$.status' }] })
      .expect(200);
    const tool = await stack.db.collections.tools.findOne({ _id: res.body.tool_id });
    expect(tool?.spec).toMatchObject({ method: 'GET', body: '{{input}}', response: { status: '$.status' }, timeoutMs: 10000 });
  });

  it('refuses malformed JSON and changes nothing', async () => {
    const before = await stack.db.collections.tools.countDocuments({ org_id: stack.org.id });
    const res = await api().post('/v1/tools').set(as(stack.org.apiKey)).set('content-type', 'application/json').send('{"name": "x",').expect(400);
    expect(res.body.status).toBe('error');
    expect(await stack.db.collections.tools.countDocuments({ org_id: stack.org.id })).toBe(before);
  });

  describe('tools and dynamic_data on POST /v1/calls', () => {
    const callCount = () => stack.db.collections.calls.countDocuments({ org_id: stack.org.id });

    it('refuses an unknown TL- id with a clear 400, and starts nothing', async () => {
      const before = await callCount();
      const res = await api().post('/v1/calls').set(as(stack.org.apiKey)).send({ phone_number: '+14155550142', task: 't', tools: ['TL-00000000-0000-0000-0000-000000000000'] }).expect(400);
      expect(res.body.errors).toEqual(['tools: no tool with id TL-00000000-0000-0000-0000-000000000000.']);
      expect(await callCount()).toBe(before);
    });

    it("refuses another organisation's TL- id as unknown", async () => {
      const other = await stack.newOrg();
      const { body } = await api().post('/v1/tools').set(as(other.apiKey)).send(bookAppointment()).expect(200);
      const before = await callCount();
      const res = await api().post('/v1/calls').set(as(stack.org.apiKey)).send({ phone_number: '+14155550143', task: 't', tools: [body.tool_id] }).expect(400);
      expect(res.body.errors).toEqual([`tools: no tool with id ${body.tool_id}.`]);
      expect(await callCount()).toBe(before);
    });

    it('refuses an invalid inline tool, a non-id string and bad dynamic_data, naming each', async () => {
      const res = await api()
        .post('/v1/calls')
        .set(as(stack.org.apiKey))
        .send({
          phone_number: '+14155550144',
          task: 't',
          tools: [{ ...bookAppointment(), name: 'SayHello' }, 'BookAppointment'],
          dynamic_data: [{ url: 'ftp://x.example.com' }, { url: 'https://api.example.com', response_data: [{ name: 'a' }] }],
        })
        .expect(400);
      const text = res.body.errors.join(' | ');
      expect(text).toContain('tools[0]: name "SayHello" contains the reserved word "say"');
      expect(text).toContain('tools: "BookAppointment" is not a tool id');
      expect(text).toContain('dynamic_data[0].url must begin with https://');
      expect(text).toContain('dynamic_data[1].response_data[0].data must be a JSONPath string');
    });

    it('snapshots TL- tools and inline tools into the workflow input', async () => {
      const { body: saved } = await api().post('/v1/tools').set(as(stack.org.apiKey)).send(bookAppointment()).expect(200);
      const inline = { name: 'CheckHours', description: 'Gets opening hours', url: 'https://api.example.com/hours' };
      const res = await api()
        .post('/v1/calls')
        .set(as(stack.org.apiKey))
        .send({ phone_number: '+14155550145', task: 't', tools: [saved.tool_id, inline], dynamic_data: [{ url: 'https://api.example.com/member', response_data: [{ name: 'member_id', data: '$.id' }] }] })
        .expect(200);
      started.push(res.body.call_id);
      // Deleting the tool afterwards does not change the call: it carries its own copy.
      await api().delete(`/v1/tools/${saved.tool_id}`).set(as(stack.org.apiKey)).expect(200);
      const handle = stack.temporal.client.workflow.getHandle(callWorkflowId(res.body.call_id));
      const history = await handle.fetchHistory();
      const started0 = history.events?.[0]?.workflowExecutionStartedEventAttributes;
      const payload = JSON.parse(Buffer.from(started0!.input!.payloads![0]!.data!).toString());
      expect(payload.tools.map((t: { name: string; toolId: string | null }) => [t.name, t.toolId])).toEqual([
        ['BookAppointment', saved.tool_id],
        ['CheckHours', null],
      ]);
      expect(payload.tools[0]).toMatchObject({ method: 'POST', response: { stylist_name: '$.stylist_name' } });
      expect(payload.dynamicData).toEqual([expect.objectContaining({ url: 'https://api.example.com/member', cache: true, method: 'GET' })]);
    });

    it('leaves the workflow input of calls without tools as it was', async () => {
      const res = await api().post('/v1/calls').set(as(stack.org.apiKey)).send({ phone_number: '+14155550146', task: 't' }).expect(200);
      started.push(res.body.call_id);
      const history = await stack.temporal.client.workflow.getHandle(callWorkflowId(res.body.call_id)).fetchHistory();
      const payload = JSON.parse(Buffer.from(history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!.data!).toString());
      expect(payload).not.toHaveProperty('tools');
      expect(payload).not.toHaveProperty('dynamicData');
    });
  });
});
