import { describeStoreOutage } from '../helpers/store-outage.js';
import { storageUnavailable } from '../helpers/storage-env.js';

if (storageUnavailable)
  throw new Error(`This test needs the PostgreSQL server: ${storageUnavailable}`);

describeStoreOutage({
  label: 'PostgreSQL',
  envVar: 'DATABASE_URL',
  url: process.env.DATABASE_URL!.trim(),
});
