import { AdminClient } from '../admin-client.js';
import { usage } from '../command-kit.js';
import { readCliEnvironment } from '../settings.js';

export interface Connection {
  url?: string;
  token?: string;
}

/** The admin API client for the server and token the flags or the environment name. */
export function connect(options: Connection): AdminClient {
  const env = readCliEnvironment(process.env);
  const url = options.url ?? env.url;
  const token = options.token ?? env.token;
  if (url === undefined) usage('Say which Keyward server to use: --url or KEYWARD_URL.');
  if (token === undefined)
    usage('An admin token is needed: --token or KEYWARD_TOKEN (printed at the first start of the server).');
  return new AdminClient(url, token);
}
