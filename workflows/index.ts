export { analyzeCallWorkflow } from './analyze-call';
export { batchWorkflow } from './batch';
export { callWorkflow } from './call';
