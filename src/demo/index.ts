export { seedDemo } from './seed.ts';
export { type DemoState, readDemoState } from './state.ts';
