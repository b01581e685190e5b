/**
 * One line that says what an error was, for headers and lists: Dify's node errors are often a whole
 * traceback (a sandbox's Python `Traceback (most recent call last):` … `ValueError: …`, or Node's
 * `<anonymous_script>:4` + source + `TypeError: …`), whose first line says nothing.
 */
export function errorHeadline(message: string): string {
  const lines = message.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const first = lines[0] ?? '';
  if (/^Traceback \(most recent call last\):/.test(first) || /^process exited with code/.test(first) || /^<anonymous_script>:\d+$|^evalmachine\.<anonymous>:\d+$/.test(first)) {
    const exception = lines.findLast((l) => /^[\w.]*(?:Error|Exception|Exit|Interrupt|Warning)\b.*:|^[\w.]+(?:Error|Exception)$/.test(l));
    if (exception !== undefined) return exception;
  }
  return first;
}
