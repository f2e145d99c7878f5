export { Llama2cTokenizer, loadLlama2cTokenizer } from './tokenizer.js';
export { Utf8Stream, completePrefixLength } from './utf8-stream.js';
