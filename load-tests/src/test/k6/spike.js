// Spike: the usual request mix at a baseline, then a sudden surge of virtual users, then the baseline again.
// The whole run must keep failures under MAX_FAILED_RATE with the spike's own latency bounds, and the
// recovery scenario after it must meet the normal ones: the service comes back by itself.
// Environment (defaults): BASE_URL (http://127.0.0.1:30080), VUS (5, the baseline), SPIKE_VUS (40),
// BASELINE (20s), EDGE (10s, the surge's way up and down), SPIKE (30s, held at SPIKE_VUS), RECOVERY (30s),
// THINK_MS (200), USERS (20), P95_MS (300) and P99_MS (800) after the spike, SPIKE_P95_MS (1500) and
// SPIKE_P99_MS (3000) overall, MAX_FAILED_RATE (0.01), REQUEST_TIMEOUT (10s).
import { sleep } from 'k6';
import {
  BASE_URL, SUMMARY_TREND_STATS, createUsers, deleteUsers, durationEnv, intEnv, mixedIteration, requireService,
  seconds, thresholds,
} from './lib/common.js';

const VUS = intEnv('VUS', 5);
const SPIKE_VUS = intEnv('SPIKE_VUS', 40);
const BASELINE = durationEnv('BASELINE', '20s');
const SPIKE = durationEnv('SPIKE', '30s');
const EDGE = durationEnv('EDGE', '10s');
const THINK_SECONDS = intEnv('THINK_MS', 200) / 1000;

export const options = {
  scenarios: {
    spike: {
      executor: 'ramping-vus',
      startVUs: VUS,
      stages: [
        { target: VUS, duration: BASELINE },
        { target: SPIKE_VUS, duration: EDGE },
        { target: SPIKE_VUS, duration: SPIKE },
        { target: VUS, duration: EDGE },
      ],
      gracefulRampDown: '10s',
    },
    recovery: {
      executor: 'constant-vus',
      vus: VUS,
      duration: durationEnv('RECOVERY', '30s'),
      startTime: `${seconds(BASELINE) + seconds(SPIKE) + 2 * seconds(EDGE)}s`,
    },
  },
  thresholds: Object.assign(
    thresholds(intEnv('SPIKE_P95_MS', 1500), intEnv('SPIKE_P99_MS', 3000)),
    thresholds(intEnv('P95_MS', 300), intEnv('P99_MS', 800), '{scenario:recovery}'),
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  requireService();
  console.log(`spike on ${BASE_URL}: ${VUS} → ${SPIKE_VUS} → ${VUS} VUs`);
  return { users: createUsers(intEnv('USERS', 20), 'spike') };
}

export default function (data) {
  mixedIteration(data.users);
  sleep(THINK_SECONDS);
}

export function teardown(data) {
  deleteUsers(data.users);
}
