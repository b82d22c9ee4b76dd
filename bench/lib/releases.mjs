import { deactivationRequestBody, licenseRequestBody, newContainer } from './fixtures.mjs';

/**
 * Binds each serial to a container of its own, one at a time (setting up, not measuring), and
 * returns the release each container would sign for a transfer: the bodies of /deactivate.
 */
export async function deactivationBodies(url, serials) {
  const bodies = [];
  for (const serial of serials) {
    const container = newContainer();
    const response = await fetch(`${url}/v1/machine/activate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: licenseRequestBody(serial, 'bench', container),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`activation failed: ${JSON.stringify(answer)}`);
    const { bindingId } = JSON.parse(Buffer.from(answer.grant.payload, 'base64url').toString('utf8'));
    bodies.push(deactivationRequestBody(serial, bindingId, container));
  }
  return bodies;
}
