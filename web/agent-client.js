// Switchboard web agent client: the browser channel's protocol (docs/web-agents.md, "Browser channel")
// as a small ES module for browsers and Node 20+. In Node, pass a WebSocket implementation:
//   import WebSocket from 'ws';
//   const client = createAgentClient({ baseUrl: 'http://127.0.0.1:3000', WebSocket });
//   await client.connect(agentId, token);            // token from POST /v1/agents/{id}/authorize (server side)
//   const reply = await client.send('Hello');         // { type: 'reply', text, action, node }
//   client.on('transcript', (line) => ...);           // every transcript line, in order
//   await client.end();

/** Close codes after which the client does not try to resume (the session is over or was refused). */
const FINAL_CLOSE_CODES = new Set([1000, 1003, 1008, 1009, 4401, 4404, 4408, 4409, 4429]);
const AUDIO_CHUNK_BYTES = 32 * 1024;

export class AgentSessionError extends Error {
  /** @param {string} code  the server's error code, a close code as text, or 'disconnected' */
  constructor(code, message) {
    super(message);
    this.name = 'AgentSessionError';
    this.code = code;
  }
}

/**
 * @param {{ baseUrl?: string, WebSocket?: any, autoResume?: boolean, resumeDelayMs?: number, resumeForMs?: number }} [options]
 *   baseUrl: the Switchboard API (default: the page's origin); WebSocket: the implementation (default: the global one);
 *   autoResume: reconnect after a dropped socket (default true), trying every resumeDelayMs for up to resumeForMs.
 */
export function createAgentClient(options = {}) {
  const WS = options.WebSocket ?? globalThis.WebSocket;
  if (!WS) throw new Error('No WebSocket implementation: pass one as options.WebSocket (in Node, the `ws` package).');
  const base = new URL(options.baseUrl ?? globalThis.location?.origin ?? 'http://127.0.0.1:3000');
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  const autoResume = options.autoResume ?? true;
  const resumeDelayMs = options.resumeDelayMs ?? 500;
  const resumeForMs = options.resumeForMs ?? 25_000;

  const listeners = new Map();
  const emit = (event, value) => (listeners.get(event) ?? []).forEach((fn) => fn(value));
  /** Sends waiting for their reply, oldest first: { resolve, reject }. */
  const pending = [];
  let socket = null;
  let agentId = null;
  let ended = null;
  let endWaiters = [];

  const state = { callId: null, resumeToken: null, lastSeq: -1, voice: false, transcript: [] };

  function url(params) {
    const u = new URL(`/v1/agents/${encodeURIComponent(agentId)}/session`, base);
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, String(v));
    return u.toString();
  }

  function rejectPending(err) {
    while (pending.length) pending.shift().reject(err);
  }

  function onFrame(frame) {
    switch (frame.type) {
      case 'session':
        Object.assign(state, { callId: frame.call_id, resumeToken: frame.resume_token, voice: frame.voice });
        return emit('session', frame);
      case 'transcript':
        if (frame.seq <= state.lastSeq) return; // already seen (a resume may repeat nothing, but be safe)
        state.lastSeq = frame.seq;
        state.transcript.push({ seq: frame.seq, role: frame.role, text: frame.text });
        return emit('transcript', frame);
      case 'reply':
        pending.shift()?.resolve(frame);
        return emit('reply', frame);
      case 'audio':
        return emit('audio', frame);
      case 'error':
        pending.shift()?.reject(new AgentSessionError(frame.code, frame.message));
        return emit('error', frame);
      case 'ended':
        ended = frame;
        rejectPending(new AgentSessionError('ended', `The call has ended (${frame.reason}).`));
        endWaiters.forEach((w) => w(frame));
        endWaiters = [];
        return emit('ended', frame);
      case 'pong':
        return emit('pong', frame);
    }
  }

  /** Opens a socket; resolves with the `session` frame, rejects with the close code if refused first. */
  function open(params) {
    return new Promise((resolve, reject) => {
      const ws = new WS(url(params));
      ws.binaryType = 'arraybuffer';
      socket = ws;
      let started = false;
      ws.onmessage = (ev) => {
        if (typeof ev.data !== 'string') return;
        let frame;
        try {
          frame = JSON.parse(ev.data);
        } catch {
          return;
        }
        if (frame.type === 'session' && !started) {
          started = true;
          onFrame(frame);
          resolve(frame);
          return;
        }
        onFrame(frame);
      };
      ws.onclose = (ev) => {
        if (socket === ws) socket = null;
        if (!started) return reject(new AgentSessionError(String(ev.code), ev.reason || `Refused (${ev.code}).`));
        onDrop(ev.code, ev.reason);
      };
      ws.onerror = () => {};
    });
  }

  function onDrop(code, reason) {
    emit('close', { code, reason });
    if (ended) return;
    rejectPending(new AgentSessionError('disconnected', 'The connection dropped; the transcript catches up when it resumes.'));
    if (!autoResume || FINAL_CLOSE_CODES.has(code) || !state.resumeToken) {
      if (code !== 1000) emit('ended', (ended = { type: 'ended', call_ended_by: null, reason: 'disconnected', code }));
      return;
    }
    void resumeLoop(Date.now());
  }

  async function resumeLoop(since) {
    emit('reconnecting', { callId: state.callId });
    while (!ended && Date.now() - since < resumeForMs) {
      await new Promise((r) => setTimeout(r, resumeDelayMs));
      try {
        await open({ resume: state.resumeToken, last_seq: state.lastSeq });
        return emit('resumed', { callId: state.callId });
      } catch (err) {
        if (FINAL_CLOSE_CODES.has(Number(err.code))) break;
      }
    }
    if (!ended) emit('ended', (ended = { type: 'ended', call_ended_by: null, reason: 'disconnected' }));
  }

  function sendJson(frame) {
    if (!socket || socket.readyState !== 1) throw new AgentSessionError('disconnected', 'Not connected.');
    socket.send(JSON.stringify(frame));
  }

  /** One turn at a time (as the server requires): a second one while a reply is awaited is refused here. */
  function awaitReply() {
    if (pending.length) return null;
    return new Promise((resolve, reject) => pending.push({ resolve, reject }));
  }
  const busy = () => Promise.reject(new AgentSessionError('busy', 'The agent is still answering; wait for its reply.'));

  return {
    get callId() { return state.callId; },
    get resumeToken() { return state.resumeToken; },
    get lastSeq() { return state.lastSeq; },
    get voice() { return state.voice; },
    /** Every transcript line seen so far, in order. */
    get transcript() { return state.transcript.slice(); },
    get ended() { return ended; },
    /** The socket in use (for tests and diagnostics). */
    get socket() { return socket; },
    on(event, fn) {
      listeners.set(event, [...(listeners.get(event) ?? []), fn]);
      return () => listeners.set(event, (listeners.get(event) ?? []).filter((f) => f !== fn));
    },
    /** Starts a session with a single-use token; resolves with the `session` frame. */
    connect(id, token) {
      agentId = id;
      return open({ token });
    },
    /** Rejoins a live call (e.g. after a page reload) with its resume token, within the grace period. */
    resume(id, resumeToken, lastSeq = -1) {
      agentId = id;
      state.resumeToken = resumeToken;
      state.lastSeq = lastSeq;
      return open({ resume: resumeToken, last_seq: lastSeq });
    },
    /** A text turn; resolves with the `reply` frame (transcript frames come first). Rejects with code `busy` while another turn is awaited. */
    send(text, { speak = false } = {}) {
      const reply = awaitReply();
      if (!reply) return busy();
      try {
        sendJson(speak ? { type: 'message', text, speak: true } : { type: 'message', text });
      } catch (err) {
        pending.pop();
        return Promise.reject(err);
      }
      return reply;
    },
    /** A voice turn: PCM16LE mono samples (ArrayBuffer, Int16Array or Buffer) at sampleRate; resolves with the reply. */
    sendAudio(pcm, sampleRate) {
      const bytes = pcm instanceof ArrayBuffer ? new Uint8Array(pcm) : new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
      const reply = awaitReply();
      if (!reply) return busy();
      try {
        sendJson({ type: 'audio_start', sample_rate: sampleRate });
        for (let i = 0; i < bytes.length; i += AUDIO_CHUNK_BYTES) socket.send(bytes.slice(i, i + AUDIO_CHUNK_BYTES));
        sendJson({ type: 'audio_end' });
      } catch (err) {
        pending.pop();
        return Promise.reject(err);
      }
      return reply;
    },
    /**
     * A voice turn streamed while the visitor talks: sends audio_start now; push() sends PCM16LE chunks as
     * they are recorded; finish() sends audio_end and resolves with the reply. The turn is taken from the
     * start, so a send meanwhile is refused with code `busy`.
     */
    startAudio(sampleRate) {
      const reply = awaitReply();
      if (!reply) throw new AgentSessionError('busy', 'The agent is still answering; wait for its reply.');
      reply.catch(() => {}); // seen by finish(); an early error frame must not go unhandled meanwhile
      try {
        sendJson({ type: 'audio_start', sample_rate: sampleRate });
      } catch (err) {
        pending.pop();
        throw err;
      }
      return {
        push(pcm) {
          const bytes = pcm instanceof ArrayBuffer ? new Uint8Array(pcm) : new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
          if (!socket || socket.readyState !== 1) throw new AgentSessionError('disconnected', 'Not connected.');
          for (let i = 0; i < bytes.length; i += AUDIO_CHUNK_BYTES) socket.send(bytes.slice(i, i + AUDIO_CHUNK_BYTES));
        },
        finish() {
          try {
            sendJson({ type: 'audio_end' });
          } catch {
            // Not connected: the drop has already rejected the reply with code `disconnected`.
          }
          return reply;
        },
      };
    },
    ping() {
      sendJson({ type: 'ping' });
    },
    /** The visitor hangs up; resolves with the `ended` frame. */
    end() {
      if (ended) return Promise.resolve(ended);
      const done = new Promise((resolve) => endWaiters.push(resolve));
      sendJson({ type: 'end' });
      return done;
    },
    /** Closes the socket without ending the call (as a closed tab does): the call ends after the grace period. */
    close() {
      ended ??= { type: 'ended', call_ended_by: null, reason: 'disconnected' };
      socket?.close(1000);
    },
  };
}
