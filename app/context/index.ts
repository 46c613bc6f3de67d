export {
  currentContext,
  getActor,
  runAs,
  runInContext,
  setActor,
  type Actor,
  type ContextSource,
  type RequestContext,
} from './request-context';
export { withHistorySource } from './history-source';
