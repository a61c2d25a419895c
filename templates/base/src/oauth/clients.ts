import type { Client } from '../storage/store.js';
import { resolveClientMetadataDocument, isClientMetadataUrl } from './cimd.js';
import type { OAuthContext } from './context.js';
import { OAuthError } from './errors.js';

/** A registered client, or one described by its Client ID Metadata Document. */
export async function resolveClient(clientId: string, context: OAuthContext): Promise<Client> {
  if (isClientMetadataUrl(clientId, context.config.cimdAllowPrivateAddresses)) {
    return resolveClientMetadataDocument(clientId, context);
  }
  const client = await context.store.findClient(clientId);
  if (!client) throw new OAuthError('invalid_client', 'Unknown client_id');
  return client;
}
