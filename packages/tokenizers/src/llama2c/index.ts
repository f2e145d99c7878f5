export { Llama2cTokenizer, llamaSpmTokenizer, loadLlama2cTokenizer } from './tokenizer.js';
export { completePrefixLength, Utf8Stream } from './utf8-stream.js';
