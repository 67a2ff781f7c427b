export { statementLines } from './service.ts';
export { type Direction, type StatementLine, statementColumns, csvRow } from './model.ts';
