// The Express 5 hello world that users-info replaces: the same JSON answer on GET /, built and serialized
// per request as the service does, plus a readiness probe for the benchmark's start-up timing.
// Run with NODE_ENV=production (Express then skips its development-only work); PORT and HOST choose
// where it listens (default 127.0.0.1:3000).
'use strict';

const os = require('node:os');
const express = require('express');
const { version } = require('./package.json');

const app = express();
// The framework's name tells an attacker which vulnerabilities to try; the service sends no such header.
app.disable('x-powered-by');

const instance = process.env.HOSTNAME || os.hostname();

app.get('/', (req, res) => {
  res.json({ message: 'Hello, World!', instance, version });
});

app.get('/health/readiness', (req, res) => {
  res.json({ status: 'UP' });
});

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '127.0.0.1';
const server = app.listen(port, host, (error) => {
  if (error) {
    console.error(`peer: cannot listen on ${host}:${port}: ${error.message}`);
    process.exit(1);
  }
  console.log(`peer: Express ${require('express/package.json').version} on Node.js ${process.version}, http://${host}:${port}`);
});

// SIGTERM from the benchmark: stop accepting, let open connections finish, exit.
process.on('SIGTERM', () => server.close(() => process.exit(0)));
