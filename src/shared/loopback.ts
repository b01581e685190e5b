/**
 * 127.0.0.0/8, ::1 and `localhost`: what a loopback-only receiver listens on. One test for both
 * sides, so the editor warns about an open receiver exactly when the trace server requires a token.
 */
export function isLoopbackAddress(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}
