export { decideMethods } from './service.ts';
export type {
  DecisionInput,
  DecisionLine,
  Method,
  MethodDecision,
  MethodFlow,
  MethodPlacement,
  MethodRefusalReason,
  RolloutRule,
} from './model.ts';
