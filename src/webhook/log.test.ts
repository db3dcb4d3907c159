import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from './log.js';

describe('Logger', () => {
  it('says which levels it writes, and writes exactly those', () => {
    const lines: string[] = [];
    const logger = new Logger((line) => lines.push(line), 'warn', () => new Date(0));
    assert.deepEqual((['debug', 'info', 'warn', 'error'] as const).map((level) => logger.enabled(level)), [false, false, true, true]);
    logger.debug('d');
    logger.info('i');
    logger.warn('w', { uid: 'u' });
    logger.error('e');
    assert.deepEqual(lines, ['{"time":"1970-01-01T00:00:00.000Z","level":"warn","msg":"w","uid":"u"}\n', '{"time":"1970-01-01T00:00:00.000Z","level":"error","msg":"e"}\n']);
  });
});
