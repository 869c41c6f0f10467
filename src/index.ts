/** SentryCam's public API for Node programs. */
export { Producer, DEFAULT_ADDRESS } from './producer/producer.js';
export type { ProducerOptions, ProducerStats, CloseOptions, BatchArgs, EpochEndArgs, HeadArgs, HelloArgs, MetricsArgs } from './producer/producer.js';
export { sentrycamCallback } from './producer/tfjs-callback.js';
export type { SentrycamCallback, SentrycamCallbackOptions, SampleSet, CallbackSink, LayersModelLike, LayerLike, TensorLike } from './producer/tfjs-callback.js';
export { encodeFrame } from './protocol/encode.js';
export type { OutTensor } from './protocol/encode.js';
export { decodeFrame } from './protocol/decode.js';
export type * from './protocol/types.js';
export { readRecording } from './sources/recording-reader.js';
export type { Recording, RecordedFrame } from './sources/recording-reader.js';
export type * from './model/events.js';
export type { EpochLayout, EpochMetrics, RegionGrid } from './model/epoch-layout.js';
