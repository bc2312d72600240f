// The page at /web/agent.html?agent_id=...: a person talks to an agent by text or push-to-talk voice.
// The session token comes from the page's own backend (?token_url=..., POSTed {agent_id}, answering
// {token}) or, for tests and demos, from the URL fragment (#token=...); never from an API key here.
// The protocol is web/agent-client.js's; this file only draws the transcript and moves audio.
import { createAgentClient } from './agent-client.js';

const $ = (id) => document.getElementById(id);
const query = new URLSearchParams(location.search);
const agentId = query.get('agent_id');
const TARGET_RATE = 16000;
/** An utterance is cut here; the server takes at most 60 s of audio. */
const MAX_TALK_MS = 55_000;

const ui = { status: $('status'), transcript: $('transcript'), composer: $('composer'), message: $('message'), send: $('send'), talk: $('talk'), speak: $('speak'), end: $('end') };
/** What a test (or a curious person) can read from the page: it only counts, it holds no secret. */
const stats = { audioReplies: 0, audioBytes: 0, audioPlayed: 0 };

function setStatus(text, isError = false) {
  ui.status.textContent = text;
  ui.status.classList.toggle('error', isError);
}

function setBusy(busy, { keepTalk = false } = {}) {
  ui.message.disabled = busy;
  ui.send.disabled = busy;
  if (!keepTalk) ui.talk.disabled = busy || !client?.voice;
  document.body.dataset.busy = String(busy);
}

/** The token: from the fragment (then wiped from the address bar), or from the page's backend. */
async function sessionToken() {
  const fragment = new URLSearchParams(location.hash.slice(1));
  const direct = fragment.get('token');
  if (direct) {
    window.history.replaceState(null, '', location.pathname + location.search);
    return direct;
  }
  const tokenUrl = query.get('token_url') ?? '/web/demo-token';
  const target = new URL(tokenUrl, location.href);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') throw new Error('token_url must be an http(s) URL.');
  const res = await fetch(target, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ agent_id: agentId }) });
  if (!res.ok) throw new Error(`The token URL answered ${res.status}; the page's backend issues tokens (docs/web-agents.md, "The page").`);
  const body = await res.json();
  if (typeof body.token !== 'string' || body.token === '') throw new Error('The token URL answered without a token.');
  return body.token;
}

function addLine(role, text, viaVoice) {
  const li = document.createElement('li');
  li.className = viaVoice ? `${role} voice` : role;
  li.textContent = text; // text, never markup
  ui.transcript.append(li);
  li.scrollIntoView({ block: 'end' });
}

// Replies' audio plays one after another, in order.
let playing = Promise.resolve();
function playAudio(frame) {
  const bytes = Uint8Array.from(atob(frame.data), (c) => c.charCodeAt(0));
  stats.audioReplies += 1;
  stats.audioBytes += bytes.length;
  document.body.dataset.audioReplies = String(stats.audioReplies);
  const url = URL.createObjectURL(new Blob([bytes], { type: frame.format === 'wav' ? 'audio/wav' : 'audio/mpeg' }));
  playing = playing.then(
    () =>
      new Promise((resolve) => {
        const audio = new window.Audio(url);
        const done = () => {
          URL.revokeObjectURL(url);
          resolve();
        };
        audio.onended = () => {
          stats.audioPlayed += 1;
          document.body.dataset.audioPlayed = String(stats.audioPlayed);
          done();
        };
        audio.onerror = done;
        audio.play().catch(done); // a browser that blocks autoplay still shows the text
      }),
  );
}

// Push-to-talk: the microphone is opened while the button is held, its samples taken by an
// AudioWorklet (a ScriptProcessor where there is none) at 16 kHz (the audio graph resamples),
// and streamed as PCM16 in ~100 ms chunks (client.startAudio); releasing sends audio_end.
const CAPTURE_WORKLET = `registerProcessor('pcm-capture', class extends AudioWorkletProcessor {
  process(inputs) { const ch = inputs[0] && inputs[0][0]; if (ch) this.port.postMessage(ch.slice(0)); return true; }
});`;
const CHUNK_MS = 100;
let talk = null;

async function openAudioGraph(stream, onSamples) {
  let ctx;
  try {
    ctx = new AudioContext({ sampleRate: TARGET_RATE });
  } catch {
    ctx = new AudioContext(); // a browser that cannot resample the microphone: its own rate, said in audio_start
  }
  const source = ctx.createMediaStreamSource(stream);
  const sink = ctx.createGain();
  sink.gain.value = 0; // pulls the graph without playing the microphone back
  sink.connect(ctx.destination);
  if (ctx.audioWorklet) {
    const url = URL.createObjectURL(new Blob([CAPTURE_WORKLET], { type: 'text/javascript' }));
    await ctx.audioWorklet.addModule(url);
    URL.revokeObjectURL(url);
    const node = new AudioWorkletNode(ctx, 'pcm-capture');
    node.port.onmessage = (e) => onSamples(e.data);
    source.connect(node).connect(sink);
  } else {
    const node = ctx.createScriptProcessor(4096, 1, 1);
    node.onaudioprocess = (e) => onSamples(e.inputBuffer.getChannelData(0).slice(0));
    source.connect(node).connect(sink);
  }
  return ctx;
}

/** Float samples as PCM16 (clipped). */
function pcm16(chunks, count) {
  const out = new Int16Array(count);
  let at = 0;
  for (const chunk of chunks) {
    for (const v of chunk) out[at++] = Math.round(Math.max(-1, Math.min(1, v)) * 32767);
  }
  return out;
}

/** Sends what was recorded since the last chunk. */
function flush(session) {
  if (session.count === 0 || !session.utterance) return;
  const samples = pcm16(session.chunks, session.count);
  session.chunks = [];
  session.count = 0;
  try {
    session.utterance.push(samples);
  } catch {
    // Disconnected: finish() reports it.
  }
}

async function startTalking() {
  if (talk || ui.talk.disabled) return;
  const session = { chunks: [], count: 0, stopped: false, ctx: null, stream: null, utterance: null, timer: null };
  talk = session;
  ui.talk.classList.add('recording');
  setBusy(true, { keepTalk: true });
  setStatus('Listening… release to send.');
  try {
    session.stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: false, noiseSuppression: false, autoGainControl: false } });
    session.ctx = await openAudioGraph(session.stream, (samples) => {
      session.chunks.push(samples);
      session.count += samples.length;
      if (session.count >= (session.ctx.sampleRate * CHUNK_MS) / 1000) flush(session);
    });
    session.utterance = client.startAudio(session.ctx.sampleRate);
    document.body.dataset.talking = 'streaming';
    session.timer = setTimeout(stopTalking, MAX_TALK_MS);
    if (session.stopped) await finishTalking(session);
  } catch (err) {
    talk = null;
    delete document.body.dataset.talking;
    ui.talk.classList.remove('recording');
    session.stream?.getTracks().forEach((t) => t.stop());
    await session.ctx?.close();
    setStatus(session.ctx ? err.message : `The microphone could not be opened: ${err.message}`, true);
    if (session.utterance) await session.utterance.finish().catch(() => {});
    setBusy(false);
  }
}

function stopTalking() {
  const session = talk;
  if (!session) return;
  session.stopped = true;
  if (session.utterance) void finishTalking(session);
}

async function finishTalking(session) {
  talk = null;
  delete document.body.dataset.talking;
  clearTimeout(session.timer);
  ui.talk.classList.remove('recording');
  session.stream.getTracks().forEach((t) => t.stop());
  await session.ctx.close();
  flush(session);
  await runTurn(() => session.utterance.finish(), true);
}

let client = null;
let voiceTurn = false;

async function runTurn(start, viaVoice) {
  setBusy(true);
  voiceTurn = viaVoice;
  setStatus(viaVoice ? 'Recognising…' : 'The agent is answering…');
  try {
    const reply = await start();
    setStatus(reply.action === 'end' ? 'The agent ended the conversation.' : 'Your turn.');
  } catch (err) {
    setStatus(err.message, true);
  } finally {
    voiceTurn = false;
    if (!client.ended) setBusy(false);
  }
}

async function main() {
  if (!agentId) return setStatus('Add ?agent_id=... to the address.', true);
  let token;
  try {
    token = await sessionToken();
  } catch (err) {
    return setStatus(err.message, true);
  }
  client = createAgentClient();
  client.on('transcript', (line) => addLine(line.role, line.text, voiceTurn && line.role === 'user'));
  client.on('audio', playAudio);
  client.on('reconnecting', () => setStatus('Connection lost; reconnecting…', true));
  client.on('resumed', () => setStatus('Reconnected.'));
  client.on('ended', (frame) => {
    setBusy(true);
    ui.end.disabled = true;
    document.body.dataset.ended = frame.reason ?? 'ended';
    setStatus(`The conversation has ended (${frame.reason ?? 'ended'}).`);
  });
  try {
    const session = await client.connect(agentId, token);
    document.body.dataset.callId = session.call_id;
  } catch (err) {
    return setStatus(`The session was refused: ${err.message}`, true);
  }
  ui.end.disabled = false;
  setBusy(false);
  setStatus(client.voice ? 'Connected. Type, or hold the button to talk.' : 'Connected. Type a message (voice is off on this server).');
  document.body.dataset.ready = 'true';
}

ui.composer.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = ui.message.value.trim();
  if (!text || !client) return;
  ui.message.value = '';
  void runTurn(() => client.send(text, { speak: ui.speak.checked }), false).then(() => ui.message.focus());
});
ui.talk.addEventListener('pointerdown', (e) => {
  ui.talk.setPointerCapture(e.pointerId);
  void startTalking();
});
ui.talk.addEventListener('pointerup', stopTalking);
ui.talk.addEventListener('pointercancel', stopTalking);
ui.talk.addEventListener('keydown', (e) => {
  if ((e.key === ' ' || e.key === 'Enter') && !e.repeat) {
    e.preventDefault();
    void startTalking();
  }
});
ui.talk.addEventListener('keyup', (e) => {
  if (e.key === ' ' || e.key === 'Enter') stopTalking();
});
ui.end.addEventListener('click', () => void client?.end().catch((err) => setStatus(err.message, true)));

void main();
