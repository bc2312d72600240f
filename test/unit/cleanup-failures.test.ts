import type { Logger } from '../../src/logger';
import { createBatch, type CreateBatchDeps, type NewBatch } from '../../src/batches/create-batch';
import type { Database } from '../../src/db/database';
import { replaceWithCsv } from '../../src/inbound/lookup-store';
import type { InboundNumberDoc } from '../../src/numbers/types';

/**
 * A clean-up that fails after a failed change is logged, never dropped, and never hides the
 * change's own error: the caller gets that error, the log gets the clean-up's.
 */

function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { logger: { warn: at('warn'), error: at('error'), info: at('info'), debug: at('debug') } as unknown as Logger, lines };
}

const refused = (what: string) => () => Promise.reject(new Error(`${what} refused`));

describe('lookup CSV upload whose clean-up fails', () => {
  const number = { _id: '+14155550100', org_id: 'org-1', created_at: new Date() } as unknown as InboundNumberDoc;
  const csv = { keyColumn: 'phone', columns: ['phone', 'name'], rows: new Map([['+14155550123', { phone: '+14155550123', name: 'Ada' }]]) };

  it('raises the insert failure and logs the rows it could not remove', async () => {
    const { logger, lines } = recordingLogger();
    const db = {
      collections: {
        inboundLookupRows: { insertMany: refused('insert'), deleteMany: refused('delete') },
        inboundLookups: { findOneAndReplace: jest.fn() },
      },
    } as unknown as Database;
    await expect(replaceWithCsv({ db, logger }, number, csv, 40)).rejects.toThrow('insert refused');
    expect(db.collections.inboundLookups.findOneAndReplace).not.toHaveBeenCalled();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: 'warn', msg: expect.stringContaining('lookup rows left behind (the upload failed)') });
    expect((lines[0]!.fields.err as Error).message).toBe('delete refused');
  });

  it('keeps the new source when only the old rows cannot be removed', async () => {
    const { logger, lines } = recordingLogger();
    const previous = { _id: number._id, source: 'csv', version: 'old-version' };
    const db = {
      collections: {
        inboundLookupRows: { insertMany: jest.fn(async () => ({})), deleteMany: refused('delete') },
        inboundLookups: { findOneAndReplace: jest.fn(async () => previous) },
      },
    } as unknown as Database;
    const head = await replaceWithCsv({ db, logger }, number, csv, 40);
    expect(head).toMatchObject({ source: 'csv', rows: 1 });
    expect(lines).toEqual([expect.objectContaining({ level: 'warn', fields: expect.objectContaining({ version: 'old-version' }) })]);
  });
});

describe('a batch whose workflow cannot start and whose removal fails', () => {
  it('raises the start failure and logs what it left behind', async () => {
    const { logger, lines } = recordingLogger();
    const deleteOne = jest.fn(async () => ({ deletedCount: 1 }));
    const deps = {
      db: {
        collections: {
          batchRows: { insertMany: jest.fn(async () => ({})), deleteMany: refused('rows delete') },
          batches: { insertOne: jest.fn(async () => ({})), deleteOne },
        },
      },
      temporal: { workflow: { start: refused('workflow start') } },
      taskQueue: 'calls',
      logger,
      publicBaseUrl: 'https://switchboard.example.com',
      callDefaults: {},
      batches: { maxConcurrency: 10, dialsPerSecond: 5 },
      resolveCallConfig: async () => ({}),
      checkWebhookUrl: () => undefined,
    } as unknown as CreateBatchDeps;
    const batch: NewBatch = {
      orgId: 'org-1', basePrompt: 'Hello {{name}}', callParams: {}, rows: [{ phone_number: '+14155550123', name: 'Ada' }], skipped: [],
      label: null, campaignId: null, testMode: false, batchWebhook: null, maxConcurrency: null, encryptedKey: null,
    };
    await expect(createBatch(deps, batch)).rejects.toThrow('workflow start refused');
    // The document is still removed although its rows could not be.
    expect(deleteOne).toHaveBeenCalledTimes(1);
    const leftBehind = lines.filter((l) => l.msg.includes('left its'));
    expect(leftBehind).toEqual([expect.objectContaining({ level: 'error', msg: expect.stringContaining('left its rows behind') })]);
    expect((leftBehind[0]!.fields.err as Error).message).toBe('rows delete refused');
  });
});
