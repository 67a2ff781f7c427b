import type { Capability } from '../capability.ts';
import type { ConfigInput } from '../config.ts';
import { demoRoutes } from './routes.ts';
import { seedDemo } from './seed.ts';
import { shopRoutes } from './shop.ts';
import { walletAppRoutes } from './wallet-app.ts';
import type { DemoState } from './state.ts';

/** `lintas demo`: the hub with three wallets, a merchant and a wallet app at /demo. */
export const demoCapability: Capability = {
  name: 'demo',
  commands: (program, tools) => {
    tools
      .serveOptions(
        program.command('demo').description('serve the hub with demo wallets, a merchant and a wallet app at /demo'),
      )
      .action(async (flags: ConfigInput) => {
        const config = { ...tools.configOf(flags), allowPrivateUrls: true };
        let state: DemoState | undefined;
        let hubUrl = config.publicUrl;
        await tools.serve(config, {
          extraRoutes: (app, ctx) => {
            demoRoutes(
              () => state,
              () => hubUrl,
            )(app, ctx);
            walletAppRoutes(
              () => state,
              () => hubUrl,
            )(app, ctx);
            shopRoutes(
              () => state,
              () => hubUrl,
            )(app, ctx);
          },
          afterStart: async (hub) => {
            hubUrl = hub.url;
            state = await seedDemo(hub.url, config.operatorToken.reveal(), config.publicUrl, config.dataDir);
            return [
              `  demo:           ${config.publicUrl}/demo   (wallet keys and the merchant key in ` +
                `${config.dataDir}/demo.json)`,
            ];
          },
        });
      });
  },
};
