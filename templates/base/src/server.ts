import 'dotenv/config';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { startHttpServer } from './http/index.js';
import { startupWarnings } from './startup-warnings.js';
import { createStore } from './storage/index.js';
import { runMaintenance } from './storage/maintenance.js';
import { DuplicateKeyError, type Store } from './storage/store.js';
import { createAccount } from './users/accounts.js';

/** BOOTSTRAP_USER_EMAIL/PASSWORD: an account made at start, for containers and the memory store. */
async function createBootstrapAccount(store: Store): Promise<void> {
  const email = process.env.BOOTSTRAP_USER_EMAIL;
  const password = process.env.BOOTSTRAP_USER_PASSWORD;
  if (!email || !password) return;
  try {
    await createAccount(store, email, password);
    console.log(`Created the bootstrap account ${email}`);
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) throw error;
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  for (const warning of startupWarnings(config)) console.warn(warning);
  const store = createStore(config);
  await store.init();
  await createBootstrapAccount(store);
  const app = createApp({ config, store });
  const server = await startHttpServer(app, { host: config.host, port: config.port });
  console.log(`MCP server listening on ${server.url}`);
  console.log(`Connect clients to ${config.resource}`);

  const purge = setInterval(() => {
    runMaintenance(store, config, Math.floor(Date.now() / 1000)).then(
      ({ clientsPurged }) => {
        if (clientsPurged > 0) console.log(`Purged ${clientsPurged} clients nobody used any more`);
      },
      (error: unknown) => console.error('purging expired rows failed:', error),
    );
  }, config.purgeIntervalSeconds * 1000);
  purge.unref();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(
      `${signal} received: finishing the requests in flight (up to ${config.shutdownTimeoutSeconds} s)`,
    );
    clearInterval(purge);
    app.startDraining();
    await server.drain(config.shutdownTimeoutSeconds * 1000);
    await store.close();
    console.log('Stopped');
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? `Configuration error: ${error.message}` : error);
  process.exit(1);
});
