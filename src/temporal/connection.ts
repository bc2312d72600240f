import { Client, Connection } from '@temporalio/client';

export interface TemporalClients {
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

export interface TemporalAuth {
  apiKey: string | undefined;
  tls: boolean;
}

export async function connectTemporal(address: string, namespace: string, auth: TemporalAuth): Promise<TemporalClients> {
  const connection = await Connection.connect({ address, tls: auth.tls, ...(auth.apiKey ? { apiKey: auth.apiKey } : {}) });
  const client = new Client({ connection, namespace });
  return { connection, client, close: () => connection.close() };
}
