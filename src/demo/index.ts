export { seedDemo } from './seed.ts';
export { demoRoutes } from './routes.ts';
export { type DemoState, readDemoState } from './state.ts';
