import { describe, expect, it } from 'vitest';
import { isAdminPath } from '../../../src/admin/admin-auth.hook.js';
import { routeLabel, UNMATCHED_ROUTE } from '../../../src/monitoring/http-metrics.js';

describe('the /admin prefix check', () => {
  it('covers /admin, the board, its API and static files, with or without a query', () => {
    for (const url of [
      '/admin',
      '/admin/',
      '/admin?x=1',
      '/admin/queues',
      '/admin/queues/api/queues',
      '/admin/queues/api/queues?page=1',
      '/admin/queues/static/js/main.js',
      '/admin/summary',
    ]) {
      expect(isAdminPath(url), url).toBe(true);
    }
  });

  it('sees through percent-encoding, case and doubled slashes', () => {
    for (const url of ['/%61dmin/queues', '/admin/%71ueues/api/queues', '/ADMIN/queues', '//admin/queues', '/admin//queues', '/%2Fadmin']) {
      expect(isAdminPath(url), url).toBe(true);
    }
  });

  it('treats an undecodable path as protected', () => {
    expect(isAdminPath('/%E0%A4%A')).toBe(true);
  });

  it('judges a matched request by its route template alone', () => {
    expect(isAdminPath('/%61dmin/queues/api/queues', '/admin/queues/api/queues')).toBe(true);
    expect(isAdminPath('/admin', '/admin')).toBe(true);
    // The handler of /docs/* answers, whatever the URL says: it serves no admin page.
    expect(isAdminPath('/docs/../admin/queues', '/docs/*')).toBe(false);
    expect(isAdminPath('/users/1/recommendations', '/users/:userId/recommendations')).toBe(false);
  });

  it('leaves every other path alone', () => {
    for (const url of ['/', '/metrics', '/health/ready', '/administrator', '/users/1/recommendations', '/docs?admin=1', '/admins']) {
      expect(isAdminPath(url), url).toBe(false);
    }
  });
});

describe('the HTTP route label', () => {
  it('is the route template, or one fixed value for unmatched requests', () => {
    expect(routeLabel({ routeOptions: { url: '/users/:userId/recommendations' } } as never)).toBe('/users/:userId/recommendations');
    expect(routeLabel({ routeOptions: { url: undefined } } as never)).toBe(UNMATCHED_ROUTE);
    expect(routeLabel({ routeOptions: undefined } as never)).toBe(UNMATCHED_ROUTE);
  });
});
