import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WebhookMetrics } from './metrics.js';

describe('WebhookMetrics', () => {
  it('counts a request once per rule that denied it, however many containers it denied', () => {
    const metrics = new WebhookMetrics();
    metrics.record('validate', 'deny', 0.001, 0.0001, ['b-rule', 'a-rule', 'b-rule', 'a-rule', 'a-rule']);
    metrics.record('validate', 'deny', 0.002, 0.0002, ['a-rule']);
    metrics.record('mutate', 'patch', 0.003, 0.0003, ['c-rule', 'c-rule']);
    metrics.record('validate', 'allow', 0.0004, 0.0001, []);
    const text = metrics.render();
    const denials = text.split('\n').filter((line) => line.startsWith('rootlock_webhook_denials_total{'));
    assert.deepEqual(denials, ['rootlock_webhook_denials_total{rule="b-rule"} 1', 'rootlock_webhook_denials_total{rule="a-rule"} 2']);
    assert.match(text, /^rootlock_webhook_mutations_total\{rule="c-rule"\} 1$/m);
    assert.match(text, /^rootlock_webhook_requests_total\{endpoint="validate",outcome="deny"\} 2$/m);
    assert.match(text, /^rootlock_webhook_requests_total\{endpoint="validate",outcome="allow"\} 1$/m);
    assert.match(text, /^rootlock_webhook_request_duration_seconds_count\{endpoint="validate"\} 3$/m);
    assert.match(text, /^rootlock_webhook_request_duration_seconds_bucket\{endpoint="validate",le="0.0005"\} 1$/m);
    assert.match(text, /^rootlock_webhook_engine_duration_seconds_count\{endpoint="mutate"\} 1$/m);
  });
});
