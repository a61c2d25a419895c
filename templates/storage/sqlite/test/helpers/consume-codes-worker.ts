// A second process for test/storage-sqlite.test.ts: opens the store on the database file given
// as the first argument, prints "ready", waits for "go" on stdin, then tries to consume the
// codes race-0 ... race-(count - 1) and prints, as one JSON line, the hashes it won and when
// (epoch milliseconds) it started and finished trying.
import { createInterface } from 'node:readline';
import { openStore } from './storage-fixtures.js';

const [databaseUrl, count] = process.argv.slice(2);
if (!databaseUrl || !count) throw new Error('usage: consume-codes-worker <database file> <count>');

const store = await openStore(databaseUrl);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'go') break;
}

const startedAt = Date.now();
const won: string[] = [];
for (let index = 0; index < Number(count); index += 1) {
  const codeHash = `race-${index}`;
  if ((await store.consumeCode(codeHash)).status === 'consumed') won.push(codeHash);
}
const finishedAt = Date.now();
await store.close();
process.stdout.write(`${JSON.stringify({ won, startedAt, finishedAt })}\n`);
