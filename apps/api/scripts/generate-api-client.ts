// Rewrites @foreman/api-client's types from the api's current OpenAPI document (needs the test
// Redis and PostgreSQL, as the api tests do).
import { writeFile } from 'node:fs/promises';
import { API_CLIENT_TYPES_FILE, generateApiClientTypes } from '../test/api-client-types.js';

await writeFile(API_CLIENT_TYPES_FILE, await generateApiClientTypes());
console.log(`wrote ${API_CLIENT_TYPES_FILE}`);
process.exit(0);
