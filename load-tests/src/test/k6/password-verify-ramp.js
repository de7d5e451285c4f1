// The autoscaling workload (AutoscalingIT, docs/load-tests.md): POST /users/{id}/password/verify, the
// CPU-heavy request (an Argon2id hash each), at an arrival rate that a single pod cannot serve within its
// CPU request, so the HPA must add pods. Three scenarios in sequence:
//   warmup   WARMUP_RATE/s for WARMUP: the baseline on one pod ("before")
//   ramp     up to RATE/s over RAMP, then RATE/s for SCALE_OUT: the time given to the HPA
//   settled  RATE/s for SETTLED, after the scale-out: p95/p99 must be back under P95_MS/P99_MS
// Each iteration opens a new connection (unless REUSE_CONNECTIONS=true): kept-alive connections stay on
// the pods they were opened to, so new pods would get no traffic from running VUs, here or behind an
// NLB (EKS) alike; an ALB (ECS) balances per request either way.
// Environment (defaults): BASE_URL (http://127.0.0.1:30080), WARMUP_RATE (2), WARMUP (30s), RATE (20),
// RAMP (30s), SCALE_OUT (90s), SETTLED (60s), USERS (10), MAX_VUS (60), P95_MS (500), P99_MS (1000),
// MAX_FAILED_RATE (0.01), REQUEST_TIMEOUT (10s), REUSE_CONNECTIONS (false).
import {
  BASE_URL, SUMMARY_TREND_STATS, createUsers, deleteUsers, durationEnv, intEnv, requireService, seconds,
  thresholds, verifyPassword,
} from './lib/common.js';

const WARMUP_RATE = intEnv('WARMUP_RATE', 2);
const WARMUP = durationEnv('WARMUP', '30s');
const RATE = intEnv('RATE', 20);
const RAMP = durationEnv('RAMP', '30s');
const SCALE_OUT = durationEnv('SCALE_OUT', '90s');
const SETTLED = durationEnv('SETTLED', '60s');
const MAX_VUS = intEnv('MAX_VUS', 60);
const REUSE = (__ENV.REUSE_CONNECTIONS || 'false');
if (REUSE !== 'true' && REUSE !== 'false') {
  throw new Error(`REUSE_CONNECTIONS=${REUSE}: must be true or false`);
}

export const options = {
  noVUConnectionReuse: REUSE === 'false',
  scenarios: {
    warmup: {
      executor: 'constant-arrival-rate',
      rate: WARMUP_RATE,
      timeUnit: '1s',
      duration: WARMUP,
      preAllocatedVUs: Math.max(2, WARMUP_RATE),
      maxVUs: MAX_VUS,
    },
    ramp: {
      executor: 'ramping-arrival-rate',
      startTime: WARMUP,
      startRate: WARMUP_RATE,
      timeUnit: '1s',
      stages: [
        { target: RATE, duration: RAMP },
        { target: RATE, duration: SCALE_OUT },
      ],
      preAllocatedVUs: Math.max(2, RATE),
      maxVUs: MAX_VUS,
    },
    settled: {
      executor: 'constant-arrival-rate',
      startTime: `${seconds(WARMUP) + seconds(RAMP) + seconds(SCALE_OUT)}s`,
      rate: RATE,
      timeUnit: '1s',
      duration: SETTLED,
      preAllocatedVUs: Math.max(2, RATE),
      maxVUs: MAX_VUS,
    },
  },
  thresholds: Object.assign(
    thresholds(intEnv('P95_MS', 500), intEnv('P99_MS', 1000), '{scenario:settled}'),
    // Listed so the summary reports each phase's latency; the bounds apply to the settled phase only.
    { 'http_req_duration{scenario:warmup}': ['max>=0'], 'http_req_duration{scenario:ramp}': ['max>=0'] },
  ),
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function setup() {
  requireService();
  console.log(`password-verify ramp on ${BASE_URL}: ${WARMUP_RATE}/s for ${WARMUP}, up to ${RATE}/s over ${RAMP}, `
    + `held ${SCALE_OUT} + ${SETTLED}`);
  const users = createUsers(intEnv('USERS', 10), 'verify');
  // AutoscalingIT times the phases from this line: the warmup starts as setup returns.
  console.log(`setup done: ${users.length} users; warmup starts`);
  return { users };
}

export default function (data) {
  verifyPassword(data.users[Math.floor(Math.random() * data.users.length)].id);
}

export function teardown(data) {
  deleteUsers(data.users);
}
