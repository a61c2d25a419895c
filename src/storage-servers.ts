import type { Storage } from './options.js';

/** The server a storage needs to run its whole suite; embedded storages need none. */
export interface StorageServer {
  label: string;
  envVar: string;
  /**
   * What the generated suite leaves out without that server, and how to run it. The suite prints it after
   * "NOT RUN: " on one line, verify reports that line whole, and the e2e matrix expects exactly this text.
   */
  notRun: string;
}

function storageServer(label: string, envVar: string): StorageServer {
  return {
    label,
    envVar,
    notRun:
      `the tests that need ${label} (all but config, pages and storage-config) were left out; ` +
      `set ${envVar} (in .env or the environment) to a ${label} server to run them.`,
  };
}

export const STORAGE_SERVERS: Partial<Record<Storage, StorageServer>> = {
  postgres: storageServer('PostgreSQL', 'DATABASE_URL'),
  redis: storageServer('Redis', 'REDIS_URL'),
};
