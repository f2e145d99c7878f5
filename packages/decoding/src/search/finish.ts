/** Why a sequence ended. 'stop-string' is added by the text layer. */
export type FinishReason = 'stop' | 'length' | 'context' | 'time' | 'stop-string';
