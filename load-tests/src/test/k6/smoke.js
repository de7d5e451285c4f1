// Smoke: every operation of the API once per iteration, by one virtual user, with no error tolerated.
// Run it first against any new deployment. Environment (defaults): BASE_URL (http://127.0.0.1:30080),
// VUS (1), DURATION (30s), P95_MS (500), P99_MS (1000), REQUEST_TIMEOUT (10s).
import { sleep, check } from 'k6';
import {
  BASE_URL, SUMMARY_TREND_STATS, createUser, deleteUser, durationEnv, getDeletedUser, getUser, hello, intEnv,
  listUsers, requireService, thresholds, updateUser, verifyPassword,
} from './lib/common.js';

export const options = {
  vus: intEnv('VUS', 1),
  duration: durationEnv('DURATION', '30s'),
  thresholds: Object.assign(thresholds(intEnv('P95_MS', 500), intEnv('P99_MS', 1000)), {
    // A smoke test tolerates nothing.
    http_req_failed: ['rate==0'],
    checks: ['rate==1'],
  }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  requireService();
  console.log(`smoke test of ${BASE_URL}`);
}

export default function () {
  hello();
  const user = createUser('smoke');
  if (user === null) {
    return;
  }
  const res = getUser(user.id);
  check(res, { 'get: the created email': (r) => r.status === 200 && r.json('email') === user.email });
  listUsers(5);
  const version = updateUser(user, 'k6 smoke renamed');
  check(version, { 'update: ETag advanced': (v) => v !== null && v !== user.version });
  verifyPassword(user.id);
  verifyPassword(user.id, 'not the password');
  deleteUser(user.id);
  getDeletedUser(user.id);
  sleep(1);
}
