export { OrderProcessor, type ProcessorOptions, type ProcessorStats } from './processor.ts';
export { processorLogger, logLevel, type Logger, type LogLevel } from './processor-logger.ts';
export { listenForMetrics } from './metrics-listener.ts';
export { SimulatedGateway, type PaymentGateway, type ChargeRequest, type ChargeResult } from './payment-gateway.ts';
export { Journal, type JournalEntry, type Step } from './journal.ts';
export { SlotScheduler, type SlotSchedulerOptions } from './slot-schedule/slot-scheduler.ts';
