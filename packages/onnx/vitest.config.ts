import { weftProject } from '../../vitest.shared.js';
export default weftProject('onnx');
