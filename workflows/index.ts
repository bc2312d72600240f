export { analyzeCallWorkflow } from './analyze-call';
export { batchWorkflow } from './batch';
export { analyzeBatchWorkflow } from './batch-analyze';
export { callWorkflow, phoneCallWorkflow } from './call';
export { correctTranscriptWorkflow } from './correct-transcript';
export { chatWorkflow } from './chat';
export { knowledgeBaseIndexWorkflow } from './knowledge-base-index';
export { webCallWorkflow } from './web-call';
export { sessionWorkflow } from './session';
