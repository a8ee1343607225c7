import { classifySendError } from '../../src/activities/send-errors';
import { BlockedTargetError } from '../../src/activities/safe-connect';

const coded = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('classifySendError', () => {
  it.each([
    ['ENOTFOUND', 'dns_error'],
    ['EAI_AGAIN', 'dns_error'],
    ['ECONNREFUSED', 'connection_refused'],
    ['ECONNRESET', 'connection_reset'],
    ['UND_ERR_SOCKET', 'connection_reset'],
    ['UND_ERR_CONNECT_TIMEOUT', 'timeout'],
    ['CERT_HAS_EXPIRED', 'tls_error'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'tls_error'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'tls_error'],
    ['ERR_SOMETHING_ELSE', 'network_error'],
  ])('maps %s to %s', (code, errorClass) => {
    expect(classifySendError(coded(`failed: ${code}`, code))).toEqual({ errorClass, errorMessage: `failed: ${code}` });
  });

  it('finds the code in a cause or an AggregateError (several addresses tried)', () => {
    const socketError = new Error('other side closed', { cause: coded('read ECONNRESET', 'ECONNRESET') });
    expect(classifySendError(socketError).errorClass).toBe('connection_reset');
    const aggregate = new AggregateError([coded('connect ECONNREFUSED ::1:80', 'ECONNREFUSED')], 'all failed');
    expect(classifySendError(aggregate)).toEqual({ errorClass: 'connection_refused', errorMessage: 'connect ECONNREFUSED ::1:80' });
  });

  it('prefers a refusal anywhere in the chain', () => {
    const wrapped = Object.assign(new Error('connect failed', { cause: new BlockedTargetError('10.0.0.1') }), { code: 'ECONNRESET' });
    expect(classifySendError(wrapped).errorClass).toBe('blocked_target');
  });

  it('falls back to network_error for anything else', () => {
    expect(classifySendError('boom')).toEqual({ errorClass: 'network_error', errorMessage: 'boom' });
  });
});
