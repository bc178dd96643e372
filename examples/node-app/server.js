// node-app: a small Express application, shipped by shipgate.
//
// GET / answers JSON, GET /healthz answers `ok` for the HEALTHCHECK and Kubernetes probes.
// It listens on $PORT (default 3000) and closes cleanly on SIGTERM, which Kubernetes and
// `docker stop` send: Node.js runs as PID 1 in the container and gets no default handler.

'use strict';

const express = require('express');

const app = express();
const port = Number(process.env.PORT || 3000);

app.disable('x-powered-by');

app.get('/', (req, res) => {
  res.json({ message: 'hello from node-app' });
});

app.get('/healthz', (req, res) => {
  res.type('text/plain').send('ok\n');
});

const server = app.listen(port, () => {
  console.log(`listening on http://0.0.0.0:${port}`);
});

process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
