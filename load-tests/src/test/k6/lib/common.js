// What every users-info k6 script shares: the target, settings read from the environment (validated, so a
// typo fails at once with what to write instead of silently running another test), the requests of the
// API (docs/service.md) with their checks, and the test users created in setup and deleted in teardown.
// k6's own modules only: jslib.k6.io is not reachable everywhere these scripts run.
import http from 'k6/http';
import { check, fail } from 'k6';

// The service's root URL: kind's NodePort by default; an EKS load balancer or the ECS ALB otherwise.
export const BASE_URL = baseUrl(__ENV.BASE_URL || 'http://127.0.0.1:30080');

// Test users' password. Not a secret: the users exist only for the run and are deleted in teardown.
export const PASSWORD = 'k6 correct horse battery staple';

const JSON_HEADERS = { 'Content-Type': 'application/json' };
const DURATION = /^(\d+h)?(\d+m)?(\d+s)?$/;

function baseUrl(value) {
  if (!/^https?:\/\/[^/\s]+(\/.*)?$/.test(value)) {
    throw new Error(`BASE_URL=${value}: must be an http(s) URL such as http://127.0.0.1:30080`);
  }
  return value.replace(/\/+$/, '');
}

/** A whole number from the environment variable NAME, or FALLBACK when it is unset. */
export function intEnv(name, fallback) {
  const value = __ENV[name];
  if (value === undefined || value === '') {
    return fallback;
  }
  if (!/^\d+$/.test(value)) {
    throw new Error(`${name}=${value}: must be a whole number such as ${fallback}`);
  }
  return parseInt(value, 10);
}

/** A number (decimals allowed) from the environment variable NAME, or FALLBACK. */
export function numberEnv(name, fallback) {
  const value = __ENV[name];
  if (value === undefined || value === '') {
    return fallback;
  }
  if (!/^\d+(\.\d+)?$/.test(value)) {
    throw new Error(`${name}=${value}: must be a number such as ${fallback}`);
  }
  return parseFloat(value);
}

/** A k6 duration (e.g. 90s, 2m, 1m30s) from the environment variable NAME, or FALLBACK. */
export function durationEnv(name, fallback) {
  const value = __ENV[name];
  if (value === undefined || value === '') {
    return fallback;
  }
  if (!DURATION.test(value) || seconds(value) === 0) {
    throw new Error(`${name}=${value}: must be a duration in h, m and s, such as ${fallback} or 1m30s`);
  }
  return value;
}

/** Seconds in a duration that durationEnv accepted. */
export function seconds(duration) {
  const [, h, m, s] = DURATION.exec(duration);
  return (h ? parseInt(h, 10) * 3600 : 0) + (m ? parseInt(m, 10) * 60 : 0) + (s ? parseInt(s, 10) : 0);
}

/**
 * Thresholds every script applies: failed requests below MAX_FAILED_RATE (default 1 %), checks passing,
 * and the latency bounds given (milliseconds) on the requests the selector names (all by default).
 */
export function thresholds(p95Ms, p99Ms, selector = '') {
  return {
    http_req_failed: [`rate<${numberEnv('MAX_FAILED_RATE', 0.01)}`],
    checks: ['rate>0.99'],
    [`http_req_duration${selector}`]: [`p(95)<${p95Ms}`, `p(99)<${p99Ms}`],
  };
}

// p99 is not among k6's default summary statistics; the tests read it from --summary-export.
export const SUMMARY_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'count'];

// A request that takes longer than this counts as failed instead of holding its virtual user.
const TIMEOUT = durationEnv('REQUEST_TIMEOUT', '10s');

function params(name, expected) {
  const p = { headers: JSON_HEADERS, tags: { name }, timeout: TIMEOUT };
  if (expected) {
    // 401 and 404 are the right answers to some requests: they must not count as failed.
    p.responseCallback = http.expectedStatuses(expected);
  }
  return p;
}

/** Fails the test at once when nothing answers at BASE_URL (a wrong URL, or the service not deployed). */
export function requireService() {
  let res;
  try {
    res = http.get(`${BASE_URL}/`, { timeout: '10s' });
  } catch (e) {
    fail(`GET ${BASE_URL}/ failed (${e}): is BASE_URL right and the service deployed?`);
  }
  if (res.status !== 200) {
    fail(`GET ${BASE_URL}/ answered ${res.status} ${res.error || ''}: is BASE_URL right and the service deployed and Ready?`);
  }
}

let sequence = 0;

/** A new user (its email unique to this run and VU); {id, email, version} or null after a failed check. */
export function createUser(label) {
  sequence += 1;
  const email = `k6-${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${sequence}@example.com`;
  const res = http.post(`${BASE_URL}/users`, JSON.stringify({ email, name: `k6 ${label}`, password: PASSWORD }),
    params('POST /users'));
  const ok = check(res, {
    'create: 201': (r) => r.status === 201,
    'create: Location': (r) => /^\/users\/[^/]+$/.test(r.headers.Location || ''),
  });
  return ok ? { id: res.headers.Location.split('/').pop(), email, version: res.headers.Etag } : null;
}

/** COUNT users for the run (setup); fails the test when they cannot be created. */
export function createUsers(count, label) {
  const users = [];
  for (let i = 0; i < count; i += 1) {
    const user = createUser(label);
    if (user === null) {
      fail(`setup could not create test users at ${BASE_URL}/users: see the failed checks above`);
    }
    users.push({ id: user.id, email: user.email });
  }
  return users;
}

/** Deletes the run's users (teardown), so a run against a real table leaves nothing behind. */
export function deleteUsers(users) {
  for (const user of users || []) {
    deleteUser(user.id);
  }
}

export function deleteUser(id) {
  const res = http.del(`${BASE_URL}/users/${id}`, null, params('DELETE /users/{id}'));
  return check(res, { 'delete: 204': (r) => r.status === 204 });
}

export function hello() {
  const res = http.get(`${BASE_URL}/`, params('GET /'));
  return check(res, { 'hello: 200': (r) => r.status === 200 && r.json('message') !== undefined });
}

export function getUser(id) {
  const res = http.get(`${BASE_URL}/users/${id}`, params('GET /users/{id}'));
  check(res, { 'get: 200 with ETag': (r) => r.status === 200 && r.headers.Etag !== undefined });
  return res;
}

export function getDeletedUser(id) {
  const res = http.get(`${BASE_URL}/users/${id}`, params('GET /users/{id}', 404));
  return check(res, { 'get deleted: 404': (r) => r.status === 404 });
}

export function listUsers(limit) {
  const res = http.get(`${BASE_URL}/users?limit=${limit}`, params('GET /users'));
  return check(res, { 'list: 200 with items': (r) => r.status === 200 && Array.isArray(r.json('items')) });
}

/** Renames USER ({id, email, version}) under its ETag; the user's new version, or null after a failed check. */
export function updateUser(user, name) {
  const p = params('PUT /users/{id}');
  p.headers = Object.assign({ 'If-Match': user.version }, JSON_HEADERS);
  const res = http.put(`${BASE_URL}/users/${user.id}`, JSON.stringify({ email: user.email, name }), p);
  const ok = check(res, { 'update: 200 with a new ETag': (r) => r.status === 200 && r.headers.Etag !== user.version });
  return ok ? res.headers.Etag : null;
}

/** The CPU-heavy request: an Argon2id hash of the candidate password. */
export function verifyPassword(id, password = PASSWORD) {
  const right = password === PASSWORD;
  const res = http.post(`${BASE_URL}/users/${id}/password/verify`, JSON.stringify({ password }),
    params('POST /users/{id}/password/verify', right ? 204 : 401));
  return check(res, right
    ? { 'verify: 204 for the right password': (r) => r.status === 204 }
    : { 'verify: 401 for a wrong password': (r) => r.status === 401 });
}

/**
 * The request mix of the average, spike and soak scripts: mostly reads, some password checks (CPU) and
 * a create + delete (DynamoDB transactions), in the proportions a user directory sees.
 */
export function mixedIteration(users) {
  const user = users[Math.floor(Math.random() * users.length)];
  const roll = Math.random();
  if (roll < 0.5) {
    getUser(user.id);
  } else if (roll < 0.7) {
    hello();
  } else if (roll < 0.8) {
    listUsers(20);
  } else if (roll < 0.95) {
    verifyPassword(user.id);
  } else {
    const created = createUser('mix');
    if (created !== null) {
      deleteUser(created.id);
    }
  }
}
