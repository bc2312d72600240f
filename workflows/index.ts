export { analyzeCallWorkflow } from './analyze-call';
export { callWorkflow } from './call';
