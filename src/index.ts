/** SentryCam's public API for Node programs (the lead adds more exports here). */
export { Producer, DEFAULT_ADDRESS } from './producer/producer.js';
export type { ProducerOptions, ProducerStats, CloseOptions, BatchArgs, EpochEndArgs, HeadArgs, HelloArgs, MetricsArgs } from './producer/producer.js';
export { encodeFrame } from './protocol/encode.js';
export type { OutTensor } from './protocol/encode.js';
export type * from './protocol/types.js';
