import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticCatalogue } from '../../../src/recommendations/synthetic-catalogue.js';
import { startRecApp, type RecApp } from './support.js';

describe('smoke', () => {
  let rec: RecApp;
  beforeAll(async () => {
    rec = await startRecApp('rec_smoke');
    await rec.seed(syntheticCatalogue({ users: 120, tracks: 300, listensPerUser: 15, seed: 1 }));
  });
  afterAll(() => rec.close());

  it('runs', async () => {
    const run = await rec.runAndWait();
    console.log(run);
    const r = await rec.get('/users/1000001/recommendations?limit=5');
    console.log(r.status, r.headers.get('x-recommendation-source'), JSON.stringify(r.body).slice(0, 500));
    expect(run.status).toBe('succeeded');
  });
});
