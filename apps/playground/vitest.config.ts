import { weftProject } from '../../vitest.shared.js';
export default weftProject('playground', { testTimeout: 120_000 });
