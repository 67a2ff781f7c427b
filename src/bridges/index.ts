// Bridges: wallets the hub reaches through their own merchant API. The
// only door into src/bridges; the capability is wired by its manifest.
export { bridgesProblemCodes } from './problems.ts';
