import request from 'supertest';
import { questionsJsonSchema } from '../../src/llm/answer-schema';
import { BatchCallSchema, BatchDetailSchema } from '../../src/presenters/batch';
import { batchWorkflowId } from '../../src/workflow-api/batch';
import { simCallsTo, uniqueNumber } from '../helpers/calls';
import { callWorkflowId } from '../../src/ids';
import { activityTypesOf, localActivityAttempts, replayAndMaybeRecord } from '../helpers/histories';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';
import { startWebhookReceiver, type WebhookReceiver } from '../helpers/webhook-receiver';

/** Batches end to end: API → batch workflow → child call workflows → carrier simulator → read model. */
describe('batches', () => {
  let stack: Stack;
  let receiver: WebhookReceiver;
  let secret: string;
  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    stack = await startStack({ allow: [receiver.url], env: { BATCH_DIALS_PER_SECOND: '50' } });
    secret = (await request(stack.apiUrl).post('/v1/webhooks/signing_secret').set('authorization', stack.org.apiKey).expect(200)).body.signing_secret;
  });
  afterAll(async () => {
    await receiver.close();
    await stack.stop();
  });

  const post = (path: string, body: unknown, key = stack.org.apiKey) => request(stack.apiUrl).post(path).set('authorization', key).send(body as object);
  const get = (path: string, key = stack.org.apiKey) => request(stack.apiUrl).get(path).set('authorization', key);
  const sendBatch = async (body: Record<string, unknown>): Promise<string> => {
    const res = await post('/v1/batches', body);
    if (res.status !== 200) throw new Error(`POST /v1/batches answered ${res.status}: ${JSON.stringify(res.body)}`);
    expect(res.body).toMatchObject({ message: 'success', batch_id: expect.stringMatching(/-gen-batch$/) });
    return res.body.batch_id as string;
  };
  const waitForBatch = (id: string, timeoutMs = 60_000) =>
    eventually(async () => {
      const res = await get(`/v1/batches/${id}`).expect(200);
      return res.body.status === 'completed' ? (res.body as Record<string, any>) : null;
    }, timeoutMs, 200);

  const mixedRows = () => {
    const rows = [
      { phone_number: uniqueNumber(), name: 'Ada', script: { answer: 'human' as const, utterances: ['Hi.', 'Bye.'] } },
      { phone_number: uniqueNumber(), name: 'Bob', script: { answer: 'machine' as const, machineRecordMs: 10_000 } },
      { phone_number: uniqueNumber(), name: 'Cy', script: { answer: 'no-answer' as const } },
      { phone_number: uniqueNumber(), name: 'Di', script: { answer: 'busy' as const } },
      { phone_number: uniqueNumber(), name: 'Ed', script: { answer: 'failed' as const } },
    ];
    for (const r of rows) stack.simulator.scriptNumber(r.phone_number, r.script);
    return rows;
  };

  let mixedBatchId: string;
  let mixedRowsSent: ReturnType<typeof mixedRows>;

  it('dials a mixed batch once per row and reports the seed analysis; the batch webhook is signed', async () => {
    mixedRowsSent = mixedRows();
    mixedBatchId = await sendBatch({
      base_prompt: 'You are calling {{name}} about their order.',
      call_data: mixedRowsSent.map(({ phone_number, name }) => ({ phone_number, name })),
      label: 'mixed',
      campaign_id: 'camp-mixed',
      answered_by_enabled: true,
      voicemail_action: 'hangup',
      max_concurrency: 2,
      batch_webhook: `${receiver.url}/batch`,
    });
    const batch = await waitForBatch(mixedBatchId);
    expect(batch.analysis).toMatchObject({
      total_calls: 5,
      completed_calls: 5,
      in_progress_calls: 0,
      queue_statuses: { complete: 4, call_error: 1 },
    });
    const byTo = new Map((batch.call_data as Array<Record<string, any>>).map((c) => [c.to, c]));
    expect(mixedRowsSent.map((r) => byTo.get(r.phone_number)?.status)).toEqual(['completed', 'completed', 'no-answer', 'busy', 'failed']);
    expect(byTo.get(mixedRowsSent[1]!.phone_number)!.answered_by).toBe('voicemail');
    // The row's properties are the call's variables; the base prompt is its task.
    expect(byTo.get(mixedRowsSent[0]!.phone_number)!.request_data).toMatchObject({ task: 'You are calling {{name}} about their order.', request_data: { name: 'Ada' } });
    expect(batch.analysis.error_messages).toEqual([{ call_id: byTo.get(mixedRowsSent[4]!.phone_number)!.call_id, error_message: 'The carrier could not connect the call.' }]);
    const buckets = batch.analysis.call_lengths.summary as Record<string, number>;
    expect(Object.keys(buckets)).toEqual(['0-5', '5-10', '10-15', '15-20', '20-30', '30-45', '45-60', '60-90', '90-120', '120+']);
    expect(Object.values(buckets).reduce((a, b) => a + b, 0)).toBe(5);
    expect(batch.analysis.call_lengths.all).toHaveLength(5);
    expect(batch.analysis.call_ids).toHaveLength(5);
    expect(batch.batch_params).toMatchObject({ id: mixedBatchId, label: 'mixed', campaign_id: 'camp-mixed', base_prompt: 'You are calling {{name}} about their order.' });
    for (const r of mixedRowsSent) expect(simCallsTo(stack, r.phone_number)).toHaveLength(1);
    // Each call's lines in the batch are the call's own, in the order they were said.
    const talked = (batch.call_data as Array<{ call_id: string; transcripts: Array<{ text: string }> }>).filter((c) => c.transcripts.length > 1);
    expect(talked.length).toBeGreaterThan(0);
    for (const c of talked) {
      const own = (await get(`/v1/calls/${c.call_id}`).expect(200)).body.transcripts as Array<{ text: string }>;
      expect(c.transcripts.map((t) => t.text)).toEqual(own.map((t) => t.text));
      // The final record kept the same lines in one document, and they are what both reads showed.
      const stored = await stack.db.collections.transcripts.find({ call_id: c.call_id }).sort({ seq: 1 }).toArray();
      const kept = await stack.db.collections.finalTranscripts.findOne({ _id: c.call_id });
      expect(kept!.lines.map((l) => [l._id, l.seq, l.user, l.text])).toEqual(stored.map((l) => [l._id, l.seq, l.user, l.text]));
      expect(own.map((t) => t.text)).toEqual(stored.map((l) => l.text));
    }

    // A row's call that its batch never carried over to a later run reports nothing: the run that
    // started it hears its result. Neither a local activity nor a signal of its own, and the batch
    // received no report (continue-as-new, where rows do report, is test/e2e/batch-continue-as-new.test.ts).
    const rowCall = stack.temporal.client.workflow.getHandle(callWorkflowId(byTo.get(mixedRowsSent[0]!.phone_number)!.call_id));
    await rowCall.result();
    const rowHistory = await rowCall.fetchHistory();
    expect(activityTypesOf(rowHistory).local).not.toContain('reportBatchCallDone');
    expect(rowHistory.events!.filter((e) => e.signalExternalWorkflowExecutionInitiatedEventAttributes)).toHaveLength(0);
    const batchHistory = await stack.temporal.client.workflow.getHandle(batchWorkflowId(mixedBatchId)).fetchHistory();
    expect(batchHistory.events!.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(0);
    await replayAndMaybeRecord(stack.temporal.client, rowCall.workflowId, 'phone-call-batch-row');

    const hook = await eventually(async () => receiver.at('/batch').find((h) => h.body.batch_id === mixedBatchId));
    expect(hook.body).toMatchObject({ batch_id: mixedBatchId, status: 'completed', total_calls: 5, queue_statuses: { complete: 4, call_error: 1 } });
    expect(hook.verifiedAsSeed(secret)).toBe(true);
  });

  it("shows each call of the batch as GET /v1/calls/{id} does, and the same analysis whatever the include_ options", async () => {
    const full = (await get(`/v1/batches/${mixedBatchId}`).expect(200)).body;
    // The calls are read with a projection: every field the response names must still be there.
    expect(BatchDetailSchema.safeParse(full).error).toBeUndefined();
    for (const c of full.call_data as Array<Record<string, unknown>>) {
      const own = (await get(`/v1/calls/${c.call_id}`).expect(200)).body as Record<string, unknown>;
      for (const key of Object.keys(BatchCallSchema.shape)) expect([key, c[key]]).toEqual([key, own[key]]);
    }
    const bare = (await get(`/v1/batches/${mixedBatchId}?include_calls=false`).expect(200)).body;
    expect(bare).toEqual({ ...full, call_data: [] });
    const noAnalysis = (await get(`/v1/batches/${mixedBatchId}?include_analysis=false&include_transcripts=false`).expect(200)).body;
    expect(BatchDetailSchema.safeParse(noAnalysis).error).toBeUndefined();
    expect(noAnalysis.analysis).toEqual(full.analysis);
    expect(noAnalysis.call_data).toEqual((full.call_data as Array<Record<string, unknown>>).map(({ transcripts: _t, analysis: _a, summary: _s, ...rest }) => rest));
  });

  it('lists the batch, filters calls by batch_id and campaign_id, and hides it from another org', async () => {
    const list = await get('/v1/batches?campaign_id=camp-mixed').expect(200);
    expect(list.body.batches.map((b: { batch_id: string }) => b.batch_id)).toEqual([mixedBatchId]);
    expect(list.body.batches[0]).toMatchObject({ label: 'mixed', endpoint_code: 'api', call_params: { answered_by_enabled: true } });
    const calls = await get(`/v1/calls?batch_id=${mixedBatchId}`).expect(200);
    expect(calls.body.total_count).toBe(5);
    const byCampaign = await get('/v1/calls?campaign_id=camp-mixed').expect(200);
    expect(byCampaign.body.total_count).toBe(5);
    const other = await stack.newOrg();
    await get(`/v1/batches/${mixedBatchId}`, other.apiKey).expect(404);
    await post(`/v1/batches/${mixedBatchId}/stop`, {}, other.apiKey).expect(404);
    await post(`/v1/batches/${mixedBatchId}/replay`, {}, other.apiKey).expect(404);
    expect((await get('/v1/batches', other.apiKey).expect(200)).body.batches).toEqual([]);
    // Operators find the batch and its calls by one search attribute.
    await eventually(async () => {
      const types: string[] = [];
      for await (const w of stack.temporal.client.workflow.list({ query: `BatchId = '${mixedBatchId}'` })) types.push(w.type);
      return types.filter((t) => t === 'phoneCallWorkflow').length === 5 && types.filter((t) => t === 'batchWorkflow').length === 1;
    });
    await replayAndMaybeRecord(stack.temporal.client, batchWorkflowId(mixedBatchId), 'batch-phone-call-children');
  });

  it('replays only the failed rows (error, no-answer, busy) as a new batch linked to the original', async () => {
    const res = await post(`/v1/batches/${mixedBatchId}/replay`, {}).expect(200);
    expect(res.body).toMatchObject({ message: 'success', replay_of: mixedBatchId, num_calls: 3 });
    const replay = await waitForBatch(res.body.batch_id);
    expect(replay.batch_params.replay_of).toBe(mixedBatchId);
    expect((replay.call_data as Array<{ to: string }>).map((c) => c.to).sort()).toEqual([mixedRowsSent[2]!, mixedRowsSent[3]!, mixedRowsSent[4]!].map((r) => r.phone_number).sort());
    expect(simCallsTo(stack, mixedRowsSent[0]!.phone_number)).toHaveLength(1);
    expect(simCallsTo(stack, mixedRowsSent[1]!.phone_number)).toHaveLength(1);
    for (const r of mixedRowsSent.slice(2)) expect(simCallsTo(stack, r.phone_number)).toHaveLength(2);
    // voicemail on request; unknown outcomes refused.
    const vm = await post(`/v1/batches/${mixedBatchId}/replay`, { statuses: ['voicemail'] }).expect(200);
    expect(vm.body.num_calls).toBe(1);
    await post(`/v1/batches/${mixedBatchId}/replay`, { statuses: ['nope'] }).expect(400);
    await waitForBatch(vm.body.batch_id);
  });

  it('replays one call of a batch as a one-row batch', async () => {
    const calls = (await get(`/v1/calls?batch_id=${mixedBatchId}`).expect(200)).body.calls as Array<{ call_id: string; status: string; to: string }>;
    const busy = calls.find((c) => c.status === 'busy')!;
    const res = await post(`/v1/calls/${busy.call_id}/replay`, {}).expect(200);
    expect(res.body).toMatchObject({ status: 'success', replay_of: busy.call_id, batch_id: expect.stringMatching(/-gen-batch$/) });
    const batch = await waitForBatch(res.body.batch_id);
    expect(batch.call_data.map((c: { to: string }) => c.to)).toEqual([busy.to]);
    await post('/v1/calls/no-such-call/replay', {}).expect(404);
  });

  it('analyzes every finished call of the batch and stores the answers', async () => {
    const questions: Array<[string, string]> = [['Who answered the call?', 'human or voicemail'], ['Did they agree?', 'boolean']];
    const { keys } = questionsJsonSchema(questions);
    // The calls with a transcript (the person and the machine) ask the model; the others answer nulls.
    const reply = { json: { [keys[0]!]: 'human', [keys[1]!]: true } };
    stack.model.scripts.add({ match: 'Reach people', replies: [reply, reply, reply, reply, reply] });
    const res = await post(`/v1/batches/${mixedBatchId}/analyze`, { goal: 'Reach people', questions }).expect(200);
    expect(res.body).toMatchObject({ status: 'success', message: 'Successfully analyzed batch', credits_used: 0 });
    const answers = res.body.answers as Record<string, unknown[]>;
    expect(Object.keys(answers)).toHaveLength(5);
    for (const a of Object.values(answers)) expect(a).toHaveLength(2);
    const stored = await get(`/v1/batches/${mixedBatchId}/analysis`).expect(200);
    expect(stored.body.analysis).toHaveLength(5);
    expect(stored.body.analysis[0]).toMatchObject({ batch_id: mixedBatchId, goal: 'Reach people', questions });
    expect(Object.values(answers).filter((a) => a[0] === 'human')).toHaveLength(2);
    await post(`/v1/batches/${mixedBatchId}/analyze`, { goal: 'x', questions: 'nope' }).expect(400);
  }, 120_000);

  it('waits for start_time before dialling anything', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['Bye.'] });
    const startTime = new Date(Date.now() + 4000).toISOString();
    const id = await sendBatch({ base_prompt: 'Hi.', call_data: [{ phone_number: to }], start_time: startTime });
    const early = (await get(`/v1/batches/${id}/progress`).expect(200)).body;
    expect(early).toMatchObject({ queued: 1, live: 0, done: 0 });
    expect(simCallsTo(stack, to)).toHaveLength(0);
    await waitForBatch(id);
    expect(simCallsTo(stack, to)[0]!.createdAt.getTime()).toBeGreaterThanOrEqual(Date.parse(startTime) - 50);
  });

  it('cancelling the batch workflow (Temporal UI) stops it like the stop endpoint', async () => {
    const rows = Array.from({ length: 8 }, () => uniqueNumber());
    for (const n of rows) stack.simulator.scriptNumber(n, { answer: 'human', utterances: Array.from({ length: 50 }, () => 'Go on.'), speechDelayMs: 200 });
    const id = await sendBatch({ base_prompt: 'Keep talking.', call_data: rows.map((phone_number) => ({ phone_number })), max_concurrency: 2 });
    await eventually(async () => (await get(`/v1/batches/${id}/progress`).expect(200)).body.live === 2);
    // Both live calls are on the line (not merely started) when the cancel arrives.
    await eventually(async () => rows.filter((n) => simCallsTo(stack, n).length > 0).length === 2);
    await stack.temporal.client.workflow.getHandle(`batch-${id}`).cancel();
    const batch = await waitForBatch(id);
    expect(batch.batch_params.stopped).toBe(true);
    expect(batch.analysis).toMatchObject({ total_calls: 2, completed_calls: 2 });
    expect(rows.filter((n) => simCallsTo(stack, n).length > 0)).toHaveLength(2);
    // Each stopped call still wrote its final record.
    expect(batch.call_data.every((c: { completed: boolean; call_ended_by: string }) => c.completed && c.call_ended_by === 'ASSISTANT')).toBe(true);
  });

  it('test_mode dials only the first row and shows what it will get', async () => {
    const rows = [uniqueNumber(), uniqueNumber(), uniqueNumber()];
    for (const n of rows) stack.simulator.scriptNumber(n, { answer: 'human', utterances: ['Bye.'] });
    const res = await post('/v1/batches', { base_prompt: 'Hi {{name}}', call_data: rows.map((phone_number) => ({ phone_number, name: 'X' })), test_mode: true }).expect(200);
    expect(res.body.test_mode).toMatchObject({ dialled_rows: 1, rows_received: 3, first_call: { phone_number: rows[0], task: 'Hi {{name}}', request_data: { name: 'X' } } });
    const batch = await waitForBatch(res.body.batch_id);
    expect(batch.analysis.total_calls).toBe(1);
    expect(simCallsTo(stack, rows[0]!)).toHaveLength(1);
    expect(simCallsTo(stack, rows[1]!)).toHaveLength(0);
    expect(simCallsTo(stack, rows[2]!)).toHaveLength(0);
  });

  it('prepares the next groups of rows while the first is still being prepared, and dials each row once', async () => {
    // 60 rows at 50 dials/s: groups of 25, 25 and 10, all inside the window.
    const rows = Array.from({ length: 60 }, () => uniqueNumber());
    for (const n of rows) stack.simulator.scriptNumber(n, { answer: 'busy' });
    const id = await sendBatch({ base_prompt: 'Hi.', call_data: rows.map((phone_number) => ({ phone_number })), max_concurrency: 60 });
    const batch = await waitForBatch(id);
    expect(batch.analysis).toMatchObject({ total_calls: 60, completed_calls: 60 });
    expect(rows.filter((n) => simCallsTo(stack, n).length !== 1)).toEqual([]);
    const events = (await stack.temporal.client.workflow.getHandle(batchWorkflowId(id)).fetchHistory()).events ?? [];
    const scheduled = new Map(events.flatMap((e) => (e.activityTaskScheduledEventAttributes ? [[String(e.eventId), e.activityTaskScheduledEventAttributes.activityType?.name]] : [])));
    const at = (type: string, kind: 'scheduled' | 'completed') =>
      events.flatMap((e, i) => {
        const name = kind === 'scheduled'
          ? e.activityTaskScheduledEventAttributes?.activityType?.name
          : scheduled.get(String(e.activityTaskCompletedEventAttributes?.scheduledEventId));
        return name === type ? [i] : [];
      });
    expect(at('reserveDials', 'scheduled')).toHaveLength(3);
    expect(at('prepareBatchCalls', 'completed')).toHaveLength(3);
    // One group at a time would reserve the second group's slots only after the first group's calls were prepared.
    expect(at('reserveDials', 'scheduled')[2]!).toBeLessThan(at('prepareBatchCalls', 'completed')[0]!);
  });

  it('stops in the middle: rows not dialled are cancelled, live calls are stopped, nothing is dialled after', async () => {
    const rows = Array.from({ length: 12 }, () => uniqueNumber());
    // Long calls, so some are live when the stop arrives.
    for (const n of rows) stack.simulator.scriptNumber(n, { answer: 'human', utterances: Array.from({ length: 50 }, () => 'Go on.'), speechDelayMs: 200 });
    const id = await sendBatch({ base_prompt: 'Keep talking.', call_data: rows.map((phone_number) => ({ phone_number })), max_concurrency: 3 });
    await eventually(async () => (await get(`/v1/batches/${id}/progress`).expect(200)).body.live === 3);
    const stop = await post(`/v1/batches/${id}/stop`, {}).expect(200);
    expect(stop.body).toMatchObject({ status: 'success', batch_id: id });
    expect(stop.body.num_calls).toBe(12);
    const batch = await waitForBatch(id);
    expect(batch.batch_params.stopped).toBe(true);
    // The 3 rows in the window: dialled, or cancelled before their dial if the stop came first.
    const dialled = rows.filter((n) => simCallsTo(stack, n).length > 0);
    expect(dialled.length).toBeLessThanOrEqual(3);
    expect(rows.slice(3).every((n) => simCallsTo(stack, n).length === 0)).toBe(true);
    expect(batch.analysis.total_calls).toBe(3);
    expect(batch.analysis.completed_calls).toBe(3);
    await post(`/v1/batches/${id}/stop`, {}).expect(409);
    // The rows the stop left undialled, and calls it cancelled before they connected, can be replayed.
    const connected = batch.call_data.filter((c: { status: string }) => c.status !== 'canceled').length;
    const replay = await post(`/v1/batches/${id}/replay`, { statuses: ['canceled'] }).expect(200);
    expect(replay.body.num_calls).toBe(12 - connected);
    await post(`/v1/batches/${replay.body.batch_id}/stop`, {}).expect(200);
    await waitForBatch(replay.body.batch_id);
  });

  it('ends a call whose batch an operator terminated', async () => {
    const to = uniqueNumber();
    stack.simulator.scriptNumber(to, { answer: 'human', utterances: ['One.', 'Two.', 'Bye.'], speechDelayMs: 1000 });
    const id = await sendBatch({ base_prompt: 'Talk.', call_data: [{ phone_number: to }] });
    const [sim] = await eventually(async () => (simCallsTo(stack, to).length === 1 ? simCallsTo(stack, to) : null));
    await stack.temporal.client.workflow.getHandle(batchWorkflowId(id)).terminate('operator');
    const callId = /call_id=([^&]+)/.exec(sim!.req.url)![1]!;
    const call = stack.temporal.client.workflow.getHandle(callWorkflowId(callId));
    expect(await call.result()).toMatchObject({ queueStatus: 'complete' });
    // Never carried over, it reports nothing (a carried call's report to a terminated batch:
    // test/e2e/batch-continue-as-new.test.ts).
    expect(localActivityAttempts(await call.fetchHistory(), 'reportBatchCallDone')).toEqual([]);
  });
});
