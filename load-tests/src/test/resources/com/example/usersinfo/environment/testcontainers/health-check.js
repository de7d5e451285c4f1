// K6IT: 2 virtual users, 20 requests in all to the target's health endpoint, every check must pass.
// Standard k6 modules only: jslib.k6.io is not reachable everywhere the tests run.
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  vus: 2,
  iterations: 20,
  thresholds: {
    checks: ['rate==1'],
    http_req_failed: ['rate==0'],
  },
};

export default function () {
  const res = http.get(`${__ENV.TARGET}/-/healthy`);
  check(res, {
    'status is 200': (r) => r.status === 200,
    'body says healthy': (r) => r.body.includes('Healthy'),
  });
}
