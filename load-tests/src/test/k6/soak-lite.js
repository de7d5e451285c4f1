// Soak (lite): the usual request mix at a constant arrival rate for a sustained period, long enough to show
// leaks, pool exhaustion or creeping latency within a CI run; run it for hours (DURATION=4h) against a real
// environment. An iteration that cannot start on time (all VUs busy) counts as dropped, and more than 1 %
// dropped fails the run. Environment (defaults): BASE_URL (http://127.0.0.1:30080), RATE (20 iterations/s),
// DURATION (3m), MAX_VUS (50), USERS (20), P95_MS (300), P99_MS (800), MAX_FAILED_RATE (0.01),
// REQUEST_TIMEOUT (10s).
import {
  BASE_URL, SUMMARY_TREND_STATS, createUsers, deleteUsers, durationEnv, intEnv, mixedIteration, requireService,
  seconds, thresholds,
} from './lib/common.js';

const RATE = intEnv('RATE', 20);
const DURATION = durationEnv('DURATION', '3m');

export const options = {
  scenarios: {
    soak: {
      executor: 'constant-arrival-rate',
      rate: RATE,
      timeUnit: '1s',
      duration: DURATION,
      // A VU per iteration started each second, so an iteration up to 1 s long finds one free: an iteration
      // that finds none is dropped while k6 adds VUs (up to MAX_VUS) in the background.
      preAllocatedVUs: Math.max(2, RATE),
      maxVUs: intEnv('MAX_VUS', 50),
    },
  },
  thresholds: Object.assign(thresholds(intEnv('P95_MS', 300), intEnv('P99_MS', 800)), {
    dropped_iterations: [`count<=${Math.floor(RATE * seconds(DURATION) * 0.01)}`],
  }),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  requireService();
  console.log(`soak on ${BASE_URL}: ${RATE} iterations/s for ${DURATION}`);
  return { users: createUsers(intEnv('USERS', 20), 'soak') };
}

export default function (data) {
  mixedIteration(data.users);
}

export function teardown(data) {
  deleteUsers(data.users);
}
