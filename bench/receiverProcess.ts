// Child process for the ingest benchmark: the real TraceService (receiver + store + run index)
// on a free loopback port, so the sender does not share its event loop.
import { TraceService } from '../src/server/traceService';

let announced = false;
const service = new TraceService(
  { receiver: { enabled: true, host: '127.0.0.1', port: 0, maxBodyMiB: 64 }, store: { maxSpans: 10_000_000 } },
  {
    runsChanged: () => {},
    statusChanged: (status) => {
      if (status.receiver.state === 'listening' && !announced) {
        announced = true;
        process.send?.({ url: status.receiver.url });
      }
    },
    log: () => {},
  },
);
process.on('message', (message: unknown) => {
  if (message === 'stats') process.send?.({ stats: service.status() });
});
void service.start();
