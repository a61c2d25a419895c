import type { Client } from '../storage/store.js';
import { resolveClientMetadataDocument, isClientMetadataUrl } from './cimd.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';

/**
 * A client_id that was never registered here, or was purged after a long time unused (quirk
 * client-retention). 401 invalid_client at /token is the answer on which clients register again.
 */
export class UnknownClientError extends OAuthError {
  constructor() {
    super('invalid_client', 'Unknown client_id');
    this.name = 'UnknownClientError';
  }
}

/** A registered client, or one described by its Client ID Metadata Document. */
export async function resolveClient(clientId: string, context: OAuthContext): Promise<Client> {
  if (isClientMetadataUrl(clientId, context.config.cimdAllowPrivateAddresses)) {
    return resolveClientMetadataDocument(clientId, context);
  }
  const client = await context.store.findClient(clientId);
  if (!client) throw new UnknownClientError();
  return client;
}

/**
 * The host of a client's metadata document URL, which vouches for the name it publishes; undefined for
 * a client that registered itself (DCR), whose name nobody has verified (rule consent-identity).
 */
export function clientMetadataHost(client: Client, context: OAuthContext): string | undefined {
  return isClientMetadataUrl(client.clientId, context.config.cimdAllowPrivateAddresses)
    ? new URL(client.clientId).host
    : undefined;
}
