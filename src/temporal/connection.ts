import { Client, Connection } from '@temporalio/client';

export interface TemporalClients {
  connection: Connection;
  client: Client;
  close(): Promise<void>;
}

export async function connectTemporal(address: string, namespace: string): Promise<TemporalClients> {
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace });
  return { connection, client, close: () => connection.close() };
}
