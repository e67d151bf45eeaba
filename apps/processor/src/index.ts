export { OrderProcessor, type ProcessorOptions, type ProcessorStats, type ProcessorLog } from './processor.ts';
export { SimulatedGateway, type PaymentGateway, type ChargeRequest, type ChargeResult } from './payment-gateway.ts';
export { Journal, type JournalEntry, type Step } from './journal.ts';
