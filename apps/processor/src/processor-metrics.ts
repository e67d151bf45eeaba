import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { Outcome } from './journal.ts';
import type { PaymentGateway } from './payment-gateway.ts';

/** What the processor's metrics read of it when scraped. */
export type ProcessorGauges = {
  /** Orders waiting or being processed. */
  queued(): number;
  /** When the oldest order still waiting or being processed was placed (ISO-8601), if any. */
  oldestPlaced(): string | undefined;
};

export type ProcessorMetrics = {
  registry: Registry;
  /** One order finished: received, rejected, or found cancelled by its shopper. */
  processed(outcome: Outcome): void;
  /** One order's charge given back (`made`), or an ask to give it back that failed and will be asked again (`failed`). */
  refund(result: 'made' | 'failed'): void;
  /** One attempt failed and will be retried. */
  failed(): void;
  /** The gateway, counting each charge (charged or declined), refund and gateway error. */
  counted(gateway: PaymentGateway): PaymentGateway;
};

/**
 * The processor's metrics, in a registry of its own. Orders per second is
 * `rate(pourover_processor_orders_total[1m])`; the lag is how long the
 * oldest order not yet processed has waited since it was placed (0 when the
 * processor has caught up with the newest placed order).
 */
export function processorMetrics(gauges: ProcessorGauges, options: { processMetrics: boolean; now: () => Date }): ProcessorMetrics {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  new Gauge({
    name: 'pourover_processor_queue_length',
    help: 'Orders waiting or being processed or refunded',
    registers,
    collect() {
      this.set(gauges.queued());
    },
  });
  new Gauge({
    name: 'pourover_processor_lag_seconds',
    help: 'How long the oldest order not yet processed has waited since it was placed (0 when caught up)',
    registers,
    collect() {
      const oldest = gauges.oldestPlaced();
      this.set(oldest === undefined ? 0 : Math.max(0, (options.now().getTime() - Date.parse(oldest)) / 1000));
    },
  });
  const orders = new Counter({
    name: 'pourover_processor_orders_total',
    help: 'Orders processed, by outcome (received, rejected, or cancelled by the shopper first)',
    labelNames: ['outcome'] as const,
    registers,
  });
  const failures = new Counter({ name: 'pourover_processor_failures_total', help: 'Attempts that failed and will be retried', registers });
  const charges = new Counter({
    name: 'pourover_processor_charges_total',
    help: 'Calls to the payment gateway, by kind (charge, refund) and result (charged, declined, refunded, error)',
    labelNames: ['kind', 'result'] as const,
    registers,
  });
  const refunds = new Counter({
    name: 'pourover_processor_refunds_total',
    help: 'Charges of cancelled or rejected orders given back, once each',
    registers,
  });
  const refundFailures = new Counter({
    name: 'pourover_processor_refund_failures_total',
    help: 'Asks to give a charge back that failed and will be asked again',
    registers,
  });
  for (const outcome of ['received', 'rejected', 'cancelled'] as const) orders.inc({ outcome }, 0);

  return {
    registry,
    processed: (outcome) => orders.inc({ outcome }),
    failed: () => failures.inc(),
    refund: (result) => (result === 'made' ? refunds.inc() : refundFailures.inc()),
    counted: (gateway) => ({
      async charge(request) {
        try {
          const result = await gateway.charge(request);
          charges.inc({ kind: 'charge', result: result.status });
          return result;
        } catch (error) {
          charges.inc({ kind: 'charge', result: 'error' });
          throw error;
        }
      },
      async refund(request) {
        try {
          const result = await gateway.refund(request);
          charges.inc({ kind: 'refund', result: result.status });
          return result;
        } catch (error) {
          charges.inc({ kind: 'refund', result: 'error' });
          throw error;
        }
      },
    }),
  };
}
