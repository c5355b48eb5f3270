// Pushes log lines to vigil-store through real npm clients, for npm_logs_test.cc.
//   node send_logs.js loki <base url> <app label>     winston-loki (JSON push, one request per line)
//   node send_logs.js otlp <url of /v1/logs> <service.name>   @opentelemetry/exporter-logs-otlp-http
// Exits 0 once the client reported the push done, 1 with its error otherwise.
'use strict';
const [kind, url, name] = process.argv.slice(2);

async function loki() {
  const winston = require('winston');
  const LokiTransport = require('winston-loki');
  let failed = null;
  // Unbatched: winston-loki's flush() of a batch sometimes never resolves, so each line is its own request, and
  // the test polls the store until the lines are there. The pause only lets the requests leave before exit.
  const transport = new LokiTransport({
    host: url, json: true, batching: false, labels: {app: name, env: 'e2e'},
    onConnectionError: (err) => { failed = err; },
  });
  const logger = winston.createLogger({transports: [transport]});
  logger.info('first line from winston');
  logger.error('second line err happened', {labels: {level_hint: 'error'}});
  logger.warn('third line');
  await new Promise((resolve) => setTimeout(resolve, 2000));
  if (failed) throw failed;
}

async function otlp() {
  const {LoggerProvider, SimpleLogRecordProcessor} = require('@opentelemetry/sdk-logs');
  const {OTLPLogExporter} = require('@opentelemetry/exporter-logs-otlp-http');
  const {resourceFromAttributes} = require('@opentelemetry/resources');
  const {diag, DiagConsoleLogger, DiagLogLevel} = require('@opentelemetry/api');
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);  // Export failures show in the test's log.
  const provider = new LoggerProvider({resource: resourceFromAttributes({'service.name': name}),
                                       processors: [new SimpleLogRecordProcessor({exporter: new OTLPLogExporter({url})})]});
  const logger = provider.getLogger('vigil-e2e');
  const now = Date.now();
  logger.emit({body: 'otlp line one', severityNumber: 9, severityText: 'INFO', timestamp: now - 2000,
               attributes: {'user.id': 7}});
  logger.emit({body: 'otlp line two err', severityNumber: 17, severityText: 'ERROR', timestamp: now - 1000});
  await provider.forceFlush();
  await provider.shutdown();
}

(kind === 'loki' ? loki() : otlp()).then(() => { console.log('SENT');
  // winston-loki hooks process exit (async-exit-hook) and keeps the process alive; the push is done: leave.
  process.kill(process.pid, 'SIGKILL'); },
                                         (e) => { console.error('push failed: ' + (e.stack || e)); process.exit(1); });

