/** The payments bench's summary table: each point beside its baseline from the same run. */
import type { PaymentsResults } from './index.ts';
import type { Point } from './measure.ts';

function cell(value: number | undefined, digits = 1): string {
  return value === undefined || Number.isNaN(value) ? '-' : value.toFixed(digits);
}

function stepsText(point: Point): string {
  return Object.entries(point.stepsMs)
    .map(([step, ms]) => `${step} ${cell(ms.p50)}/${cell(ms.p99)}`)
    .join(', ');
}

export function printReport(results: PaymentsResults): void {
  const bare = results.bare;
  const bareRequestsPerSecond = bare.perSecond * 4;
  const bareCpuMsPerRequest = bare.cpuMsPerPayment / 4;
  const lines = [
    '',
    `payments bench, ${results.date}, ${results.machine.cpus} CPUs, Node ${results.machine.node}`,
    `baseline: bare Fastify route ${cell(bareRequestsPerSecond, 0)} req/s, ${cell(bareCpuMsPerRequest, 3)} ms CPU a request`,
    ...(results.pgbench
      ? [`baseline: pgbench TPC-B c${results.pgbench.clients} ${cell(results.pgbench.tps, 0)} tps`]
      : []),
    '',
    'point | payments/s | × bare req/s÷4 | hub CPU ms/payment | × bare CPU×4 | db CPU ms | statements | commits | p50/p99 ms per step',
  ];
  for (const engine of results.engines) {
    for (const point of engine.points) {
      const ratioRate = point.perSecond / bare.perSecond;
      const ratioCpu = point.cpuMsPerPayment / bare.cpuMsPerPayment;
      lines.push(
        [
          point.label,
          cell(point.perSecond),
          cell(ratioRate, 3),
          cell(point.cpuMsPerPayment, 2),
          cell(ratioCpu, 1),
          cell(point.databaseCpuMsPerPayment, 2),
          cell(point.statementsPerPayment),
          cell(point.commitsPerPayment),
          stepsText(point),
        ].join(' | '),
      );
      const refused = Object.entries(point.refused);
      if (refused.length > 0)
        lines.push(`  refused: ${refused.map(([what, count]) => `${what} ×${count}`).join(', ')}`);
    }
    const best = Math.max(...engine.points.map((point) => point.perSecond));
    const { batch } = engine;
    lines.push(
      `${batch.label}: ${cell(batch.transfersPerSecond)} transfers/s, ${cell(batch.cpuMsPerTransfer, 3)} ms hub CPU a ` +
        `transfer (${batch.committed} committed, ${batch.refused} refused, ${batch.batches} batches)`,
    );
    const name = `${engine.engine}${engine.workers > 1 ? ` ×${engine.workers}` : ''}`;
    if (results.pgbench && engine.engine === 'postgres')
      lines.push(`  ${name} best ${cell(best)}/s = ${cell(best / results.pgbench.tps, 3)} × pgbench tps`);
    lines.push(`  ${name}: hub peak RSS ${engine.peakRssMib} MiB (all its processes)`);
  }
  for (const point of results.growth)
    lines.push(
      `${point.label}: ${cell(point.perSecond)}/s, ${cell(point.cpuMsPerPayment, 2)} ms CPU, ${stepsText(point)}`,
    );
  process.stdout.write(`${lines.join('\n')}\n`);
}
