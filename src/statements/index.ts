export { statementLines } from './service.ts';
export { type Direction, type StatementLine, statementColumns } from './model.ts';
