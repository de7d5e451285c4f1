// K6IT: a check that cannot pass against the target, so the checks threshold is crossed and k6 exits 99.
import http from 'k6/http';
import { check } from 'k6';

export const options = {
  iterations: 1,
  thresholds: {
    checks: ['rate==1'],
  },
};

export default function () {
  check(http.get(`${__ENV.TARGET}/-/healthy`), { 'status is 418': (r) => r.status === 418 });
}
