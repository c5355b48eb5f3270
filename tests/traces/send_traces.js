// Sends one trace through a real OpenTelemetry JS exporter to vigil-store, for npm_traces_test.cc.
//   node send_traces.js <proto|json|zipkin> <url> <service.name>
// The trace has a root span and two children with attributes of every type, events, a link, an error status
// and resource attributes. Prints "TRACE <hex trace id> <hex root span id>" and exits 0 when the exporter
// reported success, exits 1 with the exporter's error otherwise.
'use strict';
const {context, trace, SpanKind, SpanStatusCode} = require('@opentelemetry/api');
const {BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor} = require('@opentelemetry/sdk-trace-base');
const {resourceFromAttributes} = require('@opentelemetry/resources');

const [kind, url, service] = process.argv.slice(2);
let exporter;
if (kind === 'proto') {
  exporter = new (require('@opentelemetry/exporter-trace-otlp-proto').OTLPTraceExporter)({url});
} else if (kind === 'json') {
  exporter = new (require('@opentelemetry/exporter-trace-otlp-http').OTLPTraceExporter)({url});
} else if (kind === 'zipkin') {
  exporter = new (require('@opentelemetry/exporter-zipkin').ZipkinExporter)({url, serviceName: service});
} else {
  console.error('unknown exporter ' + kind);
  process.exit(2);
}

const memory = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({'service.name': service, 'deployment.environment': 'e2e', 'host.cores': 2}),
  spanProcessors: [new SimpleSpanProcessor(memory)],
});
const tracer = provider.getTracer('vigil-e2e', '1.2.3');
const t0 = Date.now() - 5000;

const root = tracer.startSpan('GET /checkout', {
  kind: SpanKind.SERVER,
  startTime: t0,
  attributes: {'http.method': 'GET', 'http.status_code': 500, 'ratio': 0.25, 'cached': true,
               'tags': ['a', 'b']},
});
const ctx = trace.setSpan(context.active(), root);
const child = tracer.startSpan('SELECT orders', {kind: SpanKind.CLIENT, startTime: t0 + 10,
                                                 attributes: {'db.system': 'postgresql', 'db.rows': 42}}, ctx);
child.addEvent('query.retry', {'attempt': 2, 'reason': 'deadlock'}, t0 + 20);
child.setStatus({code: SpanStatusCode.ERROR, message: 'deadlock detected'});
child.end(t0 + 120);
const other = tracer.startSpan('publish order', {kind: SpanKind.PRODUCER, startTime: t0 + 130,
                                                 links: [{context: child.spanContext(),
                                                          attributes: {'link.reason': 'caused-by'}}]}, ctx);
other.end(t0 + 150);
root.addEvent('checkout.failed', {'order.id': 'o-17'}, t0 + 160);
root.setStatus({code: SpanStatusCode.ERROR, message: 'payment failed'});
root.end(t0 + 200);

exporter.export(memory.getFinishedSpans(), (result) => {
  if (result.code !== 0) {
    console.error('export failed: ' + (result.error && (result.error.stack || result.error.message || result.error)));
    process.exit(1);
  }
  console.log('TRACE ' + root.spanContext().traceId + ' ' + root.spanContext().spanId);
  Promise.resolve(exporter.shutdown()).then(() => process.exit(0));
});
