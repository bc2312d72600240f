import { openApiFromEndpoints } from './contract/openapi';
import { ALL_ENDPOINTS } from './endpoints';

/** OpenAPI 3.1 of what the API serves, generated from the endpoints' own schemas (api/endpoints). */
export function openApiDocument(serverUrl: string) {
  return openApiFromEndpoints(ALL_ENDPOINTS, serverUrl) as { info: { title: string; description: string }; paths: Record<string, Record<string, never>> };
}
