/** Methods a browser may send cross-site without changing anything (and that no route here uses to change anything). */
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Refusal {
  status: 403 | 415;
  message: string;
}

/**
 * Why a state-changing request is refused, or null. The attack is cross-site request forgery: a page
 * elsewhere makes the operator's browser send a form POST that carries the HTTP Basic credential the
 * browser cached for /admin. So a request that is not GET/HEAD/OPTIONS
 * - must not authenticate with HTTP Basic (browsers attach it by themselves; Bearer they cannot),
 * - must carry a JSON body, or none (forms send urlencoded, multipart or text/plain bodies),
 * - must not come from another site: Sec-Fetch-Site, when the browser sends it, is same-origin or
 *   none, and Origin, when sent, names this host.
 */
export function stateChangeRefusal(req: { method: string; headers: Record<string, string | string[] | undefined> }): Refusal | null {
  const method = req.method;
  if (method === 'GET' || method === 'HEAD' || SAFE_METHODS.has(method.toUpperCase())) return null;
  const h = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  if (/^\s*basic\b/i.test(h('authorization') ?? '')) {
    return {
      status: 403,
      message:
        'state-changing requests take Authorization: Bearer <ADMIN_TOKEN>; HTTP Basic is accepted only for the browser pages under /admin (GET)',
    };
  }
  const site = h('sec-fetch-site')?.toLowerCase();
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { status: 403, message: `cross-site request refused (Sec-Fetch-Site: ${site})` };
  }
  const origin = h('origin');
  if (origin !== undefined && !sameHost(origin, h('x-forwarded-host') ?? h('host'))) {
    return { status: 403, message: `cross-origin request refused (Origin: ${origin.slice(0, 200)})` };
  }
  const type = h('content-type');
  const length = Number(h('content-length') ?? 0);
  const hasBody = length > 0 || h('transfer-encoding') !== undefined;
  if ((type !== undefined || hasBody) && !isJson(type)) {
    return { status: 415, message: 'request bodies must be JSON (Content-Type: application/json)' };
  }
  return null;
}

function sameHost(origin: string, host: string | undefined): boolean {
  if (!host || origin === 'null') return false;
  try {
    return new URL(origin).host.toLowerCase() === host.split(',')[0]!.trim().toLowerCase();
  } catch {
    return false;
  }
}

function isJson(type: string | undefined): boolean {
  const base = type?.split(';', 1)[0]?.trim().toLowerCase();
  return base === 'application/json' || (base !== undefined && /^application\/[\w.+-]+\+json$/.test(base));
}
