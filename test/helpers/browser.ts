import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';

/**
 * Headless Chromium for tests that use the pages as a person would. The browser is the one inside
 * the `@sparticuz/chromium` npm package (a Linux x64 build with the libraries it needs, unpacked to
 * the temp folder on first use), so `npm ci` is the whole installation: no root, no system
 * package, nothing downloaded at run time. puppeteer-core drives it and downloads nothing itself.
 */
export interface BrowserOptions {
  /** A WAV file the fake microphone plays (looping) to every getUserMedia caller. */
  fakeMicrophoneWav?: string;
}

/** What any headless test run needs; @sparticuz/chromium's own list also disables web security, which a test must not. */
const BASE_ARGS = [
  '--no-sandbox', // the test machine runs as root, where Chromium's sandbox cannot start
  '--no-zygote',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--mute-audio', // playback runs (ended events fire) without a sound device
  '--autoplay-policy=no-user-gesture-required',
];

export async function launchBrowser(opts: BrowserOptions = {}): Promise<Browser> {
  const args = [...BASE_ARGS];
  if (opts.fakeMicrophoneWav) {
    args.push('--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-audio-capture=${opts.fakeMicrophoneWav}`);
  }
  return puppeteer.launch({ executablePath: await chromium.executablePath(), headless: 'shell', args, protocolTimeout: 60_000 });
}
