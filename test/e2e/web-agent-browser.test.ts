import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import request from 'supertest';
import { readWav, pcm16FromFloat, wavFromPcm16 } from '../../src/audio/wav';
import { launchBrowser } from '../helpers/browser';
import { createPathway, restaurantPathway, startBookingServer, type BookingServer } from '../helpers/pathway-fixtures';
import { eventually } from '../helpers/poll';
import { startStack, type Stack } from '../helpers/stack';

/**
 * The page a person talks to an agent on (/web/agent.html), in a real headless Chromium: it takes
 * the token, holds a text conversation through a pathway, and runs a voice turn through Chromium's
 * fake microphone playing audio made by the offline speech stand-in. The browser records it at
 * 16 kHz, the server transcribes it through the openai SDK (the offline stand-in reads the tone
 * code back), the pathway answers, and the reply's audio comes back and plays.
 */
describe('e2e: the web agent page in a real browser', () => {
  const SPOKEN = '4 guests on Friday at 7pm';
  let stack: Stack;
  let booking: BookingServer;
  let browser: Browser;
  let dir: string;
  let micSeconds: number;
  let agentId: string;
  const callIds: string[] = [];

  beforeAll(async () => {
    booking = await startBookingServer();
    // Demo tokens on: the page's default token URL answers (development only).
    stack = await startStack({ allow: [booking.url], env: { WEB_DEMO_TOKENS: 'true' } });
    const pathwayId = await createPathway(stack, restaurantPathway(booking.url));
    const created = await request(stack.apiUrl).post('/v1/agents').set('authorization', stack.org.apiKey).send({ pathway_id: pathwayId, voice: 'maya' });
    expect(created.status).toBe(200);
    agentId = created.body.agent.agent_id ?? created.body.agent_id;

    // What the fake microphone says: the offline speech stand-in's WAV for the sentence, after two seconds of silence
    // (the microphone opens when the button is pressed; Chromium plays the file from its start, looping).
    const speech = await fetch(`${stack.model.url}/audio/speech`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'tts-1', voice: 'nova', input: SPOKEN, response_format: 'wav' }),
    });
    expect(speech.status).toBe(200);
    const said = readWav(Buffer.from(await speech.arrayBuffer()));
    const padded = new Float32Array(2 * said.sampleRate + said.samples.length);
    padded.set(said.samples, 2 * said.sampleRate);
    micSeconds = padded.length / said.sampleRate;
    dir = mkdtempSync(join(tmpdir(), 'web-agent-browser-'));
    writeFileSync(join(dir, 'microphone.wav'), wavFromPcm16(pcm16FromFloat(padded), said.sampleRate));
    browser = await launchBrowser({ fakeMicrophoneWav: join(dir, 'microphone.wav') });
  });
  afterEach(() => {
    // Every scripted decision was taken.
    expect(stack.model.scripts.clear()).toBe(0);
  });
  afterAll(async () => {
    await browser?.close();
    await booking?.close();
    await stack?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const authorize = async () => {
    const res = await request(stack.apiUrl).post(`/v1/agents/${agentId}/authorize`).set('authorization', stack.org.apiKey).send({});
    expect(res.status).toBe(200);
    return res.body.token as string;
  };
  const lines = (page: Page) =>
    page.$$eval('#transcript li', (items) => items.map((li) => ({ role: li.classList.contains('user') ? 'user' : 'assistant', voice: li.classList.contains('voice'), text: li.textContent ?? '' })));
  // Browser-side code is given as text: it runs in the page, not in this TypeScript project.
  const waitForLines = (page: Page, count: number) =>
    page.waitForFunction(`document.querySelectorAll('#transcript li').length >= ${count} && document.body.dataset.busy === 'false'`, { timeout: 30_000 });
  const disabled = (page: Page, selector: string) => page.$eval(selector, (b) => (b as unknown as { disabled: boolean }).disabled);
  const typeMessage = async (page: Page, text: string) => {
    await page.type('#message', text);
    await page.click('#send');
  };

  it('talks by text and by voice through a pathway, shows the live transcript and plays the reply audio', async () => {
    const page = await browser.newPage();
    const pageErrors: string[] = [];
    page.on('pageerror', (err) => pageErrors.push(String(err)));
    await page.goto(`${stack.apiUrl}/web/agent.html?agent_id=${encodeURIComponent(agentId)}#token=${encodeURIComponent(await authorize())}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    // The token left the address bar once read.
    expect(page.url()).not.toContain('token=');
    const callId = await page.$eval('body', (b) => b.dataset.callId ?? '');
    expect(callId).not.toBe('');
    callIds.push(callId);
    expect(await disabled(page, '#talk')).toBe(false);

    // The pathway's start node opens the conversation, then a text turn moves it on.
    await waitForLines(page, 1);
    expect(await lines(page)).toEqual([{ role: 'assistant', voice: false, text: 'Hello, thanks for calling Bella Vista. Would you like to make a reservation?' }]);
    await typeMessage(page, 'I want to make a reservation');
    await waitForLines(page, 3);
    const afterText = await lines(page);
    expect(afterText[1]).toEqual({ role: 'user', voice: false, text: 'I want to make a reservation' });
    expect(afterText[2]!.role).toBe('assistant');
    expect(afterText[2]!.text).toMatch(/date, time and number of guests/i);

    // Push-to-talk: hold the button while the microphone says the sentence once, then release.
    stack.model.scripts.add({ match: 'Decision at node "collect_details"', replies: [{ json: { route: 'book_table' } }] });
    const talk = await page.$('#talk');
    const box = (await talk!.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    // The audio is streamed while the button is held: binary frames leave before it is released.
    const cdp = await page.createCDPSession();
    await cdp.send('Network.enable');
    let binaryFrames = 0;
    cdp.on('Network.webSocketFrameSent', (e) => {
      if (e.response.opcode === 2) binaryFrames += 1;
    });
    await page.mouse.down();
    // Chromium plays the file from its start when the microphone opens; the page streams a moment later
    // (within the file's silent lead-in). Holding for the file's length from then takes the sentence once.
    await page.waitForSelector('body[data-talking="streaming"]');
    await new Promise((r) => setTimeout(r, (micSeconds + 0.4) * 1000));
    const whileHeld = binaryFrames;
    await page.mouse.up();
    expect(whileHeld).toBeGreaterThan(10);
    // The booking ends the call: the agent's End Call node.
    // The recognition, the pathway's decision, its webhook and the End Call node: give a loaded machine room.
    await page.waitForSelector('body[data-ended]', { timeout: 60_000 });
    expect(await page.$eval('body', (b) => b.dataset.ended)).toBe('agent_ended');
    const voiceTurn = (await lines(page)).slice(3);
    expect(voiceTurn[0]).toEqual({ role: 'user', voice: true, text: SPOKEN });
    expect(voiceTurn.slice(1).every((l) => l.role === 'assistant')).toBe(true);
    expect(voiceTurn.map((l) => l.text).join(' ')).toMatch(/a table for 4 on Friday at 7pm\. Your confirmation code is BV-1\./);
    expect(booking.requests.at(-1)).toEqual({ method: 'POST', body: { date: 'Friday', time: '7pm', guests: 4 } });
    // The reply's audio arrived (it is made after the words, so it may follow the end) and played to its end.
    await page.waitForSelector('body[data-audio-replies="1"]', { timeout: 60_000 });
    // The stand-in's audio is about 140 ms a character: this reply plays for some 20 s.
    await page.waitForSelector('body[data-audio-played="1"]', { timeout: 90_000 });

    // The same call on the API, with both turns in its transcript.
    const call = await eventually(async () => {
      const res = await request(stack.apiUrl).get(`/v1/calls/${callId}`).set('authorization', stack.org.apiKey);
      return res.status === 200 && res.body.completed ? res.body : null;
    }, 60_000);
    const said = (call.transcripts as Array<{ user: string; text: string }>).map((t) => t.text);
    expect(said).toEqual(expect.arrayContaining(['I want to make a reservation', SPOKEN]));
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 240_000);

  it('says why when the token is refused, and does not start a session', async () => {
    const page = await browser.newPage();
    const token = await authorize();
    // Another tab uses the token first, so this page gets a used one.
    const first = await browser.newPage();
    await first.goto(`${stack.apiUrl}/web/agent.html?agent_id=${agentId}#token=${token}`);
    await first.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.goto(`${stack.apiUrl}/web/agent.html?agent_id=${agentId}#token=${token}`);
    await page.waitForSelector('#status.error', { timeout: 30_000 });
    expect(await page.$eval('#status', (s) => s.textContent)).toMatch(/^The session was refused: .*token/i);
    expect(await disabled(page, '#send')).toBe(true);
    expect(await page.$eval('body', (b) => b.dataset.callId ?? null)).toBeNull();
    // Only the first tab's call exists, beside the earlier test's.
    const calls = await request(stack.apiUrl).get('/v1/calls').set('authorization', stack.org.apiKey).expect(200);
    expect(calls.body.calls.map((c: { call_id: string }) => c.call_id).sort()).toEqual([callIds[0], await first.$eval('body', (b) => b.dataset.callId)].sort());
    // Hanging up ends the call.
    await first.click('#end');
    await first.waitForSelector('body[data-ended="visitor_ended"]', { timeout: 30_000 });
    await first.close();
    await page.close();
  });

  it('gets its token from the token URL: the demo one by default, a failing one said plainly', async () => {
    const page = await browser.newPage();
    await page.goto(`${stack.apiUrl}/web/agent.html?agent_id=${agentId}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    await page.click('#end');
    await page.waitForSelector('body[data-ended="visitor_ended"]', { timeout: 30_000 });
    await page.goto(`${stack.apiUrl}/web/agent.html?agent_id=${agentId}&token_url=${encodeURIComponent('/web/no-such-token-url')}`);
    await page.waitForSelector('#status.error', { timeout: 30_000 });
    expect(await page.$eval('#status', (s) => s.textContent)).toMatch(/^The token URL answered 404/);
    await page.goto(`${stack.apiUrl}/web/agent.html?agent_id=${agentId}&token_url=${encodeURIComponent('javascript:alert(1)')}`);
    await page.waitForSelector('#status.error', { timeout: 30_000 });
    expect(await page.$eval('#status', (s) => s.textContent)).toBe('token_url must be an http(s) URL.');
    await page.close();
  });

  it('says plainly when the offline model cannot recognise the audio, and the conversation goes on', async () => {
    // A microphone that hears a voice-like hum, not the stand-in's code.
    const rate = 16000;
    const hum = new Float32Array(3 * rate).map((_, i) => {
      const t = i / rate;
      let v = 0;
      for (let h = 1; h <= 12; h++) v += Math.sin(2 * Math.PI * 130 * h * t) / h;
      return 0.2 * Math.max(0, Math.sin(2 * Math.PI * 3 * t)) * v;
    });
    writeFileSync(join(dir, 'hum.wav'), wavFromPcm16(pcm16FromFloat(hum), rate));
    const humming = await launchBrowser({ fakeMicrophoneWav: join(dir, 'hum.wav') });
    try {
      const page = await humming.newPage();
      await page.goto(`${stack.apiUrl}/web/agent.html?agent_id=${agentId}#token=${await authorize()}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
      await waitForLines(page, 1);
      const box = (await (await page.$('#talk'))!.boundingBox())!;
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await page.mouse.down();
      await page.waitForSelector('body[data-talking="streaming"]');
      await new Promise((r) => setTimeout(r, 1500));
      await page.mouse.up();
      await page.waitForSelector('#status.error', { timeout: 30_000 });
      expect(await page.$eval('#status', (st) => st.textContent)).toMatch(/offline model cannot recognise speech/);
      expect(await lines(page)).toHaveLength(1);
      // Typing still works.
      await page.waitForFunction(`document.body.dataset.busy === 'false'`, { timeout: 30_000 });
      await typeMessage(page, 'I want to make a reservation');
      await waitForLines(page, 3);
      expect((await lines(page))[2]!.text).toMatch(/date, time and number of guests/i);
      await page.click('#end');
      await page.waitForSelector('body[data-ended="visitor_ended"]', { timeout: 30_000 });
    } finally {
      await humming.close();
    }
  }, 120_000);
});
