import { describeStoreOutage } from '../helpers/store-outage.js';
import { storageUnavailable } from '../helpers/storage-env.js';

if (storageUnavailable) throw new Error(`This test needs the Redis server: ${storageUnavailable}`);

describeStoreOutage({ label: 'Redis', envVar: 'REDIS_URL', url: process.env.REDIS_URL!.trim() });
