import { AdminClient } from '../admin-client.js';
import { usage } from '../command-kit.js';
import { readCliEnvironment } from '../settings.js';

export interface SiteConnection {
  siteUrl?: string;
  siteToken?: string;
}

/** The site server's administration API, for the server and token the flags or the environment name. */
export function connectSite(options: SiteConnection): AdminClient {
  const env = readCliEnvironment(process.env);
  const url = options.siteUrl ?? env.siteUrl;
  const token = options.siteToken ?? env.siteToken;
  if (url === undefined) usage('Say which site server to use: --site-url or KEYWARD_SITE_URL.');
  if (token === undefined)
    usage(
      'A site admin token is needed: --site-token or KEYWARD_SITE_TOKEN (printed at the first start of the site server).',
    );
  return new AdminClient(url, token);
}
