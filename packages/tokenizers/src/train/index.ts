export {
  type BpeTrainerOptions,
  countWords,
  type TrainedBpe,
  trainByteLevelBpe,
  trainByteLevelBpeReference,
} from './bpe-trainer.js';
