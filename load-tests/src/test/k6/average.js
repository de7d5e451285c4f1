// Average load: the usual request mix (lib/common.js, mixedIteration) from VUS virtual users with a think
// time between iterations, ramped up, held, ramped down. Environment (defaults): BASE_URL
// (http://127.0.0.1:30080), VUS (10), RAMP (30s), DURATION (2m, the hold), THINK_MS (500), USERS (20),
// P95_MS (300), P99_MS (800), MAX_FAILED_RATE (0.01), REQUEST_TIMEOUT (10s).
import { sleep } from 'k6';
import {
  BASE_URL, SUMMARY_TREND_STATS, createUsers, deleteUsers, durationEnv, intEnv, mixedIteration, requireService,
  thresholds,
} from './lib/common.js';

const VUS = intEnv('VUS', 10);
const RAMP = durationEnv('RAMP', '30s');
const THINK_SECONDS = intEnv('THINK_MS', 500) / 1000;

export const options = {
  scenarios: {
    average: {
      executor: 'ramping-vus',
      startVUs: 0,
      stages: [
        { target: VUS, duration: RAMP },
        { target: VUS, duration: durationEnv('DURATION', '2m') },
        { target: 0, duration: RAMP },
      ],
      gracefulRampDown: '10s',
    },
  },
  thresholds: thresholds(intEnv('P95_MS', 300), intEnv('P99_MS', 800)),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  requireService();
  console.log(`average load on ${BASE_URL}: ${VUS} VUs`);
  return { users: createUsers(intEnv('USERS', 20), 'average') };
}

export default function (data) {
  mixedIteration(data.users);
  sleep(THINK_SECONDS);
}

export function teardown(data) {
  deleteUsers(data.users);
}
