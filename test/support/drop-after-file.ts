import { afterAll } from 'vitest';
import { dropMadeInThisFile } from './settings.js';

// A setup file of the integration and end-to-end projects: registered before the suite's own hooks,
// this afterAll runs after them (once its apps and processes are closed) and removes the databases,
// Redis keys and raw-export folders of every testSettings() the file made.
afterAll(() => dropMadeInThisFile(), 60_000);
