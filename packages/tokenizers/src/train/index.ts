export {
  type BpeTrainerOptions,
  countWords,
  type TrainedBpe,
  trainByteLevelBpe,
  trainByteLevelBpeReference,
} from './bpe-trainer.js';
export { type TrainedUnigram, trainUnigram, type UnigramTrainerOptions } from './unigram-trainer.js';
