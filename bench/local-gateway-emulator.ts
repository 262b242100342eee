// Child process of bench/local-gateway.ts: the emulator alone in its own process, so its RSS is measured apart
// from the thousands of benchmark clients. Prints the ready line, then answers "stats" on stdin with its RSS and CPU time.
import { startLocal } from '../local/server.js';

const emulator = await startLocal({ accountId: '999988887777' });
process.stdout.write(
  `${JSON.stringify({ controlPlane: emulator.controlPlane, mqtt: emulator.mqtt, serverCa: emulator.serverCa, region: emulator.region, accountId: emulator.accountId, iotEndpoint: emulator.iotEndpoint })}\n`,
);
process.stdin.setEncoding('utf8');
process.stdin.on('data', (line: string) => {
  if (line.trim() === 'stats') {
    const cpu = process.cpuUsage();
    process.stdout.write(`${JSON.stringify({ rss: process.memoryUsage().rss, cpuMicros: cpu.user + cpu.system })}\n`);
  }
});
const shutdown = async () => {
  await emulator.stop();
  process.exit(0);
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
